"""Unit and property tests of every counting method's rules and invariants."""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction
from unittest.mock import patch

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deliberate.voting.counting import (
    METHODS,
    Ballot,
    CountingError,
    Election,
    UnknownMethodError,
    approval,
    borda,
    cumulative,
    greedy,
    irv,
    mes,
    quadratic,
    quadratic_cost,
    ranked,
    schulze,
    score,
    tally,
    validate_ballot,
)
from deliberate.voting.counting.ranked import pairwise

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
OPTS = ["a", "b", "c", "d", "e"]


# --- strategies -------------------------------------------------------------------------------


@st.composite
def rankings(draw, options=OPTS, ties=True):
    perm = draw(st.permutations(options))
    k = draw(st.integers(0, len(options)))
    tiers: list[list[str]] = []
    for o in perm[:k]:
        if tiers and ties and draw(st.booleans()) and draw(st.booleans()):
            tiers[-1].append(o)
        else:
            tiers.append([o])
    return tuple(tuple(t) for t in tiers)


def ballots_of(kind: str, ties: bool = True, min_size: int = 1, max_size: int = 12):
    weight = st.integers(1, 3)
    if kind == "approval":
        vote = st.frozensets(st.sampled_from(OPTS)).map(lambda s: {"approvals": s})
    elif kind == "points":
        vote = st.dictionaries(st.sampled_from(OPTS), st.integers(0, 5)).map(
            lambda d: {"points": d}
        )
    else:
        vote = rankings(ties=ties).map(lambda r: {"ranking": r})
    return st.lists(st.tuples(vote, weight), min_size=min_size, max_size=max_size).map(
        lambda items: [Ballot(f"v{i}", weight=w, **v) for i, (v, w) in enumerate(items)]
    )


def election_of(kind: str, ties: bool = True, budgeted: bool = False):
    costs = st.lists(st.integers(1, 60), min_size=len(OPTS), max_size=len(OPTS))
    return st.builds(
        lambda bs, cs, b: Election(
            options=list(OPTS),
            ballots=bs,
            costs=dict(zip(OPTS, cs, strict=True)) if budgeted else {},
            budget=b if budgeted else None,
        ),
        ballots_of(kind, ties),
        costs,
        st.integers(10, 150),
    )


# --- approval / score / cumulative / quadratic / borda ---------------------------------------


def test_approval_counts_and_tie_break_by_id():
    e = Election(
        ["b", "a", "c"],
        [Ballot.approval("1", ["a", "b"]), Ballot.approval("2", ["b", "a"], weight=2)],
    )
    r = approval(e)
    assert r.scores == {"a": 3, "b": 3, "c": 0}
    assert r.ranking == ["a", "b", "c"]
    assert r.winners == ["a", "b"]
    assert r.selected == ["a"]
    assert r.ties[0].options == ["a", "b"]


def test_approval_limit_is_enforced():
    e = Election(OPTS, [Ballot.approval("1", ["a", "b", "c"])])
    with pytest.raises(CountingError, match="at most 2"):
        approval(e, max_approvals=2)
    assert validate_ballot("approval", e.ballots[0], {"max_approvals": 3}) == []


def test_score_blank_conventions():
    e = Election(
        ["x", "y"],
        [Ballot.scored("1", {"x": 5, "y": 4}), Ballot.scored("2", {"y": 4})],
    )
    assert score(e, max_score=5).scores == {"x": 5, "y": 8}  # blank = 0, sum
    ignored = score(e, max_score=5, blank="ignore")
    assert ignored.scores == {"x": 5, "y": 4}  # blank ignored, mean
    assert ignored.selected == ["x"]
    with pytest.raises(CountingError):
        score(Election(["x"], [Ballot.scored("1", {"x": 7})]), max_score=5)


