"""Benchmark the counting engine: 100,000 weighted ballots over 200 options per method,
plus MES on the real Wieliczka 2023 election when ../shared/data is present.

Prints wall time, peak traced memory (tracemalloc, measured in a separate run because
tracing slows Python down) and the ratio to a baseline measured in the same run: a plain
Python loop adding up the same ballots' weights per option. Ratios travel between machines
better than seconds do.

Usage: .venv/bin/python bench/tally.py [--ballots N] [--options M] [--seed S]
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from deliberate.voting.counting import Ballot, Election, tally
from deliberate.voting.formats import read_pb


def make_ballots(kind: str, n: int, options: list[str], rng: random.Random) -> list[Ballot]:
    out: list[Ballot] = []
    # Popularity skew so results are not all ties: option i is drawn with weight 1/(i+1).
    pop = [1 / (i + 1) for i in range(len(options))]
    for i in range(n):
        k = rng.randint(1, 10)
        chosen = list(dict.fromkeys(rng.choices(options, weights=pop, k=k)))
        w = rng.randint(1, 3)
        if kind == "approval":
            out.append(Ballot(f"v{i}", approvals=frozenset(chosen), weight=w))
        elif kind == "score":
            out.append(Ballot(f"v{i}", points={o: rng.randint(0, 5) for o in chosen}, weight=w))
        elif kind == "cumulative":
            pts: dict[str, int] = {}
            for _ in range(10):
                o = rng.choice(chosen)
                pts[o] = pts.get(o, 0) + 1
            out.append(Ballot(f"v{i}", points=pts, weight=w))
        elif kind == "quadratic":
            votes = {o: rng.choice((-2, -1, 1, 2)) for o in chosen[:4]}
            out.append(Ballot(f"v{i}", points=votes, weight=w))
        else:
            out.append(Ballot(f"v{i}", ranking=tuple((o,) for o in chosen), weight=w))
    return out


def baseline(ballots: list[Ballot]) -> None:
    totals: dict[str, int] = {}
    for b in ballots:
        for o in b.mentioned():
            totals[o] = totals.get(o, 0) + b.weight


def timed(fn: Callable[[], Any]) -> float:
    gc.collect()
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def peak_mib(fn: Callable[[], Any]) -> float:
    gc.collect()
    tracemalloc.start()
    fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2**20


CASES: list[tuple[str, str, dict[str, Any]]] = [
    ("approval", "approval", {}),
    ("score", "score", {"max_score": 5}),
    ("cumulative", "cumulative", {"max_total": 10}),
    ("quadratic", "quadratic", {"credits": 16, "allow_negative": True}),
    ("borda", "ranking", {}),
    ("irv", "ranking", {}),
    ("schulze", "ranking", {}),
    ("greedy", "approval", {}),
    ("mes", "approval", {"completion": "none"}),
    ("mes", "approval", {"completion": "add1", "increment": 2}),
]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ballots", type=int, default=100_000)
    ap.add_argument("--options", type=int, default=200)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    options = [f"o{i}" for i in range(args.options)]
    costs = {o: rng.randint(10, 200) * 1000 for o in options}
    budget = sum(costs.values()) // 5
    ballots = {
        k: make_ballots(k, args.ballots, options, rng)
        for k in ("approval", "score", "cumulative", "quadratic", "ranking")
    }
    print(
        f"{args.ballots} weighted ballots, {args.options} options, Python {sys.version.split()[0]}"
    )
    print(f"{'method':<28} {'time s':>8} {'peak MiB':>9} {'x baseline':>11}")
    for name, kind, params in CASES:
        e = Election(options, ballots[kind], costs=costs, budget=budget)
        base = timed(lambda e=e: baseline(e.ballots))
        t = timed(lambda e=e, name=name, params=params: tally(name, e, **params))
        mem = peak_mib(lambda e=e, name=name, params=params: tally(name, e, **params))
        label = name + (f" ({params['completion']})" if "completion" in params else "")
        print(f"{label:<28} {t:>8.2f} {mem:>9.1f} {t / base:>11.1f}")
    shared = Path(
        os.environ.get("DELIBERATE_SHARED_DATA")
        or Path(__file__).resolve().parents[1].parent / "shared" / "data"
    )
    wieliczka = shared / "pabulib" / "Poland_Wieliczka_2023_Green_Budget.pb"
    if wieliczka.is_file():
        pb = read_pb(wieliczka)
        base = timed(lambda: baseline(pb.election.ballots))
        t = timed(lambda: tally(pb.rule or "mes", pb.election))
        mem = peak_mib(lambda: tally(pb.rule or "mes", pb.election))
        r = tally(pb.rule or "mes", pb.election)
        ok = sorted(r.selected) == sorted(pb.official_selection() or [])
        print(
            f"{'mes Wieliczka 2023 (add1)':<28} {t:>8.2f} {mem:>9.1f} {t / base:>11.1f}"
            f"   official outcome reproduced: {ok}, {r.params['iterations']} MES runs"
        )
    else:
        print(f"Wieliczka 2023 skipped: {wieliczka} not found")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
