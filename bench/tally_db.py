"""S4: the tally of 100,000 weighted ballots as the app runs it when a vote closes
(`deliberate.voting.service.store_tally`), per method, on the city-scale data of generate.py.
Target: under a second.

An additive method (approval, score, Borda, greedy...) is counted from per-group sums that
PostgreSQL adds up; IRV and MES from each group's distinct ballots once, with their number.
Every method's open-data export is written after the close, in the background (the export
writer) or by its first download, whichever comes first.

Printed per method: the whole of store_tally (wall time, and the app process's CPU time in it),
then the export's writing (`tally_export`: the shuffled ballots built and stored), which the
export writer does in the background after the close. Each
run is rolled back, so the methods share the same ballots.

Usage: cd bench && ../.venv/bin/python tally_db.py [--rounds 3] [--database URL]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time

from common import drop_database, scratch_database
from generate import BALLOTS, generate
from sqlalchemy import update

from deliberate import db as dbmod
from deliberate import parts
from deliberate.cycles.models import Cycle
from deliberate.voting import service as voting
from deliberate.voting.models import BallotDefinition

# (label, ballot kind in generate.py, method)
CASES = [
    ("approval", "approval", "approval"),
    ("score", "points", "score"),
    ("borda", "ranking", "borda"),
    ("irv", "ranking", "irv"),
    ("greedy", "approval", "greedy"),
    ("mes", "approval", "mes"),
]
TARGET_S = 1.0
FIELDS = ("total", "cpu", "export")


async def measure(sessionmaker, cycle_id, method: str) -> dict[str, float]:
    async with sessionmaker() as db:
        await db.execute(
            update(BallotDefinition)
            .where(BallotDefinition.cycle_id == cycle_id)
            .values(method=method)
        )
        cycle = await db.get(Cycle, cycle_id)
        assert cycle is not None
        started, cpu = time.perf_counter(), time.process_time()
        tally = await voting.store_tally(db, cycle)
        total, cpu = time.perf_counter() - started, time.process_time() - cpu
        assert tally.ballots_counted == BALLOTS
        started = time.perf_counter()
        export = await voting.tally_export(db, cycle)
        first_export = time.perf_counter() - started
        assert len(export["ballots"]) == BALLOTS
        await db.rollback()
    return {"total": total, "cpu": cpu, "export": first_export}


async def run(url: str, rounds: int) -> list[tuple[str, dict[str, float]]]:
    world = await generate(url, kinds=("approval", "points", "ranking"))
    parts.load()
    engine = dbmod.make_engine(url)
    sessionmaker = dbmod.make_sessionmaker(engine)
    results = []
    try:
        for label, kind, method in CASES:
            try:
                runs = [
                    await measure(sessionmaker, world.votes[kind], method) for _ in range(rounds)
                ]
            except Exception as error:  # report it and go on with the other methods
                print(f"{label}: FAILED: {type(error).__name__}: {str(error)[:200]}", flush=True)
                results.append((label, dict.fromkeys(FIELDS, float("nan"))))
                continue
            best = {key: statistics.median(r[key] for r in runs) for key in runs[0]}
            print(f"{label}: {best['total']:.2f} s", flush=True)
            results.append((label, best))
    finally:
        await engine.dispose()
    return results


def print_results(results: list[tuple[str, dict[str, float]]]) -> None:
    print(f"S4 tally of {BALLOTS:,} weighted ballots, store_tally as at the close (median)")
    print(f"{'method':10} {'total s':>8} {'app CPU s':>9} {'export s':>9}  target")
    for label, r in results:
        verdict = "pass" if r["total"] < TARGET_S else "FAIL"
        print(
            f"{label:10} {r['total']:8.2f} {r['cpu']:9.2f} {r['export']:9.2f}  "
            f"< {TARGET_S:.0f} s {verdict}"
        )
    print(
        "(total: wall time of store_tally; app CPU: the Python process's CPU time in it, which "
        "a busy machine does not inflate; export: writing the open-data export, which the "
        "export writer does in the background after the close, or a download that comes "
        "first)"
    )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--database", help="an already generated database (kept)")
    args = parser.parse_args()
    if args.database:
        print_results(await run(args.database, args.rounds))
        return
    url, name = await scratch_database("bench_s4")
    try:
        print_results(await run(url, args.rounds))
    finally:
        await drop_database(name)


if __name__ == "__main__":
    asyncio.run(main())
