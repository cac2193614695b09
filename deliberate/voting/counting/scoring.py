"""Methods that add up points per option: approval, score/range, cumulative, quadratic, Borda.

Each returns a full ranking (best first); ``selected`` is the top ``seats`` options (1 by
default). Equal totals are ordered by natural option-id order, and every such group is
reported as a Tie. Totals are exact (int or Fraction).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from fractions import Fraction
from typing import Any

from .model import (
    Ballot,
    CountingError,
    Election,
    Number,
    OptionId,
    Result,
    Tie,
    exact,
    group_totals,
    natural_key,
    order_with_ties,
    simplify,
    weighted_totals,
)

Contribution = Callable[[Ballot], dict[OptionId, Number]]


def _need(ballot: Ballot, kind: str, method: str) -> None:
    if ballot.kind not in (kind, "empty"):
        raise CountingError(
            f"{method} needs {kind} ballots; ballot {ballot.voter} is {ballot.kind}"
        )


def _sum_method(
    method: str,
    election: Election,
    contribution: Contribution,
    params: dict[str, Any],
    validator: Callable[[Ballot, dict[str, Any]], list[str]],
    seats: int = 1,
    base: Contribution | None = None,
    sum_kind: str | None = None,
) -> Result:
    """Totals of ``contribution(ballot)`` (weighted). With ``base``, the same contribution
    before the weight (``contribution(b) == weight * base(b)``): the faster exact sum, which
    can also come as the election's sums of ``sum_kind`` instead of ballots."""
    sums = election.sums_of((sum_kind,) if sum_kind and base else (), method)
    if sums is not None:
        totals, breakdown = weighted_totals(election.options, sums.rows)
        return _finish(method, election, totals, params, seats, contribution, breakdown)
    election.check()
    problems: list[str] = []
    for b in election.ballots:
        problems.extend(validator(b, params))
        if len(problems) > 5:
            break
    if problems:
        raise CountingError("invalid ballots: " + "; ".join(problems[:5]))
    if base is None:
        totals: dict[OptionId, Number] = dict.fromkeys(election.options, 0)
        for b in election.ballots:
            for o, amount in contribution(b).items():
                totals[o] += amount
        totals = {o: simplify(v) for o, v in totals.items()}
        return _finish(method, election, totals, params, seats, contribution)
    totals, breakdown = weighted_totals(election.options, _bucket_sums(election, base))
    return _finish(method, election, totals, params, seats, contribution, breakdown)


def _bucket_sums(
    election: Election, base: Contribution
) -> list[tuple[Number, str | None, dict[OptionId, Number]]]:
    """The unweighted sums of ``base(ballot)`` per (weight, group): what GroupSums carries.
    Summed with each weight once (weighted_totals), exactly as adding each ballot's weighted
    contribution gives: a vote has a handful of distinct weights."""
    # Keyed by the weight object's identity (ballots of one group share one object; hashing a
    # Fraction per ballot would cost more than the sum). Equal weights in two objects only make
    # two buckets, whose sums add up the same.
    buckets: dict[tuple[int, str | None], tuple[Number, str | None, Counter[OptionId]]] = {}
    approvals_only = base is _approval_base
    for b in election.ballots:
        key = (id(b.weight), b.group)
        bucket = buckets.get(key)
        if bucket is None:
            bucket = buckets[key] = (b.weight, b.group, Counter())
        row = bucket[2]
        if approvals_only:
            # One per approved option: Counter.update counts an iterable in C.
            row.update(b.approvals or ())
            continue
        for o, amount in base(b).items():
            row[o] = row.get(o, 0) + amount
    return list(buckets.values())


def _finish(
    method: str,
    election: Election,
    totals: Mapping[OptionId, Number],
    params: dict[str, Any],
    seats: int,
    contribution: Contribution,
    breakdown: dict[str, dict[OptionId, Number]] | None = None,
) -> Result:
    ranking, ties = order_with_ties(election.options, totals, stage="ranking positions")
    top = totals[ranking[0]] if ranking else None
    winners = sorted((o for o in ranking if totals[o] == top), key=natural_key)
    return Result(
        method=method,
        params={**params, "seats": seats},
        selected=ranking[:seats],
        ranking=ranking,
        scores=dict(totals),
        ties=ties,
        winners=winners if ranking else [],
        group_breakdown=breakdown
        if breakdown is not None
        else group_totals(election.ballots, contribution),
    )


# --- approval -------------------------------------------------------------------------------


def validate_approval(ballot: Ballot, params: Mapping[str, Any]) -> list[str]:
    """At most ``max_approvals`` (k) and at least ``min_approvals`` approvals."""
    if ballot.kind not in ("approval", "empty"):
        return [f"{ballot.voter}: approval ballots only"]
    n = len(ballot.approvals or ())
    out = []
    k = params.get("max_approvals")
    if k is not None and n > k:
        out.append(f"{ballot.voter}: {n} approvals, at most {k} allowed")
    lo = params.get("min_approvals")
    if lo is not None and n < lo:
        out.append(f"{ballot.voter}: {n} approvals, at least {lo} required")
    return out


