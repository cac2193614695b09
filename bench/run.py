"""`make bench`: every scenario in one go, on one city-scale database (generate.py), each beside
its baseline measured in the same round (in slices taken in turn), one app worker, load on 127.0.0.1; then S1 and S3 again
with two app processes on the same database; then a summary with pass/fail against issue #10's
targets. Ratios (x B) are medians over the rounds.

Usage: cd bench && ../.venv/bin/python run.py [--rounds 3] [--seconds 5] [--soak-seconds 60]
       (--quick: 1 round, 2 s loads, a 2 x 10 s soak, S3 for 5 s: a smoke run of a minute or so)
"""

from __future__ import annotations

import argparse
import asyncio
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

import proposals_list
import public_pages
import tally_db
import thread
from common import drop_database, scratch_database
from generate import generate, print_rates

HERE = Path(__file__).resolve().parent
Row = tuple[str, str, str, bool | None]  # scenario, measured, target, passed (None: no target)


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def by_name(results, prefix: str):
    return next(r for r in results if r.name.startswith(prefix))


async def run_s1(url: str, args, rows: list[Row]) -> float:
    prepared = await proposals_list.prepare(url)
    ratios: dict[str, list[float]] = {}
    queries: set[int] = set()
    one_worker: list[float] = []
    for number in range(1, args.rounds + 1):
        print(
            f"\nS1 round {number}/{args.rounds}: {args.concurrency} clients, {args.seconds}s each"
        )
        baseline, results = await proposals_list.scenario(url, prepared, args)
        proposals_list.print_round(baseline, results)
        for r in results:
            ratios.setdefault(r.name, []).append(r.rps / baseline.rps)
            queries |= r.queries
        one_worker.append(by_name(results, "S1 10,000 proposals, page 1, anonymous").rps)
    worst = min(ratios, key=lambda name: median(ratios[name]))
    for name in (
        "S1 10,000 proposals, page 1, anonymous",
        "S1 10,000 proposals, page 250, signed in",
    ):
        value = median(ratios[name])
        rows.append((name, f"{value:.2f} x B1", ">= 0.25 x B1 (aim 0.35)", value >= 0.25))
    rows.append(
        (f"S1 worst page ({worst[3:]})", f"{median(ratios[worst]):.2f} x B1", ">= 0.25 x B1",
         median(ratios[worst]) >= 0.25)
    )  # fmt: skip
    rows.append(("S1 queries per page", ",".join(map(str, sorted(queries))), "<= 4, every page",
                 max(queries) <= 4 and len(queries) <= 2))  # fmt: skip
    return median(one_worker)


async def run_s1_two_workers(url: str, args, one_worker_rps: float, rows: list[Row]) -> None:
    prepared = await proposals_list.prepare(url)
    print("\nS1 with two app processes on one database (page 1, anonymous)")
    _, results = await proposals_list.scenario(url, prepared, args, workers=2)
    two = by_name(results, "S1 10,000 proposals, page 1, anonymous").rps
    ratio = two / one_worker_rps
    print(f"S1 page 1 anonymous: 1 process {one_worker_rps:.1f} req/s, 2 processes {two:.1f} "
          f"req/s: x{ratio:.2f}")  # fmt: skip
    rows.append(("S1 2 processes / 1 process", f"x{ratio:.2f}", "adds up (see ceiling)", None))


async def run_s2(url: str, args, rows: list[Row]) -> None:
    prepared = await thread.prepare(url)
    ratios: list[float] = []
    for number in range(1, args.rounds + 1):
        print(f"\nS2 round {number}/{args.rounds}")
        baseline, results = await thread.scenario(url, prepared, args)
        thread.print_round(baseline, results)
        ratios.append(by_name(results, "S2 thread of 2,000").rps / baseline.rps)
    rows.append(("S2 2,000-post thread", f"{median(ratios):.2f} x B3", ">= 0.5 x B3",
                 median(ratios) >= 0.5))  # fmt: skip


async def run_s5(url: str, world, args, rows: list[Row]) -> None:
    full_ratios: list[float] = []
    revalidated_ratios: list[float] = []
    for number in range(1, args.rounds + 1):
        print(f"\nS5 round {number}/{args.rounds}")
        baseline, full, revalidated = await public_pages.s5(url, world, args)
        public_pages.print_s5(baseline, full, revalidated)
        full_ratios.append(full.rps / baseline.rps)
        revalidated_ratios.append(revalidated.rps / baseline.rps)
    for name, values, target in (
        ("S5 published specification, 200", full_ratios, public_pages.S5_TARGET_200),
        ("S5 published specification, 304", revalidated_ratios, public_pages.S5_TARGET_304),
    ):
        rows.append((name, f"{median(values):.2f} x B0", f">= {target} x B0",
                     median(values) >= target))  # fmt: skip


