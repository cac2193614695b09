"""Voter weights, in particular group-normalised weighting of stakeholder groups."""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Mapping
from dataclasses import replace
from fractions import Fraction
from typing import TypeVar

from .model import AnyNumber, Ballot, CountingError, Number, exact, simplify

V = TypeVar("V", bound=Hashable)
G = TypeVar("G", bound=Hashable)


def group_normalised_weights(
    voter_groups: Mapping[V, G],
    target_shares: Mapping[G, AnyNumber],
) -> dict[V, Number]:
    """Weight each voter so that each stakeholder group's total voice equals its target share.

    weight(voter) = target share of their group / actual share of voters in that group,
    where target shares are first normalised to sum to 1. A group with no voters cannot
    speak; its target share is *redistributed* to the groups that did vote, in proportion
    to their own targets (equivalently: targets are renormalised over the groups present).
    The weights therefore always sum to the number of voters, so totals stay on the scale
    of a head count. Weights are exact Fractions (or ints when whole).

    Raises CountingError when a voter's group has no target, a share is negative, or no
    voter belongs to a group with a positive target.
    """
    per_group = group_weights(Counter(voter_groups.values()), target_shares)
    return {v: per_group[g] for v, g in voter_groups.items()}


def group_weights(counts: Mapping[G, int], target_shares: Mapping[G, AnyNumber]) -> dict[G, Number]:
    """The weight of each voter of a group, from the number of voters per group: what
    ``group_normalised_weights`` gives every voter of that group (same rules, same errors)."""
    shares = {g: exact(s) for g, s in target_shares.items()}
    if any(s < 0 for s in shares.values()):
        raise CountingError("target shares must not be negative")
    missing = [g for g in counts if g not in shares]
    if missing:
        raise CountingError(f"voters in groups without a target share: {missing!r}")
    present_total = sum((shares[g] for g in counts), Fraction(0))
    if present_total == 0:
        raise CountingError("no voter belongs to a group with a positive target share")
    n = sum(counts.values())
    # target_g / present_total is the renormalised target; n_g / n the actual share.
    return {g: simplify(Fraction(shares[g]) * n / (present_total * c)) for g, c in counts.items()}


def apply_weights(ballots: list[Ballot], weights: Mapping[str, AnyNumber]) -> list[Ballot]:
    """Return copies of the ballots with the weight looked up by voter id."""
    return [replace(b, weight=exact(weights[b.voter])) for b in ballots]
