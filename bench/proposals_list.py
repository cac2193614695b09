"""S1: the proposal list at 10,000 proposals (the city of generate.py), page 1 and page 250,
anonymous and signed in, against B1 (a bare Starlette page after one asyncpg SELECT of 20 rows) measured in the same run.
Also checks that queries per request are the same for 100 and 10,000 proposals.

Usage: cd bench && ../.venv/bin/python proposals_list.py [--seconds 5] [--concurrency 16]
       [--rounds 1] [--workers 1]
"""

from __future__ import annotations

import argparse
import asyncio
import secrets

import asyncpg
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

from deliberate import db as dbmod
from deliberate.security import token_hash


async def prepare(url: str) -> tuple[str, str, str]:
    """The city of generate.py, and a session for a citizen who supports a few proposals."""
    world = await generate(url)
    connection = await asyncpg.connect(dbmod.plain_url(url))
    token = secrets.token_urlsafe(32)
    await connection.execute(
        "INSERT INTO user_sessions (id, user_id, expires_at) VALUES ($1, $2, now() + interval '1 day')",
        token_hash(token),
        world.citizens[0],
    )
    await connection.close()
    return str(world.small_proposals_cycle), str(world.proposals_cycle), token


async def scenario(url: str, prepared: tuple[str, str, str], args, workers: int = 1):
    """One round: B1 then S1's six loads; returns (baseline, results)."""
    small, large, token = prepared
    env = app_env(url)
    cookies = {"deliberate_session": token}
    with (
        serve("baseline_app:create_app", env) as bare,
        serve("deliberate.app:create_app", env, workers=workers) as base,
    ):
        baseline, *results = await side_by_side(
            [
                Target("B1 bare page + one SELECT of 20 rows", f"{bare}/b1"),
                *(
                    Target(label, f"{base}/cycles/{cycle}/proposals?page={page}", cookies=jar)
                    for label, cycle, page, jar in [
                        ("S1 10,000 proposals, page 1, anonymous", large, 1, None),
                        ("S1 10,000 proposals, page 250, anonymous", large, 250, None),
                        ("S1 10,000 proposals, page 1, signed in", large, 1, cookies),
                        ("S1 10,000 proposals, page 250, signed in", large, 250, cookies),
                        ("S1 100 proposals, page 1, signed in", small, 1, cookies),
                        ("S1 100 proposals, page 5, signed in", small, 5, cookies),
                    ]
                ),
            ],
            seconds=args.seconds,
            concurrency=args.concurrency,
        )
    return baseline, results


def print_round(baseline, results) -> None:
    report(results, baseline)
    for who in ("anonymous", "signed in"):
        counts = set().union(*(r.queries for r in results if r.name.endswith(who)))
        verdict = "the same on every page and size" if len(counts) == 1 else "DIFFERENT"
        print(f"queries per request, {who}: {sorted(counts)} ({verdict}; target <= 4)")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--workers", type=int, default=1, help="app processes (B1 keeps one)")
    args = parser.parse_args()

    url, name = await scratch_database("bench_s1")
    try:
        prepared = await prepare(url)
        for round_number in range(1, args.rounds + 1):
            print(
                f"\nround {round_number}: {args.concurrency} concurrent clients, {args.seconds}s "
                f"each, {args.workers} app worker(s)"
            )
            print_round(*await scenario(url, prepared, args, args.workers))
    finally:
        await drop_database(name)


if __name__ == "__main__":
    asyncio.run(main())