async def run_s4(url: str, args, rows: list[Row]) -> None:
    # The median of the rounds per method: IRV is close to the target, and one run on a noisy
    # machine says little.
    print(f"\nS4 ({args.rounds} runs per method)")
    results = await tally_db.run(url, args.rounds)
    tally_db.print_results(results)
    for label, r in results:
        rows.append(
            (f"S4 tally 100,000 ballots, {label}",
             f"{r['total']:.2f} s (CPU {r['cpu']:.2f})", "< 1 s", r["total"] < 1.0)
        )  # fmt: skip


async def run_s6(url: str, world, args, rows: list[Row]) -> None:
    print(f"\nS6: {args.soak_rounds} x {args.soak_seconds}s soak of S1/S2/S5, one worker")
    soak = await public_pages.s6(url, world, args)
    public_pages.print_s6(soak)
    rows.append(("S6 worker RSS after soak", f"{soak.peak:.0f} MB", "<= 150 MB",
                 soak.peak <= public_pages.S6_LIMIT_MB))  # fmt: skip
    rows.append(("S6 drift warm-up -> end", f"{soak.drift:+.1%}", "< 20%",
                 soak.drift < public_pages.S6_DRIFT))  # fmt: skip


S3_LINE = re.compile(r"^S3 .*?(\d+\.\d+)\s+\S+\s+\S+\s+(\d+)\s+(\d+\.\d+)\s*$")


def run_s3(args, workers: int) -> tuple[float, float, int, bool] | None:
    """bench/ballots.py (its own database): (casts/s, x B2, errors, every cast counted)."""
    command = [sys.executable, "ballots.py", "--seconds", str(args.s3_seconds)]
    command += ["--workers", str(workers)]
    print(f"\nS3 with {workers} app process(es): {' '.join(command[1:])}", flush=True)
    done = subprocess.run(command, cwd=HERE, capture_output=True, text=True, check=False)
    print(done.stdout.rstrip())
    if done.returncode != 0:
        print(done.stderr[-2000:])
        return None
    for line in done.stdout.splitlines():
        match = S3_LINE.match(line)
        if match:
            counted = "PROBLEMS" not in done.stdout
            return float(match.group(1)), float(match.group(3)), int(match.group(2)), counted
    return None


def s3_rows(args, rows: list[Row]) -> None:
    runs = [run_s3(args, 1) for _ in range(args.rounds)]
    good = [r for r in runs if r is not None]
    if not good:
        rows.append(("S3 200 voters casting", "did not run", ">= 0.3 x B2", False))
        return
    ratio = median([r[1] for r in good])
    errors = sum(r[2] for r in good)
    counted = all(r[3] for r in good)
    rows.append(("S3 200 voters casting", f"{ratio:.2f} x B2", ">= 0.3 x B2", ratio >= 0.3))
    rows.append(("S3 errors; every ballot counted", f"{errors}; {'yes' if counted else 'NO'}",
                 "0; yes", errors == 0 and counted))  # fmt: skip
    two = run_s3(args, 2)
    if two is not None:
        one_rps = median([r[0] for r in good])
        rows.append(("S3 2 processes / 1 process", f"x{two[0] / one_rps:.2f}",
                     "adds up (see ceiling)", None))  # fmt: skip


def print_summary(rows: list[Row], started: float) -> None:
    print(f"\nSummary (medians of the rounds; {time.monotonic() - started:.0f}s in all)")
    print(f"{'scenario':52} {'measured':>22}  {'target':28} result")
    for name, measured, target, passed in rows:
        verdict = "-" if passed is None else ("pass" if passed else "FAIL")
        print(f"{name:52} {measured:>22}  {target:28} {verdict}")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    public_pages.add_arguments(parser)
    parser.set_defaults(rounds=3)
    parser.add_argument("--s3-seconds", type=float, default=10.0)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--skip", default="", help="comma-separated: s1,s2,s3,s4,s5,s6,two")
    parser.add_argument("--database", help="an already generated database (kept)")
    args = parser.parse_args()
    if args.quick:
        args.rounds, args.seconds, args.warmup = 1, 2.0, 3.0
        args.soak_rounds, args.soak_seconds, args.s3_seconds = 2, 10.0, 5.0
    skip = set(filter(None, args.skip.split(",")))
    started = time.monotonic()
    rows: list[Row] = []
    url, name = (args.database, None) if args.database else await scratch_database("bench_city")
    try:
        print("Generating the city (COPY)...", flush=True)
        begun = time.perf_counter()
        world = await generate(url, kinds=("approval", "points", "ranking"))
        print_rates(world)
        print(f"generated in {time.perf_counter() - begun:.0f}s")
        one_worker = None
        if "s1" not in skip:
            one_worker = await run_s1(url, args, rows)
        if "s2" not in skip:
            await run_s2(url, args, rows)
        if "s5" not in skip:
            await run_s5(url, world, args, rows)
        if "s4" not in skip:
            await run_s4(url, args, rows)
        if "s6" not in skip:
            await run_s6(url, world, args, rows)
        if "two" not in skip and one_worker:
            await run_s1_two_workers(url, args, one_worker, rows)
    finally:
        if name:
            await drop_database(name)
    if "s3" not in skip:
        s3_rows(args, rows)
    print_summary(rows, started)


if __name__ == "__main__":
    asyncio.run(main())