def test_cumulative_rules():
    b = Ballot.scored("1", {"a": 3, "b": 2})
    assert validate_ballot("cumulative", b, {"max_total": 5, "max_per_option": 3}) == []
    assert validate_ballot("cumulative", b, {"max_total": 4})
    assert validate_ballot("cumulative", b, {"max_per_option": 2})
    r = cumulative(Election(OPTS, [b, Ballot.scored("2", {"b": 4})]), max_total=5)
    assert r.scores["b"] == 6 and r.selected == ["b"]


@given(st.dictionaries(st.sampled_from(OPTS), st.integers(-6, 6)), st.integers(0, 60))
@SETTINGS
def test_quadratic_cost_is_exactly_v_squared(votes, credits):
    b = Ballot.scored("1", votes)
    assert quadratic_cost(votes) == sum(v * v for v in votes.values())
    problems = validate_ballot("quadratic", b, {"credits": credits, "allow_negative": True})
    assert (quadratic_cost(votes) > credits) == bool(problems)
    negative = validate_ballot("quadratic", b, {"credits": 10**6})
    assert bool(negative) == any(v < 0 for v in votes.values())


def test_quadratic_tally():
    e = Election(["a", "b"], [Ballot.scored("1", {"a": 3, "b": -1}), Ballot.scored("2", {"b": 2})])
    r = quadratic(e, credits=10, allow_negative=True)
    assert r.scores == {"a": 3, "b": 1}
    with pytest.raises(CountingError, match="negative"):
        quadratic(e, credits=10)


def test_borda_truncated_and_tied_conventions():
    e = Election(["a", "b", "c", "d"], [Ballot.ranked("1", ["a", ["b", "c"]])])
    r = borda(e)
    # a beats 3; b and c beat d and tie with each other (half a point); d unranked = 0.
    assert r.scores == {"a": 3, "b": Fraction(3, 2), "c": Fraction(3, 2), "d": 0}
    positional = borda(e, points=[3, 2, 1])
    assert positional.scores == {"a": 3, "b": Fraction(3, 2), "c": Fraction(3, 2), "d": 0}


@given(election_of("ranking", ties=False))
@SETTINGS
def test_borda_complete_strict_points_sum(e):
    full = [
        replace(b, ranking=b.ranking + tuple((o,) for o in OPTS if o not in b.mentioned()))
        for b in e.ballots
    ]
    e = replace(e, ballots=full)
    r = borda(e)
    m = len(OPTS)
    assert sum(r.scores.values()) == sum(b.weight for b in e.ballots) * m * (m - 1) // 2


# --- IRV ----------------------------------------------------------------------------------------


def test_irv_transfers_and_elimination():
    e = Election(
        ["a", "b", "c"],
        [
            Ballot.ranked("1", ["a"], weight=4),
            Ballot.ranked("2", ["b", "a"], weight=3),
            Ballot.ranked("3", ["c", "b"], weight=2),
        ],
    )
    r = irv(e)
    # Round 1: a 4, b 3, c 2 -> c out; round 2: a 4, b 5 -> b wins.
    assert r.winners == ["b"] and r.selected == ["b"]
    assert r.rounds[0]["eliminated"] == "c"
    assert r.ranking == ["b", "a", "c"]


def test_irv_final_tie_reports_both_winners():
    e = Election(["a", "b"], [Ballot.ranked("1", ["a"]), Ballot.ranked("2", ["b"])])
    r = irv(e)
    assert r.winners == ["a", "b"]
    assert r.selected == ["a"]
    assert r.ties and r.ties[0].stage.endswith("final")


def test_irv_split_tied_first_preferences():
    e = Election(["a", "b", "c"], [Ballot.ranked("1", [["a", "b"]]), Ballot.ranked("2", ["c"])])
    r = irv(e)
    assert r.rounds[0]["tallies"] == {"a": Fraction(1, 2), "b": Fraction(1, 2), "c": 1}


@given(election_of("ranking"))
@SETTINGS
def test_irv_winner_holds_majority_of_continuing_ballots(e):
    r = irv(e)
    last = r.rounds[-1]
    winner = r.selected[0]
    held = last["tallies"][winner]
    total = last["continuing_total"]
    if len(last["tallies"]) > 1 and total > 0:
        assert 2 * held >= total
        if not (r.ties and r.ties[-1].stage.endswith("final")):
            assert 2 * held > total