def _approval_contribution(b: Ballot) -> dict[OptionId, Number]:
    return dict.fromkeys(b.approvals or (), b.weight)


def _approval_base(b: Ballot) -> dict[OptionId, Number]:
    return dict.fromkeys(b.approvals or (), 1)


def approval(
    election: Election,
    *,
    max_approvals: int | None = None,
    min_approvals: int | None = None,
    seats: int = 1,
) -> Result:
    """Approval voting: each option scores the total weight of ballots approving it."""
    params = {"max_approvals": max_approvals, "min_approvals": min_approvals}
    return _sum_method(
        "approval",
        election,
        _approval_contribution,
        params,
        validate_approval,
        seats,
        _approval_base,
        "approvals",
    )


# --- score / range --------------------------------------------------------------------------


def validate_score(ballot: Ballot, params: Mapping[str, Any]) -> list[str]:
    """Every score is a number in [min_score, max_score]."""
    if ballot.kind not in ("points", "empty"):
        return [f"{ballot.voter}: score ballots only"]
    lo = params.get("min_score", 0)
    hi = params.get("max_score")
    out = []
    for o, s in (ballot.points or {}).items():
        if s < lo or (hi is not None and s > hi):
            out.append(f"{ballot.voter}: score {s} for {o} outside {lo}..{hi}")
    return out


def score(
    election: Election,
    *,
    max_score: int | None = None,
    min_score: int = 0,
    blank: str = "zero",
    seats: int = 1,
) -> Result:
    """Score (range) voting on a min_score..max_score scale.

    ``blank="zero"`` (default): an option left blank counts as 0 and the total is the
    weighted sum. ``blank="ignore"``: blanks are left out and an option's score is the
    weighted mean of the scores it did receive (an option nobody scored gets 0).
    """
    if blank not in ("zero", "ignore"):
        raise CountingError("blank must be 'zero' or 'ignore'")
    params = {"max_score": max_score, "min_score": min_score, "blank": blank}

    def contribution(b: Ballot) -> dict[OptionId, Number]:
        return {o: b.weight * s for o, s in (b.points or {}).items()}

    if blank == "zero":
        return _sum_method(
            "score", election, contribution, params, validate_score, seats, _points_base, "points"
        )
    election.ballots_needed("score with blanks ignored")
    election.check()
    problems = [p for b in election.ballots for p in validate_score(b, params)]
    if problems:
        raise CountingError("invalid ballots: " + "; ".join(problems[:5]))
    sums: dict[OptionId, Number] = dict.fromkeys(election.options, 0)
    raters: dict[OptionId, Number] = dict.fromkeys(election.options, 0)
    for b in election.ballots:
        for o, s in (b.points or {}).items():
            sums[o] += b.weight * s
            raters[o] += b.weight
    means = {
        o: simplify(Fraction(sums[o]) / raters[o]) if raters[o] else 0 for o in election.options
    }
    return _finish("score", election, means, params, seats, contribution)


# --- cumulative -----------------------------------------------------------------------------


def validate_cumulative(ballot: Ballot, params: Mapping[str, Any]) -> list[str]:
    """Points are non-negative, total at most ``max_total`` (N), each at most ``max_per_option``."""
    if ballot.kind not in ("points", "empty"):
        return [f"{ballot.voter}: points ballots only"]
    pts = ballot.points or {}
    out = []
    if any(p < 0 for p in pts.values()):
        out.append(f"{ballot.voter}: negative points")
    total = sum(pts.values())
    n = params.get("max_total")
    if n is not None and total > n:
        out.append(f"{ballot.voter}: {total} points given, at most {n} allowed")
    lo = params.get("min_total")
    if lo is not None and total < lo:
        out.append(f"{ballot.voter}: {total} points given, at least {lo} required")
    cap = params.get("max_per_option")
    if cap is not None:
        over = sorted((o for o, p in pts.items() if p > cap), key=natural_key)
        if over:
            out.append(f"{ballot.voter}: more than {cap} points on {', '.join(over)}")
    return out


def _points_contribution(b: Ballot) -> dict[OptionId, Number]:
    return {o: b.weight * p for o, p in (b.points or {}).items()}


def _points_base(b: Ballot) -> dict[OptionId, Number]:
    return dict(b.points or {})


def cumulative(
    election: Election,
    *,
    max_total: int | None = None,
    max_per_option: int | None = None,
    min_total: int | None = None,
    seats: int = 1,
) -> Result:
    """Cumulative voting: each voter spreads up to N points; options rank by weighted points."""
    params = {"max_total": max_total, "max_per_option": max_per_option, "min_total": min_total}
    return _sum_method(
        "cumulative",
        election,
        _points_contribution,
        params,
        validate_cumulative,
        seats,
        _points_base,
        "points",
    )


