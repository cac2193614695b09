"""Counting from per-group sums gives exactly the count of the ballots themselves.

The app adds up a city's ballots in PostgreSQL and hands the engine one row per stakeholder
group (counting.GroupSums); these tests add the ballots up here, plainly, and compare the
whole result (totals, ranking, ties, group breakdown, selection) with counting the ballots.
"""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deliberate.voting.counting import Ballot, CountingError, Election, GroupSums, tally

SETTINGS = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
OPTS = ["1", "2", "3", "4", "10"]
GROUPS = ["carer", "user", None]
# Exact weights as a vote has them: one per group, Fractions included.
WEIGHTS = {"carer": Fraction(3, 2), "user": Fraction(2, 3), None: 1}


def vote_of(kind: str) -> st.SearchStrategy[dict]:
    if kind == "approvals":
        return st.frozensets(st.sampled_from(OPTS)).map(lambda s: {"approvals": s})
    if kind == "points":
        return st.dictionaries(st.sampled_from(OPTS), st.integers(0, 5)).map(
            lambda d: {"points": d}
        )
    # Strict rankings, possibly truncated, as the app's ballots are.
    return st.permutations(OPTS).flatmap(
        lambda perm: st.integers(0, len(OPTS)).map(
            lambda k: {"ranking": tuple((o,) for o in perm[:k])}
        )
    )


def ballots(kind: str) -> st.SearchStrategy[list[Ballot]]:
    return st.lists(st.tuples(vote_of(kind), st.sampled_from(GROUPS)), max_size=25).map(
        lambda items: [
            Ballot(f"v{i}", weight=WEIGHTS[g], group=g, **vote) for i, (vote, g) in enumerate(items)
        ]
    )


def plain_sums(kind: str, ballots: list[Ballot]) -> GroupSums:
    """Unweighted contributions added per group, ballot by ballot, written out here."""
    rows: dict[str | None, dict[str, int]] = {}
    for b in ballots:
        row = rows.setdefault(b.group, {})
        if kind == "approvals":
            amounts = dict.fromkeys(b.approvals or (), 1)
        elif kind == "points":
            amounts = dict(b.points or {})
        else:  # standard Borda: one point per option ranked below, unranked included
            amounts = {tier[0]: len(OPTS) - i - 1 for i, tier in enumerate(b.ranking or ())}
        for o, v in amounts.items():
            row[o] = row.get(o, 0) + v
    return GroupSums(kind, [(WEIGHTS[g], g, row) for g, row in rows.items()])


def both_ways(method: str, kind: str, ballots: list[Ballot], **election) -> tuple[dict, dict]:
    whole = Election(options=list(OPTS), ballots=ballots, **election)
    summed = Election(options=list(OPTS), ballots=[], sums=plain_sums(kind, ballots), **election)
    return tally(method, whole).to_dict(), tally(method, summed).to_dict()


@pytest.mark.parametrize(
    ("method", "kind"),
    [
        ("approval", "approvals"),
        ("score", "points"),
        ("cumulative", "points"),
        ("quadratic", "points"),
        ("borda", "borda"),
    ],
)
@SETTINGS
@given(data=st.data())
def test_additive_methods_count_the_same_from_sums(method, kind, data):
    drawn = data.draw(ballots("ranking" if kind == "borda" else kind))
    from_ballots, from_sums = both_ways(method, kind, drawn)
    assert from_sums == from_ballots


@pytest.mark.parametrize("kind", ["approvals", "points"])
@SETTINGS
@given(data=st.data())
def test_greedy_funds_the_same_from_sums(kind, data):
    drawn = data.draw(ballots(kind))
    prices = data.draw(st.lists(st.integers(1, 60), min_size=5, max_size=5))
    costs = dict(zip(OPTS, prices, strict=True))
    budget = data.draw(st.integers(10, 150))
    from_ballots, from_sums = both_ways("greedy", kind, drawn, costs=costs, budget=budget)
    assert from_sums == from_ballots


def test_a_groups_sums_are_multiplied_by_its_weight_once():
    sums = GroupSums(
        "approvals",
        [(Fraction(3, 2), "carer", {"1": 4, "2": 1}), (Fraction(2, 3), "user", {"2": 3})],
    )
    result = tally("approval", Election(options=list(OPTS), ballots=[], sums=sums))
    assert result.scores["1"] == 6 and result.scores["2"] == Fraction(7, 2)
    assert result.group_breakdown == {"carer": {"1": 6, "2": Fraction(3, 2)}, "user": {"2": 2}}
    assert result.selected == ["1"]


@pytest.mark.parametrize(
    ("method", "sums", "message"),
    [
        ("irv", GroupSums("borda", []), "counts each ballot"),
        ("schulze", GroupSums("borda", []), "counts each ballot"),
        ("mes", GroupSums("approvals", []), "counts each ballot"),
        ("score", GroupSums("approvals", []), "cannot count from sums of approvals"),
        ("approval", GroupSums("approvals", [(1, None, {"z": 1})]), "unknown options"),
    ],
)
def test_methods_refuse_sums_they_cannot_count_from(method, sums, message):
    election = Election(
        options=list(OPTS), ballots=[], sums=sums, costs=dict.fromkeys(OPTS, 1), budget=5
    )
    with pytest.raises(CountingError, match=message):
        tally(method, election)


def test_an_unknown_kind_of_sums_is_refused():
    with pytest.raises(CountingError, match="expected one of"):
        GroupSums("rankings", [])