@given(election_of("ranking", ties=False), st.data())
@SETTINGS
def test_irv_on_arrays_counts_like_the_general_path(e, data):
    # Strict rankings (the app's) are counted on arrays; tied tiers by the general path.
    shares = st.sampled_from([1, 2, Fraction(2, 3), Fraction(5, 7)])
    groups = st.sampled_from(["carer", "user", None])
    e = replace(
        e,
        ballots=[
            replace(b, weight=b.weight * data.draw(shares), group=data.draw(groups))
            for b in e.ballots
        ],
    )
    assert ranked._StrictPiles.build(e, None) is not None
    with patch.object(ranked._StrictPiles, "build", return_value=None):
        general = irv(e).to_dict()
    # Every round's tallies and exhausted weight, ties, winner, first preferences by group.
    assert irv(e).to_dict() == general


def test_irv_on_arrays_leaves_bad_ballots_to_the_general_path():
    repeated = Election(["a", "b"], [Ballot("1", ranking=(("a",), ("a",)))])
    unknown = Election(["a", "b"], [Ballot.ranked("1", ["z"])])
    tied = Election(["a", "b"], [Ballot.ranked("1", [["a", "b"]])])
    for election in (repeated, unknown, tied):
        assert ranked._StrictPiles.build(election, None) is None
    with pytest.raises(CountingError, match="twice"):
        irv(repeated)
    with pytest.raises(CountingError, match="unknown"):
        irv(unknown)
    with pytest.raises(CountingError, match="at most 1"):
        irv(Election(["a", "b"], [Ballot.ranked("1", ["a", "b"])]), max_rank=1)


# --- Schulze ------------------------------------------------------------------------------------


def condorcet_winner(e: Election):
    merged: dict = {}
    for b in e.ballots:
        merged[b.ranking or ()] = merged.get(b.ranking or (), 0) + b.weight
    d = pairwise(e, merged)
    idx = {o: i for i, o in enumerate(e.options)}
    for a in e.options:
        if all(d[idx[a]][idx[b]] > d[idx[b]][idx[a]] for b in e.options if b != a):
            return a
    return None


@given(election_of("ranking"))
@SETTINGS
def test_schulze_picks_the_condorcet_winner(e):
    cw = condorcet_winner(e)
    r = schulze(e)
    if cw is not None:
        assert r.winners == [cw]
        assert r.selected == [cw]
    assert r.selected[0] in r.winners


def test_schulze_cycle_and_strengths():
    # Classic cycle a>b>c>a with different strengths: a>b 8, b>c 7, c>a 6 => a wins.
    ballots = [
        Ballot.ranked("1", ["a", "b", "c"], weight=5),
        Ballot.ranked("2", ["b", "c", "a"], weight=2),
        Ballot.ranked("3", ["c", "a", "b"], weight=4),
    ]
    # d(a,b)=9, d(b,c)=7, d(c,a)=6
    r = schulze(Election(["a", "b", "c"], ballots))
    assert r.winners == ["a"]
    assert schulze(Election(["a", "b", "c"], ballots), strength="margins").winners == ["a"]


# --- greedy and MES -----------------------------------------------------------------------------


def test_greedy_skips_what_no_longer_fits():
    e = Election(
        ["a", "b", "c"],
        [
            Ballot.approval("1", ["a", "b", "c"]),
            Ballot.approval("2", ["a", "b"]),
            Ballot.approval("3", ["a"]),
        ],
        costs={"a": 60, "b": 50, "c": 30},
        budget=100,
    )
    r = greedy(e)
    assert r.selected == ["a", "c"]
    assert r.total_cost == 90
    # Equal support: the cheaper project goes first, and the tie is reported.
    tied = greedy(replace(e, ballots=e.ballots[:2]))
    assert tied.selected == ["b", "c"]
    assert tied.ties[0].order == ["b", "a"]


