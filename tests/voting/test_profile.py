"""Counting each group's distinct ballots once, weighted by how many cast them, gives exactly
the count of every ballot, in any order.

The app counts IRV, Schulze and MES from such a profile (PostgreSQL groups a city's ballots)
and publishes the shuffled ballots themselves; a recount of the published file must give the
stored result to the last digit, MES's floating-point figures (rho per round) included.
"""

from __future__ import annotations

import random
from collections import Counter
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deliberate.voting.counting import (
    Approvals,
    Ballot,
    CountingError,
    Election,
    Rankings,
    greedy,
    mes,
    schulze,
    tally,
)
from deliberate.voting.exports import BallotProfile, election_from_profile

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
OPTS = ["1", "2", "3", "4", "10"]
COSTS = {"1": 43, "2": 29, "3": 61, "4": 13, "10": 37}
WEIGHTS = {"carer": Fraction(10, 7), "user": Fraction(5, 3), None: Fraction(7, 11)}


def choices(kind: str) -> st.SearchStrategy[dict]:
    if kind == "approval":
        return st.frozensets(st.sampled_from(OPTS), min_size=1, max_size=3).map(
            lambda s: {"approvals": s}
        )
    return st.permutations(OPTS).flatmap(
        lambda perm: st.integers(0, len(OPTS)).map(
            lambda k: {"ranking": tuple((o,) for o in perm[:k])}
        )
    )


def profile(ballots: list[Ballot]) -> list[Ballot]:
    """Each group's distinct ballots once, with its weight times their number."""
    counted = Counter((b.approvals, b.ranking, b.group) for b in ballots)
    return [
        Ballot(f"t{i}", approvals=a, ranking=r, weight=WEIGHTS[g] * n, group=g)
        for i, ((a, r, g), n) in enumerate(counted.items())
    ]


@pytest.mark.parametrize(
    ("method", "kind"), [("irv", "ranking"), ("schulze", "ranking"), ("mes", "approval")]
)
@SETTINGS
@given(data=st.data())
def test_a_profile_counts_like_every_ballot_in_any_order(method, kind, data):
    # Few distinct ballots, so many are cast more than once.
    distinct = data.draw(st.lists(choices(kind), min_size=1, max_size=12))
    drawn = data.draw(
        st.lists(
            st.tuples(st.sampled_from(distinct), st.sampled_from(list(WEIGHTS))),
            min_size=1,
            max_size=60,
        )
    )
    ballots = [
        Ballot(f"v{i}", weight=WEIGHTS[g], group=g, **choice) for i, (choice, g) in enumerate(drawn)
    ]
    shuffled = ballots[:]
    random.Random(data.draw(st.integers(0, 2**32))).shuffle(shuffled)
    extra = {"costs": COSTS, "budget": 100} if method == "mes" else {}

    def count(these: list[Ballot]) -> dict:
        result = tally(method, Election(options=list(OPTS), ballots=these, **extra))
        # MES: what each group paid, in floats, to the last digit too.
        return {**result.to_dict(), "group_payments": result.group_payments}

    whole = count(ballots)
    assert count(shuffled) == whole  # to the last digit: MES's rho per round included
    assert count(profile(shuffled)) == whole


@pytest.mark.parametrize("method", ["irv", "schulze", "borda"])
@SETTINGS
@given(data=st.data())
def test_rankings_count_like_their_ballots(method, data):
    # IRV counts Rankings as they are; tally gives any other method their Ballot objects.
    drawn = data.draw(
        st.lists(
            st.tuples(choices("ranking"), st.sampled_from(list(WEIGHTS))), min_size=1, max_size=30
        )
    )
    rankings = Rankings(
        [f"v{i}" for i in range(len(drawn))],
        [[tier[0] for tier in choice["ranking"]] for choice, _g in drawn],
        [WEIGHTS[g] for _c, g in drawn],
        [g for _c, g in drawn],
    )
    compact = Election(options=list(OPTS), ballots=[], rankings=rankings)
    assert compact.with_ballots().ballots == rankings.ballots()
    assert tally(method, compact).to_dict() == tally(method, compact.with_ballots()).to_dict()


def test_rankings_given_to_a_method_that_counts_ballots_are_refused_not_ignored():
    compact = Election(["1", "2"], [], rankings=Rankings(["v1"], [["2", "1"]], [1], [None]))
    with pytest.raises(CountingError, match="with_ballots"):
        schulze(compact)  # called directly, not through tally
    assert tally("schulze", compact).winners == ["2"]


