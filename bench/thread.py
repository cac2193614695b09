"""S2: opening the 2,000-post thread of generate.py's city (its first page of 100 posts, replies
nested) against B3, a bare Starlette page rendering one SELECT of 2,000 rows, measured in the same
run. Also reports queries per request for a 20-post and a 2,000-post thread.

Usage: cd bench && ../.venv/bin/python thread.py [--seconds 5] [--concurrency 16] [--rounds 1]
"""

from __future__ import annotations

import argparse
import asyncio

from common import (
    Target,
    app_env,
    drop_database,
    report,
    scratch_database,
    serve,
    side_by_side,
)
from generate import generate


async def prepare(url: str) -> tuple[str, str]:
    """The city of generate.py: its 20-post and 2,000-post threads."""
    world = await generate(url)
    return str(world.small_thread), str(world.thread)


async def scenario(url: str, prepared: tuple[str, str], args):
    """One round: B3 and S2's two loads, side by side; returns (baseline, results)."""
    small, large = prepared
    env = app_env(url)
    with (
        serve("baseline_app:create_app", env) as bare,
        serve("deliberate.app:create_app", env) as base,
    ):
        baseline, *results = await side_by_side(
            [
                Target("B3 one SELECT of 2,000 rows rendered", f"{bare}/b3posts"),
                Target("S2 thread of 2,000 posts, first page", f"{base}/threads/{large}"),
                Target("S2 thread of 20 posts", f"{base}/threads/{small}"),
            ],
            seconds=args.seconds,
            concurrency=args.concurrency,
        )
    return baseline, results


def print_round(baseline, results) -> None:
    report(results, baseline)
    counts = set().union(*(r.queries for r in results))
    print(
        f"queries per request, 20 and 2,000 posts: {sorted(counts)} "
        f"({'the same' if len(counts) == 1 else 'DIFFERENT'})"
    )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()
    url, name = await scratch_database("bench_s2")
    try:
        prepared = await prepare(url)
        for round_number in range(1, args.rounds + 1):
            print(
                f"\nround {round_number}: {args.concurrency} concurrent clients, {args.seconds}s each"
            )
            print_round(*await scenario(url, prepared, args))
    finally:
        await drop_database(name)


if __name__ == "__main__":
    asyncio.run(main())