def test_mes_basic_proportionality():
    # 3 voters like x1,x2 ; 1 voter likes y. Budget 4, all cost 1: MES gives y its share.
    ballots = [Ballot.approval(f"v{i}", ["x1", "x2", "x3", "x4"]) for i in range(3)]
    ballots.append(Ballot.approval("w", ["y"]))
    e = Election(
        ["x1", "x2", "x3", "x4", "y"],
        ballots,
        costs=dict.fromkeys(["x1", "x2", "x3", "x4", "y"], 1),
        budget=4,
    )
    r = mes(e, completion="none", arithmetic="exact")
    assert set(r.selected) == {"x1", "x2", "x3", "y"}
    assert r.payments["w"] == {"y": 1}
    assert sum(r.payments["v0"].values()) == 1
    assert greedy(e).selected == ["x1", "x2", "x3", "x4"]


def test_mes_add1_raises_budget_until_overspend():
    # Without completion a 2-voter project costing 3 with budget 2 each... add1 finds more.
    ballots = [
        Ballot.approval("1", ["a", "b"]),
        Ballot.approval("2", ["a"]),
        Ballot.approval("3", ["c"]),
    ]
    e = Election(["a", "b", "c"], ballots, costs={"a": 30, "b": 20, "c": 40}, budget=90)
    plain = mes(e, completion="none", arithmetic="exact")
    full = mes(e, arithmetic="exact")
    assert plain.selected == ["a"]
    assert set(full.selected) == {"a", "c", "b"} or full.total_cost <= 90
    assert full.params["final_endowment"] >= 30
    assert full.total_cost <= 90


@given(election_of("approval", budgeted=True), st.sampled_from(["none", "add1"]), st.booleans())
@SETTINGS
def test_mes_budget_respected_and_supporters_could_pay(e, completion, topup):
    r = mes(e, completion=completion, topup=topup, arithmetic="exact")
    assert r.total_cost <= e.budget
    assert len(set(r.selected)) == len(r.selected)
    total_w = sum(b.weight for b in e.ballots)
    endowment = r.params["final_endowment"]
    spent: dict[str, Fraction] = {}
    mes_part = [x["project"] for x in r.rounds if x["phase"] == "equal shares"]
    for c in mes_part:
        paid = sum(p.get(c, 0) for p in r.payments.values())
        assert paid == e.costs[c]  # exactly paid for, by ...
        for voter, p in r.payments.items():
            if c in p:
                b = next(x for x in e.ballots if x.voter == voter)
                assert c in b.approvals  # ... its supporters only ...
                spent[voter] = spent.get(voter, Fraction(0)) + p[c]
    for voter, s in spent.items():  # ... out of what they had.
        b = next(x for x in e.ballots if x.voter == voter)
        assert s <= endowment * b.weight
    assert total_w > 0


@given(election_of("approval", budgeted=True))
@SETTINGS
def test_greedy_budget_never_exceeded(e):
    r = greedy(e)
    assert r.total_cost <= e.budget
    # Greedy is exhaustive over supported projects: nothing supported still fits.
    left = e.budget - r.total_cost
    for o in e.options:
        if o not in r.selected and r.scores[o] > 0:
            assert e.costs[o] > left


def test_float_and_exact_mes_agree_on_a_near_tie():
    # Costs chosen so rho values coincide: the float run must defer to exact arithmetic.
    ballots = [Ballot.approval(str(i), ["p", "q"] if i < 3 else ["q"]) for i in range(6)]
    e = Election(["p", "q"], ballots, costs={"p": 30, "q": 60}, budget=60)
    a = mes(e, arithmetic="exact", completion="none")
    b = mes(e, completion="none")
    assert a.selected == b.selected


