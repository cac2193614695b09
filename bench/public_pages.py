"""S5 and S6 on the city-scale data of generate.py.

S5: the published specification (its stable version address), read signed out: full answers
(200) against B0, a bare Starlette page rendering a Jinja2 template, measured in the same run;
then revalidations with the page's ETag (304, no rendering). Targets: 200s at least 0.5 x B0,
304s at least 0.8 x B0.

S6: one app worker's memory (RSS) while it serves a mix of S1 (the 10,000-proposal list, pages 1
and 250), S2 (the 2,000-post thread) and S5 (the published specification, 200 and 304): at
start, after a warm-up, and after each soak round. Targets: at most 150 MB, and under 20% drift
from after the warm-up to the end.

Usage: cd bench && ../.venv/bin/python public_pages.py [--seconds 5] [--rounds 3]
                   [--soak-rounds 3] [--soak-seconds 60] [--s5-only]
(--s5-only: a database holding only the published specification, no city, no S6)
"""

from __future__ import annotations

import argparse
import asyncio
import uuid
from dataclasses import dataclass

from common import (
    Result,
    Target,
    app_env,
    drop_database,
    load,
    report,
    rss_mib,
    scratch_database,
    serve,
    serve_process,
    side_by_side,
)
from generate import World, generate, published_specification, read_spec_version

S5_TARGET_200 = 0.5
S5_TARGET_304 = 0.8
S6_LIMIT_MB = 150.0
S6_DRIFT = 0.20


def spec_address(world: World) -> str:
    return f"/cycles/{world.spec_cycle}/specification/v/{world.spec_version}"


async def s5(url: str, world: World, args) -> tuple[Result, Result, Result]:
    env = app_env(url)
    with (
        serve("baseline_app:create_app", env) as bare,
        serve("deliberate.app:create_app", env) as base,
    ):
        baseline, full, revalidated = await side_by_side(
            [
                Target("B0 bare page rendering a template", f"{bare}/b0"),
                Target("S5 published specification, 200", base + spec_address(world)),
                Target(
                    "S5 published specification, 304 (ETag)",
                    base + spec_address(world),
                    conditional=True,
                ),
            ],
            seconds=args.seconds,
            concurrency=args.concurrency,
        )
    assert set(full.statuses) == {200}, full.statuses
    assert set(revalidated.statuses) == {304}, revalidated.statuses
    return baseline, full, revalidated


@dataclass
class Soak:
    start: float
    warm: float
    rounds: list[float]
    requests: int
    errors: int

    @property
    def peak(self) -> float:
        return max([self.start, self.warm, *self.rounds])

    @property
    def drift(self) -> float:
        return (self.rounds[-1] - self.warm) / self.warm if self.warm else 0.0

    @property
    def passed(self) -> bool:
        return self.peak <= S6_LIMIT_MB and self.drift < S6_DRIFT


async def s6(url: str, world: World, args) -> Soak:
    paths = [
        f"/cycles/{world.proposals_cycle}/proposals?page=1",
        f"/cycles/{world.proposals_cycle}/proposals?page=250",
        f"/threads/{world.thread}",
        spec_address(world),
    ]
    with serve_process("deliberate.app:create_app", app_env(url)) as (base, process):
        start = rss_mib(process.pid)
        mix = [base + p for p in paths]
        warm = await load("warm-up", mix[0], seconds=args.warmup, paths=mix, warmup=0)
        warm_rss = rss_mib(process.pid)
        rounds = []
        requests, errors = warm.requests, warm.errors
        for number in range(1, args.soak_rounds + 1):
            soaked = await load(
                f"soak {number}", mix[0], seconds=args.soak_seconds, paths=mix, warmup=0
            )
            requests += soaked.requests
            errors += soaked.errors
            rounds.append(rss_mib(process.pid))
            print(f"  soak round {number}: {soaked.rps:.1f} req/s, RSS {rounds[-1]:.1f} MB")
    return Soak(start, warm_rss, rounds, requests, errors)


def print_s5(baseline: Result, full: Result, revalidated: Result) -> None:
    report([full, revalidated], baseline)
    for result, target in ((full, S5_TARGET_200), (revalidated, S5_TARGET_304)):
        ratio = result.rps / baseline.rps
        verdict = "pass" if ratio >= target else "FAIL"
        print(f"{result.name}: {ratio:.2f} x B0 (target >= {target}) {verdict}")


def print_s6(soak: Soak) -> None:
    rounds = ", ".join(f"{r:.1f}" for r in soak.rounds)
    print(
        f"S6 worker RSS MB: start {soak.start:.1f}, after warm-up {soak.warm:.1f}, after each "
        f"soak round {rounds}; {soak.requests} requests, {soak.errors} errors; peak "
        f"{soak.peak:.1f} MB (<= {S6_LIMIT_MB:.0f}), drift {soak.drift:+.1%} (< 20%): "
        + ("pass" if soak.passed else "FAIL")
    )


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--warmup", type=float, default=10.0, help="S6 warm-up seconds")
    parser.add_argument("--soak-rounds", type=int, default=3)
    parser.add_argument("--soak-seconds", type=float, default=60.0)


async def spec_only(url: str) -> World:
    """A world holding only the published specification (the city's other ids are unused)."""
    unused = uuid.uuid4()
    world = World(unused, [], unused, unused, unused, unused, unused)
    await published_specification(url, world)
    await read_spec_version(url, world)
    return world


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_arguments(parser)
    parser.add_argument("--database", help="an already generated database (kept)")
    parser.add_argument("--s5-only", action="store_true", help="only the specification, only S5")
    args = parser.parse_args()
    url, name = (args.database, None) if args.database else await scratch_database("bench_s5")
    try:
        world = await (spec_only(url) if args.s5_only else generate(url))
        for round_number in range(1, args.rounds + 1):
            print(f"\nS5 round {round_number}: {args.concurrency} clients, {args.seconds}s each")
            print_s5(*await s5(url, world, args))
        if args.s5_only:
            return
        print(f"\nS6: {args.soak_rounds} x {args.soak_seconds}s soak, one worker")
        print_s6(await s6(url, world, args))
    finally:
        if name:
            await drop_database(name)


if __name__ == "__main__":
    asyncio.run(main())