@pytest.mark.parametrize("method", ["mes", "greedy", "approval"])
@SETTINGS
@given(data=st.data())
def test_approvals_count_like_their_ballots(method, data):
    # MES counts Approvals as they are (on arrays); tally gives any other method Ballots.
    # An option listed twice on one ballot counts once, as in a Ballot's set.
    drawn = data.draw(
        st.lists(
            st.tuples(
                st.lists(st.sampled_from(OPTS), max_size=4), st.sampled_from([*WEIGHTS, "zero"])
            ),
            min_size=1,
            max_size=30,
        )
    )
    weight = {**WEIGHTS, "zero": 0}
    approvals = Approvals(
        [f"v{i}" for i in range(len(drawn))],
        [chosen for chosen, _g in drawn],
        [weight[g] for _c, g in drawn],
        [None if g == "zero" else g for _c, g in drawn],
    )
    compact = Election(list(OPTS), [], costs=COSTS, budget=100, approvals=approvals)
    assert compact.with_ballots().ballots == approvals.ballots()
    if sum(approvals.weights) == 0 and method == "mes":
        with pytest.raises(CountingError, match="positive weight"):
            tally(method, compact)
        return
    fast = tally(method, compact)
    ballots = tally(method, compact.with_ballots())
    assert fast.to_dict() == ballots.to_dict()
    assert dict(fast.payments) == dict(ballots.payments)
    assert fast.group_payments == ballots.group_payments
    if method == "mes":  # what each group paid adds up to what its voters paid
        groups = dict(zip(approvals.voters, approvals.groups, strict=True))
        for group, paid in fast.group_payments.items():
            for option, amount in paid.items():
                of_voters = sum(
                    p.get(option, 0) for v, p in fast.payments.items() if groups[v] == group
                )
                assert amount == pytest.approx(of_voters, rel=1e-12)


def test_approvals_given_to_a_method_that_counts_ballots_are_refused_not_ignored():
    compact = Election(
        ["1", "2"],
        [],
        costs={"1": 1, "2": 1},
        budget=1,
        approvals=Approvals(["v1"], [["2"]], [1], [None]),
    )
    with pytest.raises(CountingError, match="with_ballots"):
        greedy(compact)  # called directly, not through tally
    assert tally("greedy", compact).selected == ["2"]
    assert mes(compact).selected == ["2"]


@pytest.mark.parametrize(
    ("approvals", "weights", "message"),
    [
        ([["1"], ["1", "9"]], [1, 1], r"ballot v1 names unknown options \['9'\]"),
        ([["1"], ["2"]], [1, -1], "ballot v1 has a negative weight"),
        ([["1"], ["2", 5]], [1, 1], r"ballot v1 names unknown options \[5\]"),
        ([["1"], [["2"]]], [1, 1], "ballot v1 approves something not an option id"),
        ([["1"], 2], [1, 1], "ballot v1 approves something not an option id"),
    ],
)
def test_mes_says_which_compact_ballot_is_wrong(approvals, weights, message):
    given = Approvals(["v0", "v1"], approvals, weights, [None, None])
    election = Election(["1", "2"], [], costs={"1": 1, "2": 1}, budget=2, approvals=given)
    with pytest.raises(CountingError, match=message):
        mes(election)


def test_a_profile_election_names_each_distinct_ballot_when_read():
    profile = BallotProfile()
    profile.add("carer", [{"approvals": ["1", "2"]}, {"approvals": ["3"]}], [2, 1])
    profile.add(None, [{"approvals": ["2"]}], [4])
    export = {
        "method": "mes",
        "budget": 90,
        "options": [{"id": o, "title": o, "cost": COSTS[o]} for o in ("1", "2", "3")],
    }
    election = election_from_profile(export, profile, {"carer": Fraction(3, 2), None: 1})
    assert profile.per_group == {"carer": 3, None: 4}
    names = election.approvals.voters
    assert list(names) == ["t1", "t2", "t3"] == names[:] == [names[0], names[1], names[-1]]
    with pytest.raises(IndexError):
        names[3]
    assert election.approvals.weights == [3, Fraction(3, 2), 4]
    result = tally("mes", election)
    assert set(result.payments) <= {"t1", "t2", "t3"}
    assert result.payments == tally("mes", election.with_ballots()).payments
