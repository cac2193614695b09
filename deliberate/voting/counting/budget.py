"""Participatory budgeting with costs and a budget: greedy and the Method of Equal Shares.

Support of a project on one ballot (before weighting):
* approval ballot: 1 if approved;
* points ballot (cumulative, score): the points given;
* ranked ballot: positional points, by default k, k-1, ..., 1 for the first k positions
  where k is ``max_rank`` or the longest ballot (pabulib's convention for ordinal PB, e.g.
  Krakow's 3/2/1); override with ``points=[...]``.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from itertools import chain
from typing import Any

import numpy as np

from .model import (
    Ballot,
    CountingError,
    Deferred,
    Election,
    Number,
    OptionId,
    Result,
    Tie,
    VoterId,
    exact,
    natural_key,
    simplify,
    weighted_totals,
)
from .scoring import borda_points

BUDGET_TIE_RULE = "lower cost first, then option id order"


def _check_budget(
    election: Election, budget: Number | None, compact: str | None = None
) -> tuple[Number, dict[str, Number]]:
    election.check(compact)
    b = budget if budget is not None else election.budget
    if b is None:
        raise CountingError("a budget is required")
    missing = [o for o in election.options if o not in election.costs]
    if missing:
        raise CountingError(f"options without a cost: {sorted(missing, key=natural_key)}")
    if any(election.costs[o] < 0 for o in election.options):
        raise CountingError("costs must not be negative")
    return exact(b), {o: exact(election.costs[o]) for o in election.options}


def _positional(
    election: Election, points: list[Number] | None, max_rank: int | None
) -> list[Number]:
    if points is not None:
        return [exact(p) for p in points]
    k = max_rank or max((sum(len(t) for t in b.ranking or ()) for b in election.ballots), default=0)
    return list(range(k, 0, -1))


def ballot_utilities(
    election: Election, points: list[Number] | None = None, max_rank: int | None = None
) -> list[dict[OptionId, Number]]:
    """Unweighted support of each ballot for each project (see the module docstring)."""
    pos = None
    out: list[dict[OptionId, Number]] = []
    for b in election.ballots:
        if b.kind == "ranking":
            if pos is None:
                pos = _positional(election, points, max_rank)
            out.append({o: v for o, v in borda_points(b, 0, pos).items() if v})
        elif b.kind == "points":
            pts = b.points or {}
            if any(v < 0 for v in pts.values()):
                raise CountingError(f"ballot {b.voter}: negative points cannot fund projects")
            out.append({o: v for o, v in pts.items() if v})
        else:
            out.append(dict.fromkeys(b.approvals or (), 1))
    return out


def validate_budget_ballot(ballot: Ballot, params: Mapping[str, Any]) -> list[str]:
    """Approval limits and, for knapsack ballots, the approved cost within ``max_cost``."""
    out: list[str] = []
    n = len(ballot.mentioned())
    if params.get("max_approvals") is not None and n > params["max_approvals"]:
        out.append(f"{ballot.voter}: {n} projects chosen, at most {params['max_approvals']}")
    if params.get("min_approvals") is not None and n < params["min_approvals"]:
        out.append(f"{ballot.voter}: {n} projects chosen, at least {params['min_approvals']}")
    costs = params.get("costs")
    cap = params.get("max_cost")
    if cap is not None and costs is not None:
        total = sum(exact(costs[o]) for o in ballot.mentioned())
        if total > cap:
            out.append(f"{ballot.voter}: chosen projects cost {total}, more than {cap}")
    return out


def _weighted_support(
    election: Election, utils: list[dict[OptionId, Number]]
) -> tuple[dict[OptionId, Number], dict[str, dict[OptionId, Number]]]:
    """Each project's weighted support and its per-group breakdown: the unweighted utilities
    are added per (weight object, group) and each sum multiplied by its weight once, which is
    exactly the sum of ``weight * utility`` per ballot without a Fraction product per ballot."""
    buckets: dict[tuple[int, str | None], tuple[Number, str | None, dict[OptionId, Number]]] = {}
    for b, u in zip(election.ballots, utils, strict=True):
        key = (id(b.weight), b.group)
        bucket = buckets.get(key)
        if bucket is None:
            bucket = buckets[key] = (b.weight, b.group, {})
        row = bucket[2]
        for o, v in u.items():
            row[o] = row.get(o, 0) + v
    return weighted_totals(election.options, buckets.values())


def _greedy_fill(
    candidates: list[OptionId],
    support: Mapping[OptionId, Number],
    costs: Mapping[OptionId, Number],
    budget: Number,
    already: list[OptionId],
    stage: str,
) -> tuple[list[OptionId], list[Tie]]:
    """Fund in order of support (ties: lower cost, then id), skipping what no longer fits."""
    order = sorted(candidates, key=lambda o: (-support[o], costs[o], natural_key(o)))
    chosen = list(already)
    spent = sum((costs[o] for o in chosen), Fraction(0))
    added: list[OptionId] = []
    for o in order:
        if o in chosen or support[o] <= 0:
            continue
        if spent + costs[o] <= budget:
            chosen.append(o)
            added.append(o)
            spent += costs[o]
    ties: list[Tie] = []
    groups: dict[Number, list[OptionId]] = {}
    for o in order:
        if support[o] > 0 and o not in already:
            groups.setdefault(support[o], []).append(o)
    for value, group in groups.items():
        if len(group) > 1 and any(o in added for o in group):
            ties.append(Tie(stage, group, group, BUDGET_TIE_RULE, value=value))
    return added, ties


def greedy(
    election: Election,
    *,
    budget: Number | None = None,
    points: list[int] | None = None,
    max_rank: int | None = None,
) -> Result:
    """Greedy: fund projects in order of (weighted) support, skipping those that no longer fit.

    Projects nobody supports are never funded. Equal support: lower cost first, then
    option id order.
    """
    b, costs = _check_budget(election, budget)
    # Sums of approvals or points are the supports themselves (rankings' positional points
    # depend on the longest ranking, so those are counted from the ballots).
    sums = election.sums_of(("approvals", "points"), "greedy")
    if sums is not None:
        # Points left at 0 are no support (as ballot_utilities has it), so not in a breakdown.
        rows = [(w, g, {o: v for o, v in row.items() if v}) for w, g, row in sums.rows]
        support, breakdown = weighted_totals(election.options, rows)
    else:
        utils = ballot_utilities(election, points, max_rank)
        support, breakdown = _weighted_support(election, utils)
    selected, ties = _greedy_fill(election.options, support, costs, b, [], "greedy order")
    ranking = sorted(election.options, key=lambda o: (-support[o], costs[o], natural_key(o)))
    return Result(
        method="greedy",
        params={"budget": b, "points": points, "_costs": costs},
        selected=selected,
        ranking=ranking,
        scores=support,
        ties=ties,
        winners=list(selected),
        group_breakdown=breakdown,
    )


# --- Method of Equal Shares -----------------------------------------------------------------


@dataclass
class _Profile:
    """Voters merged into types (identical ballots): types keep equal budgets throughout."""

    weight: list[Any]  # per type, in the arithmetic in use
    total: list[int]  # per type: its ballots' whole weights (over one denominator) added
    row_type: Any  # per ballot, in the count's order: its type (-1: a ballot of weight 0)
    group_weight: Any  # group x type: the whole weights of the type's ballots in the group
    supporters: dict[OptionId, Any]  # project -> type indices (a list, or an array)
    util: dict[OptionId, list[Any]]  # project -> utility per unit weight, aligned
    uniform: dict[OptionId, Any]  # project -> common utility, when all supporters agree
    wsup: dict[OptionId, Any]  # project -> total supporter weight
    cost: dict[OptionId, Any]


@dataclass
class _Run:
    winners: list[OptionId]
    rhos: list[Any]
    paid: dict[OptionId, Any]  # project -> {type: amount}, or (types, amounts) arrays
    ties: list[Tie]


def _bought(
    best: list[OptionId],
    best_rho: Any,
    remaining: dict[OptionId, Any],
    prof: _Profile,
    rank: dict[str, int],
    bought_so_far: int,
    ties: list[Tie],
) -> tuple[OptionId, Any]:
    """The project a round buys, and its rho: the one with the smallest rho or, when several
    share it, the first by the tie rule (the tie recorded in ``ties``)."""
    if len(best) == 1:
        return best[0], best_rho
    order = sorted(best, key=lambda c: (prof.cost[c], -prof.wsup[c], rank[c]))
    ties.append(
        Tie(
            f"equal shares round {bought_so_far + 1}",
            sorted(best, key=natural_key),
            order,
            "lower cost, then more supporters (by weight), then option id order",
            value=best_rho,
        )
    )
    return order[0], remaining[order[0]]


class _MES:
    """One fixed-budget MES computation in exact Fractions (floats: ``_FloatMES``)."""

    def __init__(self, prof: _Profile, names_order: dict[str, int]):
        self.p = prof
        self.rank = names_order
        # Each project's first lower bound on rho, cost / (supporters' weighted utility), is the
        # same in every run of add1: computed once (it was most of a city's count).
        w = prof.weight
        self.first_bounds: dict[OptionId, Any] = {}
        for c, sup in prof.supporters.items():
            if prof.cost[c] > 0 and sup:
                total_util = sum(w[t] * a for t, a in zip(sup, prof.util[c], strict=True))
                self.first_bounds[c] = prof.cost[c] / total_util

    def run(self, endowment: Number) -> _Run:
        p = self.p
        e = Fraction(endowment)
        w = p.weight
        budget = [wt * e for wt in w]
        bpw = [e] * len(w)  # budget per unit of weight
        remaining: dict[OptionId, Any] = dict(self.first_bounds)  # lower bounds on rho
        winners: list[OptionId] = []
        rhos: list[Any] = []
        paid: dict[OptionId, dict[int, Any]] = {}
        ties: list[Tie] = []
        while remaining:
            best: list[OptionId] = []
            best_rho: Any = None
            for c in sorted(remaining, key=lambda c: (remaining[c], self.rank[c])):
                prev = remaining[c]
                if best_rho is not None and prev > best_rho:
                    break  # rho only grows as budgets shrink: c cannot beat the best
                cost = p.cost[c]
                sup = p.supporters[c]
                money = sum(map(budget.__getitem__, sup))
                if money < cost:
                    del remaining[c]  # its supporters can no longer pay for it
                    continue
                rho = self._rho(c, bpw, budget)
                remaining[c] = rho
                if best_rho is None or rho < best_rho:
                    best, best_rho = [c], rho
                elif rho == best_rho:
                    best.append(c)
            if not best:
                break
            choice, best_rho = _bought(best, best_rho, remaining, p, self.rank, len(winners), ties)
            paid[choice] = self._pay(choice, best_rho, bpw, budget)
            winners.append(choice)
            rhos.append(best_rho)
            del remaining[choice]
        return _Run(winners, rhos, paid, ties)

    def _rho(self, c: OptionId, bpw: list[Any], budget: list[Any]) -> Any:
        """Smallest rho with sum_i min(budget_i, rho * w_i * u_i) = cost."""
        p = self.p
        cost = p.cost[c]
        sup = p.supporters[c]
        w = p.weight
        a = p.uniform.get(c)
        if a is not None:
            # Common utility: order by budget per unit weight; x = rho * a per unit weight.
            order = sorted(sup, key=bpw.__getitem__)
            paid = 0
            wrem = p.wsup[c]
            x = None
            for t in order:
                if wrem <= 0:
                    break
                x_try = (cost - paid) / wrem
                if x_try > bpw[t]:
                    paid += budget[t]
                    wrem -= w[t]
                else:
                    x = x_try
                    break
            if x is None:  # everyone pays all they have (only up to rounding)
                x = bpw[order[-1]]
            return x / a
        utils = p.util[c]
        pairs = sorted(zip(sup, utils, strict=True), key=lambda ta: bpw[ta[0]] / ta[1])
        paid = 0
        urem = sum(w[t] * u for t, u in pairs)
        for t, u in pairs:
            if urem <= 0:
                break
            rho = (cost - paid) / urem
            if rho * u > bpw[t]:
                paid += budget[t]
                urem -= w[t] * u
            else:
                return rho
        t, u = pairs[-1]
        return bpw[t] / u

    def _pay(self, c: OptionId, rho: Any, bpw: list[Any], budget: list[Any]) -> dict[int, Any]:
        p = self.p
        w = p.weight
        out: dict[int, Any] = {}
        a = p.uniform.get(c)
        for j, t in enumerate(p.supporters[c]):
            u = a if a is not None else p.util[c][j]
            per_weight = rho * u
            if per_weight >= bpw[t]:
                amount = budget[t]
                budget[t] = 0 * budget[t]
                bpw[t] = 0 * bpw[t]
            else:
                amount = w[t] * per_weight
                budget[t] -= amount
                bpw[t] = budget[t] / w[t]
            if amount:
                out[t] = amount
        return out


class _FloatMES:
    """One fixed-budget MES computation in floats, each project's supporters at once (numpy).

    The same rule as ``_MES``, step by step, on arrays of voter types: a city's vote has tens
    of thousands of types and add1 reruns MES some twenty times. Whenever two values it
    compares come within 1e-9 of each other it sets ``near_tie`` and the caller redoes the run
    in exact arithmetic (``_MES``), so rounding never decides an outcome.
    """

    eps = 1e-9

    def __init__(self, prof: _Profile, names_order: dict[str, int]):
        self.p = prof
        self.rank = names_order
        self.near_tie = False
        self.w = np.array(prof.weight, dtype=np.float64)
        self.sup: dict[OptionId, Any] = {}
        # Per project, each supporter's stake: weight times utility (a supporter pays
        # rho * stake, or all they have), the same in every run of add1.
        self.stake: dict[OptionId, Any] = {}
        self.first_bounds: dict[OptionId, float] = {}
        for c, types in prof.supporters.items():
            sup = self.sup[c] = np.asarray(types, dtype=np.intp)
            u = prof.uniform.get(c)
            stake = self.stake[c] = self.w[sup] * (u if u is not None else np.array(prof.util[c]))
            if prof.cost[c] > 0 and len(sup):
                self.first_bounds[c] = prof.cost[c] / float(stake.sum())

    def run(self, endowment: Number) -> _Run:
        self.near_tie = False
        p = self.p
        budget = self.w * float(endowment)
        eps = self.eps
        remaining = dict(self.first_bounds)  # lower bounds on rho
        winners: list[OptionId] = []
        rhos: list[Any] = []
        paid: dict[OptionId, Any] = {}
        ties: list[Tie] = []
        while remaining:
            best: list[OptionId] = []
            best_rho: Any = None
            for c in sorted(remaining, key=lambda c: (remaining[c], self.rank[c])):
                if best_rho is not None and remaining[c] > best_rho * (1 + eps):
                    break  # rho only grows as budgets shrink: c cannot beat the best
                rho = self._rho(c, budget)
                if rho is None:
                    del remaining[c]  # its supporters can no longer pay for it
                    continue
                remaining[c] = rho
                if best_rho is None or rho < best_rho * (1 - eps):
                    best, best_rho = [c], rho
                elif rho <= best_rho * (1 + eps):
                    best.append(c)
            if not best:
                break
            if len(best) > 1:
                self.near_tie = True  # equal within the margin: exact arithmetic decides
            choice, best_rho = _bought(best, best_rho, remaining, p, self.rank, len(winners), ties)
            paid[choice] = self._pay(choice, best_rho, budget)
            winners.append(choice)
            rhos.append(best_rho)
            del remaining[choice]
        return _Run(winners, rhos, paid, ties)

    def _rho(self, c: OptionId, budget: Any) -> float | None:
        """Smallest rho with sum_i min(budget_i, rho * stake_i) = cost (None: the supporters
        cannot pay it), found by raising it: first as if every supporter could pay their
        part; then those who cannot pay all they have, and the others share what is left;
        again until no one else runs short (a few passes over every supporter at once: most
        never run short)."""
        have = budget[self.sup[c]]
        cost = self.p.cost[c]
        money = float(have.sum())
        if money < cost * (1 - self.eps):
            return None
        if money < cost * (1 + self.eps):
            self.near_tie = True  # barely affordable: let exact arithmetic decide
        stake = self.stake[c]
        share = have / stake  # the rho at which each supporter pays all they have
        x = self.first_bounds[c]
        short = share < x  # those who pay all they have
        counted = 0
        while (now := int(np.count_nonzero(short))) > counted:
            counted = now
            rest = float(stake.sum(where=~short))
            if rest <= 0:  # everyone pays all they have
                return float(share.max())
            x = (cost - float(have.sum(where=short))) / rest
            short |= share < x
        return x

    def _pay(self, c: OptionId, rho: float, budget: Any) -> tuple[Any, Any]:
        sup = self.sup[c]
        have = budget[sup]
        asked = rho * self.stake[c]
        full = asked >= have * (1 - self.eps)
        amount = np.where(full, have, asked)
        budget[sup] = np.where(full, 0.0, have - amount)
        return sup, amount


class _Engine:
    """Runs MES in floats and redoes a run in exact arithmetic when floats cannot decide."""

    def __init__(self, make_profile: Any, arithmetic: str, rank: dict[str, int]):
        self.make_profile = make_profile
        self.rank = rank
        self.arithmetic = arithmetic
        self._float = _FloatMES(make_profile(False), rank) if arithmetic == "float" else None
        self._exact: _MES | None = None
        self.exact_reruns = 0

    def exact_engine(self) -> _MES:
        if self._exact is None:
            self._exact = _MES(self.make_profile(True), self.rank)
        return self._exact

    def run(self, endowment: Number) -> tuple[_Run, _Profile]:
        if self._float is not None:
            out = self._float.run(endowment)
            if not self._float.near_tie:
                return out, self._float.p
            self.exact_reruns += 1
        eng = self.exact_engine()
        return eng.run(endowment), eng.p


@dataclass
class _Voters:
    """The ballots an MES count reads, as columns in the election's order (its Ballot
    objects, then its Approvals): each one's voter, group and weight, the weight also as a
    whole number over one common denominator and, when every ballot is an approval ballot,
    the options each approves (else None)."""

    voters: Sequence[VoterId]
    groups: list[str | None]
    weights: list[Number]
    approvals: list[Collection[OptionId]] | None
    whole: list[int]
    denominator: int
    group_names: list[str | None]
    codes: Any  # each ballot's group, as its index in group_names

    @classmethod
    def of(cls, election: Election) -> _Voters:
        ballots = election.ballots
        voters: Sequence[VoterId] = [b.voter for b in ballots]
        groups = [b.group for b in ballots]
        weights = [b.weight for b in ballots]
        approvals: list[Collection[OptionId]] | None = None
        if all(b.ranking is None and b.points is None for b in ballots):
            approvals = [b.approvals or () for b in ballots]
        given = election.approvals
        if given is not None:
            # Names as given (they may be made when read): joined only to Ballot objects'.
            voters = [*voters, *given.voters] if ballots else given.voters
            groups += given.groups
            weights += given.weights
            if approvals is not None:
                approvals += given.approvals
        # A vote has a handful of weights, and whole numbers add up exactly and fast.
        distinct = dict(zip(map(id, weights), weights, strict=True))
        if any(w < 0 for w in distinct.values()):  # (Ballot objects were checked already)
            voter = next(v for v, w in zip(voters, weights, strict=True) if w < 0)
            raise CountingError(f"ballot {voter} has a negative weight")
        denominator = math.lcm(*(Fraction(w).denominator for w in distinct.values()))
        scaled = {i: int(w * denominator) for i, w in distinct.items()}
        whole = list(map(scaled.__getitem__, map(id, weights)))
        # The groups in order of first appearance, and each ballot's group as its index.
        names = {g: k for k, g in enumerate(dict.fromkeys(groups))}
        codes = np.fromiter(map(names.__getitem__, groups), dtype=np.intp, count=len(groups))
        return cls(voters, groups, weights, approvals, whole, denominator, list(names), codes)

    def unknown_options(self, known: set[OptionId]) -> CountingError:
        """The error to raise when an approval set names something not in ``known``."""
        assert self.approvals is not None
        for voter, approved in zip(self.voters, self.approvals, strict=True):
            try:
                unknown = set(approved) - known
            except TypeError:
                return CountingError(f"ballot {voter} approves something not an option id")
            if unknown:
                return CountingError(
                    f"ballot {voter} names unknown options {sorted(unknown, key=str)}"
                )
        return CountingError("an approval names an unknown option")  # not reached

    @functools.cached_property
    def whole_array(self) -> Any:
        """The whole weights as an array: 64-bit integers, or Python's when the total is too
        large for them (weights with a large common denominator)."""
        fits = sum(self.whole) < 2**62
        return np.array(self.whole, dtype=np.int64 if fits else object)


def _by_group_and_type(voters: _Voters, row_type: Any, types: int) -> Any:
    """groups x types: the whole weights of each type's ballots in each group (weight-0
    ballots, of type -1, left out)."""
    whole = voters.whole_array
    out = np.zeros((len(voters.group_names), types), dtype=whole.dtype)
    counted = row_type >= 0
    np.add.at(out, (voters.codes[counted], row_type[counted]), whole[counted])
    return out


def _profile(
    election: Election,
    voters: _Voters,
    utils: list[dict[OptionId, Number]],
    costs: Mapping[OptionId, Number],
    utility: str,
    exact_mode: bool,
) -> _Profile:
    conv: Any = Fraction if exact_mode else float  # Fraction: int / int would give a float
    types: dict[tuple[tuple[OptionId, Number], ...], int] = {}
    # A type's weight is the sum of its ballots', in whole numbers over one denominator.
    total: list[int] = []
    row_type: list[int] = []
    for k, u in zip(voters.whole, utils, strict=True):
        if not k:
            row_type.append(-1)
            continue
        key = tuple(sorted(u.items()))
        t = types.get(key)
        if t is None:
            t = types[key] = len(total)
            total.append(0)
        total[t] += k
        row_type.append(t)
    # Types in one canonical order (by their ballot), so the floating-point arithmetic, and
    # so every figure, is the same whatever order the ballots come in: a shuffled export of the
    # same ballots recounts to exactly the same result.
    keys = sorted(types)
    before = [types[key] for key in keys]
    after = {t: new for new, t in enumerate(before)}
    after[-1] = -1
    total = [total[t] for t in before]
    rows = np.array([after[t] for t in row_type], dtype=np.intp)
    types = {key: t for t, key in enumerate(keys)}
    # The exact weight, or the float nearest to it (int / int is correctly rounded).
    d = voters.denominator
    wconv = [Fraction(n, d) if exact_mode else n / d for n in total]
    supporters: dict[OptionId, list[int]] = {o: [] for o in election.options}
    util: dict[OptionId, list[Any]] = {o: [] for o in election.options}
    for key, t in types.items():
        for o, v in key:
            supporters[o].append(t)
            if utility == "cost":
                # Approval with cost utilities: a voter values a project at its cost.
                util[o].append(conv(v * costs[o]))
            else:
                util[o].append(conv(v))
    uniform: dict[OptionId, Any] = {}
    for o, us in util.items():
        if us and all(x == us[0] for x in us):
            uniform[o] = us[0]
    wsup = {o: sum((wconv[t] for t in sup), conv(0)) for o, sup in supporters.items()}
    return _Profile(
        weight=wconv,
        total=total,
        row_type=rows,
        group_weight=_by_group_and_type(voters, rows, len(total)),
        supporters=supporters,
        util=util,
        uniform=uniform,
        wsup=wsup,
        cost={o: conv(c) for o, c in costs.items()},
    )


class _ApprovalVote:
    """An approval vote on arrays: each ballot's approved options as bits, the distinct sets
    of options (MES's voter types, in one canonical order: by their bits, whatever the order
    of the ballots) and each ballot's set. An option listed twice on a ballot counts once."""

    def __init__(self, voters: _Voters, options: list[OptionId]):
        assert voters.approvals is not None
        index = {o: i for i, o in enumerate(options)}
        chosen = voters.approvals
        n, m = len(chosen), len(options)
        # (Straight from the iterators into arrays: no list of 400,000 Python ints between.)
        try:  # (each option id looked up once: the check that it is one)
            sizes = np.fromiter(map(len, chosen), dtype=np.intp, count=n)
            ids = map(index.__getitem__, chain.from_iterable(chosen))
            flat = np.fromiter(ids, dtype=np.intp, count=int(sizes.sum()))
        except (KeyError, TypeError):
            raise voters.unknown_options(set(options)) from None
        owner = np.repeat(np.arange(n), sizes)
        # Bits in 64-bit words, option 0 first: ordering the words orders the sets.
        width = max(1, (m + 63) // 64) * 8
        bits = np.zeros((n, width), dtype=np.uint8)
        np.bitwise_or.at(bits, (owner, flat >> 3), (128 >> (flat & 7)).astype(np.uint8))
        words = bits.view(">u8").astype(np.uint64)
        order = np.lexsort(words.T[::-1])
        ordered = words[order]
        first = np.ones(n, dtype=bool)  # the first ballot of each set, in that order
        first[1:] = (ordered[1:] != ordered[:-1]).any(axis=1)
        kind_of = np.empty(n, dtype=np.intp)
        kind_of[order] = np.cumsum(first) - 1
        kinds = ordered[first].astype(">u8").view(np.uint8)
        self.options = options
        self.voters = voters
        # options x kinds: which sets approve each option, one option's row after another.
        approving = np.unpackbits(np.ascontiguousarray(kinds.T), axis=0, count=m).astype(bool)
        self.kind_of = kind_of
        self.by_group = _by_group_and_type(voters, kind_of, len(kinds))
        self.ballots_by_group = np.zeros(self.by_group.shape, dtype=np.int64)
        np.add.at(self.ballots_by_group, (voters.codes, kind_of), 1)
        # Each option's supporting sets, option by option, in the sets' order.
        columns = [np.flatnonzero(row) for row in approving]
        self.per_option = np.array(list(map(len, columns)), dtype=np.intp)
        self.option_of = np.repeat(np.arange(m), self.per_option)
        self.kind_of_support = np.concatenate(columns) if columns else np.zeros(0, np.intp)

    def _per_option(self, by_kind: Any) -> list[list[Any]]:
        """rows x options: each row's values of the sets approving each option, added."""
        out = np.zeros((len(by_kind), len(self.options)), dtype=by_kind.dtype)
        some = self.per_option > 0
        if some.any():
            starts = (np.cumsum(self.per_option) - self.per_option)[some]
            out[:, some] = np.add.reduceat(by_kind[:, self.kind_of_support], starts, axis=1)
        return out.tolist()

    def support(self) -> tuple[dict[OptionId, Number], dict[str, dict[OptionId, Number]]]:
        """What ``_weighted_support`` gives: each project's support (the weights of the
        ballots approving it, added) and its breakdown by group."""
        weighted = self._per_option(self.by_group)
        approving = self._per_option(self.ballots_by_group)
        d = self.voters.denominator
        options = self.options
        totals = [simplify(Fraction(sum(col), d)) for col in zip(*weighted, strict=True)]
        support = dict(zip(options, totals, strict=True)) if weighted else dict.fromkeys(options, 0)
        breakdown = {
            group: {
                o: simplify(Fraction(w, d))
                for o, w, n in zip(options, weighted[k], approving[k], strict=True)
                if n
            }
            for k, group in enumerate(self.voters.group_names)
            if group is not None
        }
        return support, breakdown

    def profile(self, costs: Mapping[OptionId, Number], utility: str) -> _Profile:
        """``_profile`` in floats: the sets approved by ballots of positive weight as types."""
        total = self.by_group.sum(axis=0)
        keep = np.flatnonzero(total > 0)
        renumber = np.full(len(total) + 1, -1, dtype=np.intp)  # [-1] stays -1
        renumber[keep] = np.arange(len(keep))
        totals = total[keep].tolist()
        d = self.voters.denominator
        weight = [t / d for t in totals]  # int / int: the float nearest the exact weight
        options = self.options
        # Each option's supporters, in type order.
        supporting = renumber[self.kind_of_support]
        counted = supporting >= 0
        option_of, type_of = self.option_of[counted], supporting[counted]
        per_option = np.bincount(option_of, minlength=len(options))
        supporters = np.split(type_of, np.cumsum(per_option)[:-1])
        supported = np.bincount(
            option_of, weights=np.array(weight)[type_of], minlength=len(options)
        )
        return _Profile(
            weight=weight,
            total=totals,
            row_type=renumber[self.kind_of],
            group_weight=self.by_group[:, keep],
            supporters=dict(zip(options, supporters, strict=True)),
            util={o: [] for o in options},  # unused: each project's supporters share one utility
            uniform={o: float(costs[o]) if utility == "cost" else 1.0 for o in options},
            wsup=dict(zip(options, supported.tolist(), strict=True)),
            cost={o: float(c) for o, c in costs.items()},
        )


def _payments(
    run: _Run, prof: _Profile, voters: _Voters, selected: list[OptionId]
) -> tuple[dict[str | None, dict[OptionId, Any]], Mapping[VoterId, dict[OptionId, Any]]]:
    """What the voters of each group paid for each selected project, and what each voter
    paid: a type's payment is shared by its ballots in proportion to their weights."""
    paid = {c: run.paid[c] for c in selected if c in run.paid}
    if any(isinstance(by_type, dict) for by_type in paid.values()):
        return _exact_payments(paid, prof, voters)
    # Floats: each group's share of each type (whole weights, then one division), and the
    # payments added over types in their canonical order, so the sums never depend on the
    # order of the ballots.
    total = np.array(prof.total, dtype=prof.group_weight.dtype)
    share = (prof.group_weight / total).astype(np.float64)
    by_group: dict[str | None, dict[OptionId, Any]] = {}
    for c, (types, amounts) in paid.items():
        sums = share[:, types] @ amounts
        for group, amount in zip(voters.group_names, sums.tolist(), strict=True):
            if amount:
                by_group.setdefault(group, {})[c] = amount

    def each_voter() -> dict[VoterId, dict[OptionId, Any]]:
        rows = prof.row_type
        counted = rows >= 0
        ratio = np.zeros(len(rows))
        ratio[counted] = voters.whole_array[counted] / total[rows[counted]]
        out: dict[VoterId, dict[OptionId, Any]] = {}
        for c, (types, amounts) in paid.items():
            per_type = np.zeros(len(total) + 1)  # [-1]: weight-0 ballots pay nothing
            per_type[types] = amounts
            per_ballot = per_type[rows] * ratio
            paying = np.flatnonzero(per_ballot)
            for i, amount in zip(paying.tolist(), per_ballot[paying].tolist(), strict=True):
                out.setdefault(voters.voters[i], {})[c] = amount
        return out

    return by_group, Deferred(each_voter)


def _exact_payments(
    paid: dict[OptionId, Any], prof: _Profile, voters: _Voters
) -> tuple[dict[str | None, dict[OptionId, Any]], dict[VoterId, dict[OptionId, Any]]]:
    rows_of: dict[int, list[int]] = {}
    for i, t in enumerate(prof.row_type.tolist()):
        if t >= 0:
            rows_of.setdefault(t, []).append(i)
    by_group: dict[str | None, dict[OptionId, Any]] = {}
    each: dict[VoterId, dict[OptionId, Any]] = {}
    for c, by_type in paid.items():
        for t, amount in by_type.items():
            for i in rows_of[t]:
                part = simplify(amount * Fraction(voters.whole[i], prof.total[t]))
                if part:
                    each.setdefault(voters.voters[i], {})[c] = part
                    row = by_group.setdefault(voters.groups[i], {})
                    row[c] = simplify(row.get(c, 0) + part)
    return by_group, each


def mes(
    election: Election,
    *,
    budget: Number | None = None,
    completion: str = "add1",
    increment: Number = 1,
    integral_start: bool = True,
    stop_when_exhaustive: bool = False,
    topup: bool = False,
    comparison: str | None = None,
    utility: str | None = None,
    arithmetic: str = "float",
    points: list[int] | None = None,
    max_rank: int | None = None,
    max_iterations: int = 100_000,
) -> Result:
    """Method of Equal Shares (see docs/counting.md for the full description).

    * Each voter starts with B * w_i / sum(w); a project is bought by its supporters, each
      paying min(what they have left, rho * w_i * u_i), where rho is as small as possible;
      each round buys the affordable project with the smallest rho.
    * ``utility``: "cost" (default for approval ballots; u_i = the project's cost, as in
      Wieliczka and equalshares.net), "unit" (u_i = 1) or "points" (default for points and
      ranked ballots; u_i = points given).
    * Ties in rho: lower cost, then more supporters by weight, then option id order.
    * ``completion="add1"``: the per-voter budget (per unit of weight) starts at B / sum(w)
      (rounded down to a whole unit when ``integral_start``), then is raised by
      ``increment`` and MES rerun, as long as the outcome's cost stays within B; the last
      outcome that fits is kept. It does not stop early because an outcome is exhaustive
      unless ``stop_when_exhaustive``. ``completion="none"`` runs once with B / sum(w).
    * ``topup``: then fund further projects greedily by support with what is left.
    * ``comparison`` ("satisfaction" or "exclusion"): compare with the greedy outcome and
      use greedy if more voters (by weight) prefer it (equalshares.net comparison step).
    * ``arithmetic``: "float" (default: fast; any run where two values come within 1e-9
      of each other is recomputed in exact Fractions, so rounding never decides) or
      "exact" (every run in Fractions; slower).
    """
    if completion not in ("add1", "none"):
        raise CountingError("completion must be 'add1' or 'none'")
    if comparison not in (None, "satisfaction", "exclusion"):
        raise CountingError("comparison must be 'satisfaction', 'exclusion' or omitted")
    if arithmetic not in ("float", "exact"):
        raise CountingError("arithmetic must be 'float' or 'exact'")
    election.ballots_needed("mes")
    b, costs = _check_budget(election, budget, compact="approvals")
    inc = exact(increment)
    if inc <= 0:
        raise CountingError("the budget increment must be positive")
    voters = _Voters.of(election)
    approvals = voters.approvals is not None
    if utility is None:
        utility = "cost" if approvals else "points"
    if utility not in ("cost", "unit", "points"):
        raise CountingError("utility must be 'cost', 'unit' or 'points'")
    if utility in ("cost", "unit") and not approvals:
        raise CountingError(f"utility '{utility}' needs approval ballots")
    total_weight = Fraction(sum(voters.whole), voters.denominator)
    if total_weight <= 0:
        raise CountingError("no voter has a positive weight")
    found: list[Any] = []

    def ballots() -> Election:
        """The election with Ballot objects only, made when first needed: an approval vote
        counted in floats never needs them, nor each ballot's utilities."""
        if not found:
            full = election.with_ballots()
            found.append((full, ballot_utilities(full, points, max_rank)))
        return found[0][0]

    def utils() -> list[dict[OptionId, Number]]:
        ballots()
        return found[0][1]

    vote = _ApprovalVote(voters, election.options) if approvals else None
    if vote is not None:
        support, breakdown = vote.support()
    else:
        support, breakdown = _weighted_support(ballots(), utils())
    rank = {o: i for i, o in enumerate(sorted(election.options, key=natural_key))}

    def make_profile(exact_: bool) -> _Profile:
        if vote is not None and not exact_:
            return vote.profile(costs, utility)
        return _profile(ballots(), voters, utils(), costs, utility, exact_)

    engine = _Engine(make_profile, arithmetic, rank)

    def cost_of(sel: list[OptionId]) -> Fraction:
        return sum((costs[o] for o in sel), Fraction(0))

    endowment: Number = simplify(Fraction(b) / total_weight)
    notes: list[str] = []
    iterations = 1
    everything = cost_of([o for o in election.options if support[o] > 0]) <= b
    if completion == "add1" and not everything:
        if integral_start:
            endowment = math.floor(Fraction(b) / total_weight)
        run, prof = engine.run(endowment)
        supported = {o for o in election.options if support[o] > 0 and costs[o] > 0}
        while iterations < max_iterations:
            spent = cost_of(run.winners)
            if stop_when_exhaustive and all(
                spent + costs[o] > b for o in election.options if o not in run.winners
            ):
                break
            if supported <= set(run.winners):
                break  # everything supported is funded: more money changes nothing
            nxt, nprof = engine.run(endowment + inc)
            iterations += 1
            if cost_of(nxt.winners) > b:
                break
            endowment += inc
            run, prof = nxt, nprof
        else:
            notes.append(f"add1 stopped after {max_iterations} iterations")
    else:
        run, prof = engine.run(endowment)
    selected = list(run.winners)
    ties = list(run.ties)
    rounds: list[dict[str, Any]] = [
        {"project": c, "phase": "equal shares", "rho": rho, "cost": costs[c]}
        for c, rho in zip(run.winners, run.rhos, strict=True)
    ]
    if topup:
        rest = [o for o in election.options if o not in selected]
        added, gties = _greedy_fill(rest, support, costs, b, selected, "greedy top-up order")
        selected.extend(added)
        ties.extend(gties)
        rounds.extend({"project": c, "phase": "greedy top-up", "cost": costs[c]} for c in added)
    if comparison is not None:
        greedy_sel, _ = _greedy_fill(election.options, support, costs, b, [], "comparison")
        pref_mes, pref_greedy = _compare(ballots(), utils(), selected, greedy_sel, comparison)
        notes.append(
            f"comparison ({comparison}): {simplify(pref_mes)} prefer equal shares, "
            f"{simplify(pref_greedy)} prefer greedy"
        )
        if pref_greedy > pref_mes:
            selected = greedy_sel
            rounds = [{"project": c, "phase": "greedy (comparison)"} for c in selected]
            notes.append("greedy outcome used after the comparison step")
    group_payments, payments = _payments(run, prof, voters, selected)
    ranking = selected + sorted(
        (o for o in election.options if o not in selected),
        key=lambda o: (-support[o], costs[o], natural_key(o)),
    )
    return Result(
        method="mes",
        params={
            "budget": b,
            "completion": completion,
            "increment": inc,
            "integral_start": integral_start,
            "stop_when_exhaustive": stop_when_exhaustive,
            "topup": topup,
            "comparison": comparison,
            "utility": utility,
            "arithmetic": arithmetic,
            "final_endowment": endowment,
            "iterations": iterations,
            "exact_reruns": engine.exact_reruns,
            "_costs": costs,
        },
        selected=selected,
        ranking=ranking,
        scores=support,
        ties=ties,
        winners=list(selected),
        group_breakdown=breakdown,
        payments=payments,
        group_payments=group_payments,
        rounds=rounds,
        notes=notes,
    )


def _compare(
    election: Election,
    utils: list[dict[OptionId, Number]],
    mes_sel: list[OptionId],
    greedy_sel: list[OptionId],
    how: str,
) -> tuple[Number, Number]:
    a, g = set(mes_sel), set(greedy_sel)
    pref_mes: Number = 0
    pref_greedy: Number = 0
    for b, u in zip(election.ballots, utils, strict=True):
        sa = sum((v for o, v in u.items() if o in a), 0)
        sg = sum((v for o, v in u.items() if o in g), 0)
        if how == "exclusion":
            sa, sg = int(sa > 0), int(sg > 0)
        if sa > sg:
            pref_mes += b.weight
        elif sg > sa:
            pref_greedy += b.weight
    return pref_mes, pref_greedy
