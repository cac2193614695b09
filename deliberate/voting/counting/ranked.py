"""Ranked methods: instant-runoff (IRV) and Schulze.

Ballots are rankings in tiers (a tier holds options ranked equal); options a ballot does
not mention are ranked below every option it does mention, and equal to each other.
Identical ballots are merged (weights added) before counting, which is exact because a
ballot of weight 2 counts like two identical ballots.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from fractions import Fraction
from itertools import chain
from typing import Any

import numpy as np

from .model import (
    CountingError,
    Election,
    Number,
    OptionId,
    Result,
    Tie,
    natural_key,
    order_with_ties,
    simplify,
    weighted_totals,
)
from .scoring import validate_ranking

Tiers = tuple[tuple[OptionId, ...], ...]


def _merge(election: Election, method: str, params: Mapping[str, Any]) -> dict[Tiers, Number]:
    election.check()
    merged: dict[Tiers, Number] = {}
    for b in election.ballots:
        problems = validate_ranking(b, params)
        if problems:
            raise CountingError(f"{method}: " + "; ".join(problems))
        key = b.ranking or ()
        merged[key] = merged.get(key, 0) + b.weight
    return merged


def _first_preference_breakdown(election: Election) -> dict[str, dict[OptionId, Number]]:
    """Per group, the first preferences (a first tier's options share the weight equally):
    added up unweighted per (weight, group) and each sum multiplied by its weight once."""
    buckets: dict[tuple[int, str | None], tuple[Number, str | None, dict[OptionId, Number]]] = {}
    for b in election.ballots:
        if b.group is None:
            continue
        key = (id(b.weight), b.group)
        bucket = buckets.get(key)
        if bucket is None:
            bucket = buckets[key] = (b.weight, b.group, {})
        if b.ranking:
            top = b.ranking[0]
            row = bucket[2]
            part = 1 if len(top) == 1 else Fraction(1, len(top))
            for o in top:
                row[o] = row.get(o, 0) + part
    return weighted_totals(election.options, buckets.values())[1]


# --- instant-runoff -------------------------------------------------------------------------


def irv(election: Election, *, max_rank: int | None = None) -> Result:
    """Instant-runoff voting, one elimination per round.

    * A ballot counts for the highest-ranked continuing option; if that tier holds several
      continuing options the ballot's weight is split equally between them (exact fractions).
      A ballot with no continuing option left is exhausted and leaves the count.
    * An option wins as soon as it holds more than half of the continuing (non-exhausted)
      weight, or when it is the only one left.
    * Otherwise the option with the fewest votes is eliminated. Ties for last place are
      broken backwards: the tied option with fewer votes in the most recent earlier round
      where they differ goes; if they were level in every round, the one last in option-id
      order goes.
    * Two finalists with exactly equal votes: both are reported in ``winners`` and the same
      backwards rule (then id order, first id favoured) picks the one ``selected``.
    """
    election.ballots_needed("irv")
    params: dict[str, Any] = {"max_rank": max_rank}
    piles: _Piles | _StrictPiles | None = _StrictPiles.build(election, max_rank)
    if piles is None:  # tied tiers, or something for the general path to report
        election = election.with_ballots()
        piles = _Piles(_merge(election, "irv", params), election.options)
        breakdown = _first_preference_breakdown(election)
    else:
        breakdown = piles.first_preferences_by_group()
    tally = piles.tally
    scale = piles.scale
    continuing: set[OptionId] = set(election.options)

    history: list[dict[OptionId, Number]] = []
    rounds: list[dict[str, Any]] = []
    ties: list[Tie] = []
    eliminated: list[OptionId] = []
    last_score: dict[OptionId, Number] = {}
    winners: list[OptionId] = []
    selected: OptionId | None = None

    def backwards_key(o: OptionId) -> tuple[Any, ...]:
        # Higher in the most recent earlier round first; natural id order last.
        return (*(h[o] for h in reversed(history)),)

    def unscaled(value: int) -> Number:
        return simplify(Fraction(value, scale))

    while continuing:
        snapshot = {o: tally[o] for o in continuing}
        history.append(snapshot)
        last_score.update(snapshot)
        active = sum(snapshot.values())
        rnd: dict[str, Any] = {
            "round": len(history),
            "tallies": {
                o: unscaled(v)
                for o, v in sorted(snapshot.items(), key=lambda kv: natural_key(kv[0]))
            },
            "continuing_total": unscaled(active),
            "exhausted": unscaled(piles.exhausted),
        }
        rounds.append(rnd)
        best = max(snapshot.values())
        leaders = [o for o in continuing if snapshot[o] == best]
        if len(continuing) == 1 or (len(leaders) == 1 and 2 * best > active):
            winners = leaders
            selected = leaders[0]
            rnd["elected"] = selected
            break
        if len(continuing) == 2 and len(leaders) == 2:
            winners = sorted(leaders, key=natural_key)
            order = _break(leaders, backwards_key, favour_high=True)
            selected = order[0]
            ties.append(
                Tie(f"round {len(history)} final", winners, order, _IRV_RULE, value=unscaled(best))
            )
            rnd["elected"] = selected
            break
        low = min(snapshot.values())
        lowest = [o for o in continuing if snapshot[o] == low]
        if len(lowest) > 1:
            order = _break(lowest, backwards_key, favour_high=True)
            loser = order[-1]
            ties.append(
                Tie(
                    f"round {len(history)} elimination",
                    sorted(lowest, key=natural_key),
                    order,
                    _IRV_RULE + " (last in order is eliminated)",
                    value=unscaled(low),
                )
            )
        else:
            loser = lowest[0]
        rnd["eliminated"] = loser
        eliminated.append(loser)
        continuing.discard(loser)
        piles.eliminate(loser, continuing)

    ranking: list[OptionId] = []
    if selected is not None:
        ranking.append(selected)
        ranking.extend(o for o in winners if o != selected)
        rest = [o for o in continuing if o not in ranking]
        ranking.extend(sorted(rest, key=lambda o: (-last_score[o], natural_key(o))))
    ranking.extend(reversed(eliminated))
    return Result(
        method="irv",
        params=params,
        selected=[selected] if selected is not None else [],
        ranking=ranking,
        scores={o: unscaled(last_score.get(o, 0)) for o in election.options},
        ties=ties,
        winners=winners,
        group_breakdown=breakdown,
        rounds=rounds,
        notes=["score = votes held in the last round the option took part in"],
    )


class _Piles:
    """IRV's piles for any rankings (tied tiers share a ballot equally), counted in whole
    numbers: every weight times one common multiple of the weights' denominators and of the
    tier sizes, so the sums are exact without Fraction arithmetic per transfer. Figures are
    divided back (by ``scale``) for the result."""

    def __init__(self, merged: dict[Tiers, Number], options: list[OptionId]):
        keys = self.keys = list(merged)
        self.scale = math.lcm(
            *(Fraction(w).denominator for w in merged.values()),
            *range(1, max((len(t) for k in keys for t in k), default=1) + 1),
        )
        self.weights = [int(merged[k] * self.scale) for k in keys]
        n = len(keys)
        self.tally: dict[OptionId, int] = dict.fromkeys(options, 0)
        self.piles: dict[OptionId, list[int]] = {o: [] for o in options}
        self.pos = [0] * n
        self.members: list[tuple[OptionId, ...]] = [()] * n
        self.share = [0] * n
        self.exhausted = 0
        everyone = set(options)
        for i in range(n):
            self._allocate(i, 0, everyone)

    def _allocate(self, i: int, start: int, continuing: set[OptionId]) -> None:
        tiers = self.keys[i]
        for t in range(start, len(tiers)):
            live = tuple(o for o in tiers[t] if o in continuing)
            if live:
                s = self.weights[i] // len(live)  # exact: the scale is a multiple of the size
                self.pos[i], self.members[i], self.share[i] = t, live, s
                for o in live:
                    self.tally[o] += s
                    self.piles[o].append(i)
                return
        self.pos[i], self.members[i], self.share[i] = len(tiers), (), 0
        self.exhausted += self.weights[i]

    def eliminate(self, loser: OptionId, continuing: set[OptionId]) -> None:
        """Move the loser's ballots on to their next continuing preferences."""
        for i in self.piles.pop(loser):
            if loser not in self.members[i]:
                continue  # stale entry: the ballot already moved on
            for o in self.members[i]:
                self.tally[o] -= self.share[i]
            self._allocate(i, self.pos[i], continuing)
        self.tally[loser] = 0


class _StrictPiles:
    """IRV's piles for strict rankings (one option per tier, as the app's ballots are), every
    ballot at once on arrays: a city's vote is 100,000 ballots moved over some hundred rounds.
    Whole-number weights as in ``_Piles``; anything unusual (a tie in a ranking, an unknown or
    repeated option, a ranking too long, weights too large for 64 bits) is left to the general
    path, which counts it or says what is wrong."""

    @classmethod
    def build(cls, election: Election, max_rank: int | None) -> _StrictPiles | None:
        index = {o: i for i, o in enumerate(election.options)}
        if len(index) != len(election.options):
            return None
        rankings: list[list[OptionId]] | list[tuple[OptionId, ...]]
        if election.rankings is not None:
            if election.ballots:
                return None
            given = election.rankings
            rankings, weight_of, groups = given.rankings, given.weights, given.groups
        else:
            rankings, weight_of, groups = [], [], []
            try:
                for b in election.ballots:
                    if b.ranking is None and (b.approvals is not None or b.points is not None):
                        return None
                    rankings.append(tuple([o for (o,) in b.ranking or ()]))
                    weight_of.append(b.weight)
                    groups.append(b.group)
            except ValueError:  # a tier of several options
                return None
        weights = dict(zip(map(id, weight_of), weight_of, strict=True))
        if any(w < 0 for w in weights.values()):
            return None
        scale = math.lcm(*(Fraction(w).denominator for w in weights.values()))
        scaled = {i: int(w * scale) for i, w in weights.items()}
        # Flattened with map() and chain(), which loop in C: 100,000 rankings in a few ms.
        try:
            flat = list(map(index.__getitem__, chain.from_iterable(rankings)))
        except (KeyError, TypeError):  # an unknown option (or not an option id at all)
            return None
        lengths = list(map(len, rankings))
        # Each ballot's group, for the first preferences' breakdown by group.
        names = {group: k for k, group in enumerate(dict.fromkeys(groups))}
        group_of = list(map(names.__getitem__, groups))
        if max_rank is not None and lengths and max(lengths) > max_rank:
            return None
        whole = list(map(scaled.__getitem__, map(id, weight_of)))
        if sum(whole) >= 2**62:
            return None
        options = np.array(flat, dtype=np.intp)
        sizes = np.array(lengths, dtype=np.intp)
        pairs = np.repeat(np.arange(len(sizes)), sizes) * len(index) + options
        pairs.sort()
        if (pairs[1:] == pairs[:-1]).any():
            return None  # an option ranked twice on one ballot
        piles = cls(list(election.options), options, sizes, np.array(whole, dtype=np.int64), scale)
        piles.groups = list(names)
        piles.group_of = np.array(group_of, dtype=np.intp)
        return piles

    def __init__(self, options: list[OptionId], flat: Any, lengths: Any, weights: Any, scale: int):
        self.options = options
        self.index = {o: i for i, o in enumerate(options)}
        self.scale = scale
        n = len(lengths)
        self.starts = np.zeros(n, dtype=np.intp)
        np.cumsum(lengths[:-1], out=self.starts[1:])
        self.lengths = lengths
        self.flat = flat
        self.weights = weights
        self.groups: list[str | None] = [None]  # the groups ...
        self.group_of = np.zeros(n, dtype=np.intp)  # ... and each ballot's, set by build()
        self.pos = np.zeros(n, dtype=np.intp)  # each ballot's place in its ranking
        # Each ballot's current option (-1: exhausted).
        self.current = np.full(n, -1, dtype=np.intp)
        ranked = lengths > 0
        self.current[ranked] = flat[self.starts[ranked]]
        live = self.current >= 0
        counts = np.zeros(len(options), dtype=np.int64)
        np.add.at(counts, self.current[live], weights[live])
        self.tally: dict[OptionId, int] = dict(zip(options, counts.tolist(), strict=True))
        self.exhausted = int(weights[~live].sum())

    def first_preferences_by_group(self) -> dict[str, dict[OptionId, Number]]:
        """What ``_first_preference_breakdown`` gives, from the arrays: each group's whole
        weights added per first preference, divided by the scale once."""
        m = len(self.options)
        ranked = self.current >= 0  # before any elimination: each ballot's first preference
        cell = self.group_of[ranked] * m + self.current[ranked]
        weights = np.zeros(len(self.groups) * m, dtype=np.int64)
        np.add.at(weights, cell, self.weights[ranked])
        ballots = np.bincount(cell, minlength=len(self.groups) * m)
        out: dict[str, dict[OptionId, Number]] = {}
        for k, group in enumerate(self.groups):
            if group is not None:
                part = slice(k * m, (k + 1) * m)
                out[group] = {
                    o: simplify(Fraction(w, self.scale))
                    for o, w, n in zip(
                        self.options, weights[part].tolist(), ballots[part].tolist(), strict=True
                    )
                    if n
                }
        return out

    def eliminate(self, loser: OptionId, continuing: set[OptionId]) -> None:
        alive = np.zeros(len(self.options), dtype=bool)
        alive[[self.index[o] for o in continuing]] = True
        moved = np.flatnonzero(self.current == self.index[loser])
        pos = self.pos[moved] + 1
        starts, lengths = self.starts[moved], self.lengths[moved]
        while True:
            inside = pos < lengths
            choice = np.where(inside, self.flat[np.where(inside, starts + pos, 0)], -1)
            passed = inside & ~alive[np.maximum(choice, 0)]
            if not passed.any():
                break
            pos += passed
        self.pos[moved] = pos
        self.current[moved] = choice
        weights = self.weights[moved]
        live = choice >= 0
        counts = np.zeros(len(self.options), dtype=np.int64)
        np.add.at(counts, choice[live], weights[live])
        for o in continuing:
            self.tally[o] += int(counts[self.index[o]])
        self.tally[loser] = 0
        self.exhausted += int(weights[~live].sum())


_IRV_RULE = "more votes in the latest earlier round where they differed, then option id order"


def _break(options: Sequence[OptionId], key: Any, *, favour_high: bool) -> list[OptionId]:
    """Order tied options, favoured first: by ``key`` (higher first), then natural id order."""
    ordered = sorted(options, key=natural_key)
    ordered.sort(key=key, reverse=favour_high)
    return ordered


# --- Schulze --------------------------------------------------------------------------------


def pairwise(election: Election, merged: Mapping[Tiers, Number]) -> list[list[Number]]:
    """d[a][b] = weight of ballots ranking a strictly above b (unranked = below all ranked)."""
    idx = {o: i for i, o in enumerate(election.options)}
    m = len(idx)
    above: list[list[Number]] = [[0] * m for _ in range(m)]
    both: list[list[Number]] = [[0] * m for _ in range(m)]
    ranked_weight: list[Number] = [0] * m
    for tiers, w in merged.items():
        flat = [idx[o] for t in tiers for o in t]
        for a in flat:
            ranked_weight[a] += w
            row = both[a]
            for b in flat:
                row[b] += w
        later = list(flat)
        for tier in tiers:
            tier_idx = [idx[o] for o in tier]
            later = later[len(tier_idx) :]
            for a in tier_idx:
                row = above[a]
                for b in later:
                    row[b] += w
    # Ranked a beats every option the same ballot left unranked.
    return [
        [simplify(above[a][b] + ranked_weight[a] - both[a][b]) if a != b else 0 for b in range(m)]
        for a in range(m)
    ]


def schulze(
    election: Election, *, strength: str = "winning_votes", max_rank: int | None = None
) -> Result:
    """Schulze method (beatpath).

    The strength of the direct link a->b is, by default, *winning votes*: the weight of
    ballots ranking a above b, counted only when that beats the reverse (else no link).
    ``strength="margins"`` uses d[a][b] - d[b][a] instead. With complete strict ballots
    both give the same winners. Winners are all options not beaten by strongest paths;
    the ranking orders options by how many others they beat that way, ties in that count
    broken by option-id order (reported).
    """
    if strength not in ("winning_votes", "margins"):
        raise CountingError("strength must be 'winning_votes' or 'margins'")
    election.ballots_needed("schulze")
    params: dict[str, Any] = {"strength": strength, "max_rank": max_rank}
    merged = _merge(election, "schulze", params)
    opts = election.options
    m = len(opts)
    d = pairwise(election, merged)
    p: list[list[Any]] = [[0] * m for _ in range(m)]
    for a in range(m):
        for b in range(m):
            if a != b and d[a][b] > d[b][a]:
                p[a][b] = d[a][b] if strength == "winning_votes" else d[a][b] - d[b][a]
    # Widest paths (Floyd-Warshall); row-wise comprehension keeps this fast in Python.
    for k in range(m):
        row_k = p[k]
        for a in range(m):
            pak = p[a][k]
            if a == k or not pak:
                continue
            row_a = p[a]
            p[a] = [
                x if x >= pak or x >= y else (pak if pak < y else y)
                for x, y in zip(row_a, row_k, strict=True)
            ]
            p[a][a] = 0
    beats = {opts[a]: sum(1 for b in range(m) if a != b and p[a][b] > p[b][a]) for a in range(m)}
    winners = sorted(
        (opts[a] for a in range(m) if all(p[a][b] >= p[b][a] for b in range(m) if b != a)),
        key=natural_key,
    )
    ranking, ties = order_with_ties(opts, beats, stage="ranking positions")
    for t in ties:
        if set(t.options) & set(winners):
            t.stage = "winner " + t.stage  # this tie decided who is selected first
    selected = [ranking[0]] if ranking else []
    pair = {opts[a]: {opts[b]: d[a][b] for b in range(m) if b != a} for a in range(m)}
    paths = {opts[a]: {opts[b]: simplify(p[a][b]) for b in range(m) if b != a} for a in range(m)}
    return Result(
        method="schulze",
        params=params,
        selected=selected,
        ranking=ranking,
        scores=beats,
        ties=ties,
        winners=winners,
        group_breakdown=_first_preference_breakdown(election),
        rounds=[{"pairwise": pair, "strongest_paths": paths}],
        notes=["score = number of options beaten by strongest paths"],
    )
