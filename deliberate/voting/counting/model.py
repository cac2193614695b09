"""Data types shared by every counting method: ballots, elections, results and ties.

Everything here is plain data. Numbers are kept exact (``int`` or ``Fraction``) wherever the
method allows it, so that a published result can be recomputed to the last digit; floats
only appear in MES payments computed in the fast floating-point mode and in JSON output.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from fractions import Fraction
from typing import Any

OptionId = str
VoterId = str
Number = int | Fraction
AnyNumber = int | float | Fraction | Decimal | str

_DIGITS = re.compile(r"(\d+)")


class CountingError(ValueError):
    """The election cannot be counted with the requested method and parameters."""


class UnknownMethodError(CountingError):
    """The method name is not in the registry; the message lists the known names."""


def natural_key(option: str) -> tuple[tuple[int, int | str], ...]:
    """Sort key putting "2" before "10" and "c2" before "c10" (used as the last tie-break).

    Digit runs compare as numbers, other runs as text, so ids sort the way people read them.
    """
    parts: list[tuple[int, int | str]] = []
    for chunk in _DIGITS.split(option):
        if not chunk:
            continue
        parts.append((0, int(chunk)) if chunk.isdigit() else (1, chunk))
    return tuple(parts)


def exact(value: AnyNumber) -> Number:
    """Convert a number to ``int`` or ``Fraction`` without losing anything.

    Floats are converted from their shortest decimal representation ("0.1" not the binary
    expansion), because that is what a person typed.
    """
    kind = type(value)
    if kind is int:
        return value  # type: ignore[return-value]
    if kind is Fraction:
        return int(value) if value.denominator == 1 else value  # type: ignore[union-attr]
    if isinstance(value, bool):
        raise TypeError("a boolean is not a number here")
    if isinstance(value, int):
        return value
    if isinstance(value, Fraction):
        frac = value
    elif isinstance(value, float):
        frac = Fraction(repr(value))
    elif isinstance(value, str):
        return _exact_text(value)
    elif isinstance(value, Decimal):
        frac = Fraction(str(value).strip())
    else:
        raise TypeError(f"not a number: {value!r}")
    return int(frac) if frac.denominator == 1 else frac


@functools.lru_cache(maxsize=4096)
def _exact_text(value: str) -> Number:
    """A weight written as text ("3/2"): a vote has a handful of distinct ones, each parsed once."""
    frac = Fraction(value.strip())
    return int(frac) if frac.denominator == 1 else frac


def simplify(value: Number) -> Number:
    """Return an ``int`` for whole fractions so results print as 12, not 12/1."""
    if isinstance(value, Fraction) and value.denominator == 1:
        return int(value)
    return value


def to_plain(value: Any) -> Any:
    """Turn exact numbers into JSON-friendly ones (whole numbers stay ints)."""
    if isinstance(value, bool) or value is None or isinstance(value, str | int):
        return value
    if isinstance(value, Fraction):
        return int(value) if value.denominator == 1 else float(value)
    if isinstance(value, float | Decimal):
        return float(value)
    if isinstance(value, Mapping):
        return {str(k): to_plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [to_plain(v) for v in value]
    if hasattr(value, "to_dict"):
        return value.to_dict()
    return str(value)


@dataclass(frozen=True, slots=True)
class Ballot:
    """One voter's ballot.

    Exactly one of ``approvals``, ``points`` or ``ranking`` carries the vote:

    * ``approvals``: the options approved (approval ballots);
    * ``points``: option -> number (score, cumulative points, quadratic votes);
    * ``ranking``: tiers best first, each tier a tuple of options ranked equal; options not
      mentioned are ranked below every mentioned one.

    ``weight`` 2 counts exactly like two identical ballots of weight 1.
    """

    voter: VoterId
    approvals: frozenset[OptionId] | None = None
    points: Mapping[OptionId, Number] | None = None
    ranking: tuple[tuple[OptionId, ...], ...] | None = None
    weight: Number = 1
    group: str | None = None

    @staticmethod
    def approval(
        voter: VoterId,
        options: Iterable[OptionId],
        weight: AnyNumber = 1,
        group: str | None = None,
    ) -> Ballot:
        return Ballot(voter, approvals=frozenset(options), weight=exact(weight), group=group)

    @staticmethod
    def scored(
        voter: VoterId,
        points: Mapping[OptionId, AnyNumber],
        weight: AnyNumber = 1,
        group: str | None = None,
    ) -> Ballot:
        return Ballot(
            voter,
            points={o: exact(p) for o, p in points.items()},
            weight=exact(weight),
            group=group,
        )

    @staticmethod
    def ranked(
        voter: VoterId,
        ranking: Sequence[OptionId | Sequence[OptionId]],
        weight: AnyNumber = 1,
        group: str | None = None,
    ) -> Ballot:
        """Build a ranked ballot; a plain string is a tier of one, a list is a tied tier."""
        tiers = tuple((t,) if isinstance(t, str) else tuple(t) for t in ranking)
        return Ballot(voter, ranking=tiers, weight=exact(weight), group=group)

    @property
    def kind(self) -> str:
        if self.ranking is not None:
            return "ranking"
        if self.points is not None:
            return "points"
        if self.approvals is not None:
            return "approval"
        return "empty"

    def mentioned(self) -> set[OptionId]:
        """Every option the ballot names (approved, given points, or ranked)."""
        if self.ranking is not None:
            return {o for tier in self.ranking for o in tier}
        if self.points is not None:
            return set(self.points)
        return set(self.approvals or ())


SUM_KINDS = ("approvals", "points", "borda")


@dataclass(frozen=True, slots=True)
class GroupSums:
    """What an additive count needs of the ballots, in place of the ballots themselves.

    For each set of voters carrying one weight (in practice a stakeholder group), ``rows``
    holds that weight, the group (None: no group) and the unweighted sum over their ballots of
    each option's contribution: 1 per approval (``kind`` "approvals"), the points given
    ("points"), or standard Borda points of strict rankings ("borda"). Adding
    ``weight * sum`` per row gives exactly what adding ``weight * contribution`` per ballot
    gives, so a database can add up a city's ballots and the count stays exact. The ballots
    are assumed valid: the methods' rules are checked on each ballot, not on sums.
    """

    kind: str
    rows: list[tuple[Number, str | None, dict[OptionId, Number]]]

    def __post_init__(self) -> None:
        if self.kind not in SUM_KINDS:
            raise CountingError(f"sums of {self.kind!r}: expected one of {', '.join(SUM_KINDS)}")


@dataclass(frozen=True, slots=True)
class Rankings:
    """Strict rankings (best first, one option in each place) with each one's voter, weight
    and group: a compact form of ranked ballots, as the app's are. IRV counts them as they are
    (a city's vote without 100,000 Ballot objects); ``ballots()`` gives them as Ballots, which
    every other method, and IRV when they hold something to report, counts instead."""

    voters: Sequence[VoterId]
    rankings: list[list[OptionId]]
    weights: list[Number]
    groups: list[str | None]

    def ballots(self) -> list[Ballot]:
        return [
            Ballot(voter, ranking=tuple([(o,) for o in ranking]), weight=weight, group=group)
            for voter, ranking, weight, group in zip(
                self.voters, self.rankings, self.weights, self.groups, strict=True
            )
        ]


@dataclass
class Approvals:
    """Approval sets (each a list of option ids) with each one's voter, weight and group: a
    compact form of approval ballots, as the app's are. MES counts them as they are (a city's
    vote without 100,000 Ballot objects); ``ballots()`` gives them as Ballots, which every
    other method counts instead."""

    voters: Sequence[VoterId]
    approvals: list[list[OptionId]]
    weights: list[Number]
    groups: list[str | None]

    def ballots(self) -> list[Ballot]:
        return [
            Ballot(voter, approvals=frozenset(approved), weight=weight, group=group)
            for voter, approved, weight, group in zip(
                self.voters, self.approvals, self.weights, self.groups, strict=True
            )
        ]


@dataclass(slots=True)
class Election:
    """Options, ballots and (for participatory budgeting) costs and a budget.

    ``sums`` replaces the ballots for the additive methods (see GroupSums); the other methods
    refuse an election given that way. ``rankings`` and ``approvals`` add ballots in a compact
    form (see Rankings and Approvals): ``tally`` turns them into Ballot objects for any method
    but the one that counts that form as it is (IRV, MES).
    """

    options: list[OptionId]
    ballots: list[Ballot]
    costs: dict[OptionId, Number] = field(default_factory=dict)
    budget: Number | None = None
    names: dict[OptionId, str] = field(default_factory=dict)
    meta: dict[str, str] = field(default_factory=dict)
    sums: GroupSums | None = None
    rankings: Rankings | None = None
    approvals: Approvals | None = None

    def with_ballots(self, keep: str | None = None) -> Election:
        """The same election with its compact ballots (Rankings, Approvals) as Ballot
        objects, after the others; ``keep`` ("rankings" or "approvals") leaves that one as
        it is."""
        ballots = list(self.ballots)
        changes: dict[str, Any] = {}
        for name in ("rankings", "approvals"):
            compact = getattr(self, name)
            if compact is not None and name != keep:
                ballots.extend(compact.ballots())
                changes[name] = None
        if not changes:
            return self
        return replace(self, ballots=ballots, **changes)

    def ballots_needed(self, method: str) -> None:
        """Raise CountingError when the method counts ballots one by one but got sums."""
        if self.sums is not None:
            raise CountingError(f"{method} counts each ballot: it cannot count from sums")

    def sums_of(self, kinds: tuple[str, ...], method: str) -> GroupSums | None:
        """The sums to count from (None: count the ballots), if they are of a usable kind."""
        if self.sums is None:
            return None
        if self.sums.kind not in kinds:
            raise CountingError(f"{method} cannot count from sums of {self.sums.kind}")
        unknown = {o for _w, _g, row in self.sums.rows for o in row} - set(self.options)
        if unknown:
            raise CountingError(f"sums name unknown options {sorted(unknown, key=natural_key)}")
        return self.sums

    def check(self, compact: str | None = None) -> None:
        """Raise CountingError if a ballot names an unknown option or has a bad weight.

        ``compact`` ("approvals"): the compact form the caller counts as it is, and checks
        as it reads it (a city's 100,000 approval sets are read once); any other compact form
        is refused (a method would count nothing of it)."""
        if self.rankings is not None:
            raise CountingError("rankings given as Rankings: count with_ballots()")
        if self.approvals is not None and compact != "approvals":
            raise CountingError("approvals given as Approvals: count with_ballots()")
        known = set(self.options)
        if len(known) != len(self.options):
            raise CountingError("duplicate option ids")
        # Ids of the weight objects already found non-negative: a vote's ballots share a
        # handful of weight objects, and comparing a Fraction per ballot is slow. (The ballots
        # keep the objects alive, so an id is not reused during the loop.)
        good_weights: set[int] = set()
        for b in self.ballots:
            approvals = b.approvals
            # The common case of a city's approval vote is checked without building a set.
            if not (
                approvals is not None
                and b.ranking is None
                and b.points is None
                and approvals <= known
            ):
                unknown = b.mentioned() - known
                if unknown:
                    raise CountingError(f"ballot {b.voter} names unknown options {sorted(unknown)}")
            weight = b.weight
            if id(weight) not in good_weights:
                if weight < 0:
                    raise CountingError(f"ballot {b.voter} has a negative weight")
                good_weights.add(id(weight))
            if b.ranking is not None:
                seen: set[str] = set()
                for tier in b.ranking:
                    if seen.intersection(tier) or len(set(tier)) != len(tier):
                        raise CountingError(f"ballot {b.voter} ranks an option twice")
                    seen.update(tier)

    def total_weight(self) -> Number:
        return simplify(sum((b.weight for b in self.ballots), Fraction(0)))


@dataclass(slots=True)
class Tie:
    """A tie the method had to break, and how.

    ``stage`` says where (e.g. "round 3 elimination", "ranking position 2"), ``options`` the
    tied ids, ``order`` the order the tie-break put them in (first = favoured) and ``rule``
    the rule that decided.
    """

    stage: str
    options: list[OptionId]
    order: list[OptionId]
    rule: str
    value: Any = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "stage": self.stage,
            "options": list(self.options),
            "order": list(self.order),
            "rule": self.rule,
        }
        if self.value is not None:
            out["value"] = to_plain(self.value)
        return out


class Deferred(Mapping[Any, Any]):
    """A mapping worked out when first read (MES's payments: one entry per voter, which a
    city's count that publishes only each group's payments need not build)."""

    def __init__(self, build: Callable[[], dict[Any, Any]]):
        self._build: Callable[[], dict[Any, Any]] | None = build
        self._data: dict[Any, Any] = {}

    def _items(self) -> dict[Any, Any]:
        if self._build is not None:
            self._data = self._build()
            self._build = None
        return self._data

    def __getitem__(self, key: Any) -> Any:
        return self._items()[key]

    def __iter__(self) -> Iterator[Any]:
        return iter(self._items())

    def __len__(self) -> int:
        return len(self._items())


@dataclass(slots=True)
class Result:
    """What a count produces: enough to publish and to explain the outcome."""

    method: str
    params: dict[str, Any] = field(default_factory=dict)
    selected: list[OptionId] = field(default_factory=list)
    ranking: list[OptionId] = field(default_factory=list)
    scores: dict[OptionId, Any] = field(default_factory=dict)
    ties: list[Tie] = field(default_factory=list)
    winners: list[OptionId] = field(default_factory=list)
    group_breakdown: dict[str, dict[OptionId, Any]] = field(default_factory=dict)
    # MES: what each voter paid for each project, and what each stakeholder group's voters
    # paid together (None: voters without a group).
    payments: Mapping[VoterId, dict[OptionId, Any]] = field(default_factory=dict)
    group_payments: dict[str | None, dict[OptionId, Any]] = field(default_factory=dict)
    rounds: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def total_cost(self) -> Number | None:
        cost = self.params.get("_costs")
        if cost is None:
            return None
        return simplify(sum((cost[o] for o in self.selected), Fraction(0)))

    def to_dict(self, *, payments: bool = False, rounds: bool = True) -> dict[str, Any]:
        """JSON-ready summary; payments are left out by default (one entry per voter)."""
        out: dict[str, Any] = {
            "method": self.method,
            "params": to_plain({k: v for k, v in self.params.items() if not k.startswith("_")}),
            "selected": list(self.selected),
            "ranking": list(self.ranking),
            "scores": to_plain(self.scores),
            "ties": [t.to_dict() for t in self.ties],
            "winners": list(self.winners),
        }
        if self.group_breakdown:
            out["group_breakdown"] = to_plain(self.group_breakdown)
        if payments and self.payments:
            out["payments"] = to_plain(self.payments)
        if rounds and self.rounds:
            out["rounds"] = to_plain(self.rounds)
        if self.notes:
            out["notes"] = list(self.notes)
        return out


def order_with_ties(
    options: Iterable[OptionId],
    score: Mapping[OptionId, Any],
    *,
    stage: str,
    rule: str = "option id order",
    descending: bool = True,
) -> tuple[list[OptionId], list[Tie]]:
    """Sort options by score (best first), breaking equal scores by natural id order.

    Returns the order and one Tie per group of equal scores that had to be ordered.
    """
    opts = sorted(options, key=natural_key)
    opts.sort(key=lambda o: score[o], reverse=descending)  # stable: keeps id order in ties
    ties: list[Tie] = []
    i = 0
    while i < len(opts):
        j = i
        while j + 1 < len(opts) and score[opts[j + 1]] == score[opts[i]]:
            j += 1
        if j > i:
            group = opts[i : j + 1]
            ties.append(
                Tie(
                    stage=f"{stage} {i + 1}-{j + 1}",
                    options=group,
                    order=group,
                    rule=rule,
                    value=score[opts[i]],
                )
            )
        i = j + 1
    return opts, ties


def weighted_totals(
    options: Iterable[OptionId],
    rows: Iterable[tuple[Number, str | None, Mapping[OptionId, Number]]],
) -> tuple[dict[OptionId, Number], dict[str, dict[OptionId, Number]]]:
    """Totals and per-group breakdown of ``weight * amount`` over (weight, group, amounts)
    rows: each sum is multiplied by its weight once (Fraction arithmetic per ballot is what
    made a city's count slow). Rows without a group count in the totals only."""
    totals: dict[OptionId, Number] = dict.fromkeys(options, 0)
    groups: dict[str, dict[OptionId, Number]] = {}
    for weight, group, row in rows:
        grouped = groups.setdefault(group, {}) if group is not None else None
        for o, amount in row.items():
            value = weight * amount
            totals[o] += value
            if grouped is not None:
                grouped[o] = grouped.get(o, 0) + value
    return (
        {o: simplify(v) for o, v in totals.items()},
        {g: {o: simplify(v) for o, v in row.items()} for g, row in groups.items()},
    )


def group_totals(ballots: Iterable[Ballot], contribution: Any) -> dict[str, dict[OptionId, Number]]:
    """Sum ``contribution(ballot) -> {option: amount}`` (already weighted) per stakeholder group.

    Ballots without a group are not broken down; returns {} when no ballot has a group.
    """
    out: dict[str, dict[OptionId, Number]] = {}
    for b in ballots:
        if b.group is None:
            continue
        row = out.setdefault(b.group, {})
        for o, amount in contribution(b).items():
            row[o] = row.get(o, 0) + amount
    return {g: {o: simplify(v) for o, v in row.items()} for g, row in out.items()}