@pytest.mark.parametrize("kind", ["approval", "points"])
@given(data=st.data())
@SETTINGS
def test_mes_in_floats_on_arrays_selects_what_exact_arithmetic_selects(kind, data):
    # Votes in floats run on arrays (types, supporters, payments); exact runs do not. Points
    # give each supporter their own utility (approval: one per project).
    e = data.draw(election_of(kind, budgeted=True))
    shares = st.sampled_from([1, Fraction(2, 3), Fraction(5, 7), 0])
    groups = st.sampled_from(["carer", "user", None])
    e = replace(
        e,
        ballots=[
            replace(b, weight=b.weight * data.draw(shares), group=data.draw(groups))
            for b in e.ballots
        ],
    )
    if not any(b.weight for b in e.ballots):
        return
    floats, exact = mes(e), mes(e, arithmetic="exact")
    assert floats.selected == exact.selected
    # Support: the weight of the ballots approving each project, in all and by group.
    for o in OPTS:
        backing = [b for b in e.ballots if o in (b.approvals or ()) or (b.points or {}).get(o)]
        support = {b.voter: (b.points or {}).get(o, 1) for b in backing}
        assert floats.scores[o] == sum(b.weight * support[b.voter] for b in backing)
        for group in ("carer", "user"):
            mine = sum(b.weight * support[b.voter] for b in backing if b.group == group)
            assert floats.group_breakdown.get(group, {}).get(o, 0) == mine
    for voter, paid in exact.payments.items():
        assert floats.payments.get(voter, {}) == pytest.approx(
            {c: float(v) for c, v in paid.items()}, rel=1e-9, abs=1e-9
        )
    # What each group paid: the exact payments of its voters, added one by one.
    assert set(floats.group_payments) == set(exact.group_payments)
    for group, paid in exact.group_payments.items():
        mine = [exact.payments.get(b.voter, {}) for b in e.ballots if b.group == group]
        assert paid == {c: sum(p.get(c, 0) for p in mine) for c in paid}
        assert floats.group_payments[group] == pytest.approx(
            {c: float(v) for c, v in paid.items()}, rel=1e-9, abs=1e-9
        )


# --- weights: weight 2 == duplicated voter, for every method ---------------------------------

KIND = {
    "approval": "approval",
    "score": "points",
    "cumulative": "points",
    "quadratic": "points",
    "borda": "ranking",
    "irv": "ranking",
    "schulze": "ranking",
    "greedy": "approval",
    "mes": "approval",
}


@pytest.mark.parametrize("method", sorted(METHODS))
@given(data=st.data())
@SETTINGS
def test_weight_two_equals_duplicated_voter(method, data):
    budgeted = method in ("greedy", "mes")
    e = data.draw(election_of(KIND[method], budgeted=budgeted))
    i = data.draw(st.integers(0, len(e.ballots) - 1))
    b = e.ballots[i]
    doubled = replace(
        e, ballots=[*e.ballots[:i], replace(b, weight=2 * b.weight), *e.ballots[i + 1 :]]
    )
    duplicated = replace(e, ballots=[*e.ballots, replace(b, voter=b.voter + "-copy")])
    params = {"arithmetic": "exact"} if method == "mes" else {}
    r1 = tally(method, doubled, **params)
    r2 = tally(method, duplicated, **params)
    assert r1.selected == r2.selected
    assert r1.ranking == r2.ranking
    assert r1.scores == r2.scores
    assert r1.winners == r2.winners
    if method == "mes":
        p1 = r1.payments.get(b.voter, {})
        p2 = r2.payments.get(b.voter, {})
        p3 = r2.payments.get(b.voter + "-copy", {})
        assert p1 == {c: p2.get(c, 0) + p3.get(c, 0) for c in set(p2) | set(p3)}


def test_group_breakdown_and_registry():
    e = Election(
        ["a", "b"],
        [Ballot.approval("1", ["a"], group="young"), Ballot.approval("2", ["a", "b"], 2, "old")],
    )
    r = tally("approval", e)
    assert r.group_breakdown == {"young": {"a": 1}, "old": {"a": 2, "b": 2}}
    with pytest.raises(UnknownMethodError, match="known methods: approval"):
        tally("plurality-ish", e)
    assert tally("equalshares/add1", replace(e, costs={"a": 1, "b": 1}, budget=2)).selected