# --- quadratic ------------------------------------------------------------------------------


def quadratic_cost(votes: Mapping[OptionId, Number]) -> Number:
    """Credits spent: v votes on an option cost v**2 (negative votes cost the same)."""
    return sum(v * v for v in votes.values())


def validate_quadratic(ballot: Ballot, params: Mapping[str, Any]) -> list[str]:
    """Whole votes, sum of v**2 within ``credits``, negative votes only if allowed."""
    if ballot.kind not in ("points", "empty"):
        return [f"{ballot.voter}: quadratic ballots give votes per option"]
    votes = ballot.points or {}
    out = []
    if any(exact(v) != int(v) for v in votes.values()):
        out.append(f"{ballot.voter}: votes must be whole numbers")
    if not params.get("allow_negative", False) and any(v < 0 for v in votes.values()):
        out.append(f"{ballot.voter}: negative votes are not allowed")
    credits = params.get("credits")
    spent = quadratic_cost(votes)
    if credits is not None and spent > credits:
        out.append(f"{ballot.voter}: spends {spent} credits, only {credits} available")
    return out


def quadratic(
    election: Election,
    *,
    credits: int | None = None,
    allow_negative: bool = False,
    seats: int = 1,
) -> Result:
    """Quadratic voting: an option's score is the weighted sum of the votes cast on it."""
    params = {"credits": credits, "allow_negative": allow_negative}
    return _sum_method(
        "quadratic",
        election,
        _points_contribution,
        params,
        validate_quadratic,
        seats,
        _points_base,
        "points",
    )


# --- Borda ----------------------------------------------------------------------------------


def validate_ranking(ballot: Ballot, params: Mapping[str, Any]) -> list[str]:
    """A ranking without repeats, at most ``max_rank`` options, ties only if allowed."""
    if ballot.kind not in ("ranking", "empty"):
        return [f"{ballot.voter}: ranked ballots only"]
    tiers = ballot.ranking or ()
    flat = [o for t in tiers for o in t]
    out = []
    if len(flat) != len(set(flat)):
        out.append(f"{ballot.voter}: an option is ranked twice")
    if not params.get("allow_ties", True) and any(len(t) > 1 for t in tiers):
        out.append(f"{ballot.voter}: equal rankings are not allowed")
    hi = params.get("max_rank")
    if hi is not None and len(flat) > hi:
        out.append(f"{ballot.voter}: {len(flat)} options ranked, at most {hi} allowed")
    lo = params.get("min_rank")
    if lo is not None and len(flat) < lo:
        out.append(f"{ballot.voter}: {len(flat)} options ranked, at least {lo} required")
    return out


def borda_points(
    ballot: Ballot, n_options: int, points: list[Number] | None = None
) -> dict[OptionId, Number]:
    """Unweighted Borda points of one ranked ballot.

    Standard (``points`` None): an option gets 1 point for every option ranked below it,
    unranked options included, plus 1/2 for every other option in its own tier; options
    left unranked get 0. A complete strict ranking of m options thus gives m-1, ..., 1, 0.
    Positional (``points`` = [p1, p2, ...]): position k earns p_k (0 past the list); a tier
    spanning several positions shares their points equally (e.g. pabulib 3/2/1).
    """
    out: dict[OptionId, Number] = {}
    tiers = ballot.ranking or ()
    above = 0
    for tier in tiers:
        size = len(tier)
        if points is None:
            below = n_options - above - size
            # Fractions only for real ties: they are slow and most tiers hold one option.
            value: Number = below if size == 1 else simplify(below + Fraction(size - 1, 2))
        else:
            span = [points[k] if k < len(points) else 0 for k in range(above, above + size)]
            value = simplify(Fraction(sum(span), size))
        for o in tier:
            out[o] = value
        above += size
    return out


def borda(
    election: Election,
    *,
    points: list[int] | None = None,
    max_rank: int | None = None,
    seats: int = 1,
) -> Result:
    """Borda count (see ``borda_points`` for the truncated-ballot and tie conventions)."""
    m = len(election.options)
    pts = [exact(p) for p in points] if points is not None else None

    def contribution(b: Ballot) -> dict[OptionId, Number]:
        return {o: b.weight * p for o, p in borda_points(b, m, pts).items()}

    def base(b: Ballot) -> dict[OptionId, Number]:
        return borda_points(b, m, pts)

    params = {"points": points, "max_rank": max_rank}
    # Sums of standard Borda points only: positional points depend on each ballot's tiers.
    kind = "borda" if pts is None else None
    return _sum_method("borda", election, contribution, params, validate_ranking, seats, base, kind)


def ties_at_cutoff(result: Result, seats: int) -> list[Tie]:
    """The ties that decided who got the last seats (useful for explanations)."""
    if seats >= len(result.ranking) or seats == 0:
        return []
    cut = result.scores[result.ranking[seats - 1]]
    return [t for t in result.ties if t.value == cut]
