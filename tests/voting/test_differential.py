"""Differential tests against independent implementations (pabutools, pref_voting).

These libraries are test-only dependencies (GPL or heavy); deliberate/ never imports them.
"""

from __future__ import annotations

import random

import pytest

from deliberate.voting.counting import Ballot, Election, borda, greedy, irv, mes, schulze

pabutools = pytest.importorskip("pabutools")
pref_voting = pytest.importorskip("pref_voting")

from pabutools.election import (  # noqa: E402
    ApprovalBallot,
    ApprovalProfile,
    Cost_Sat,
    Instance,
    Project,
)
from pabutools.rules import greedy_utilitarian_welfare, method_of_equal_shares  # noqa: E402
from pref_voting.iterative_methods import instant_runoff  # noqa: E402
from pref_voting.margin_based_methods import beat_path as pv_schulze  # noqa: E402
from pref_voting.profiles import Profile  # noqa: E402
from pref_voting.scoring_methods import borda as pv_borda  # noqa: E402


def random_pb(rng: random.Random) -> tuple[Election, Instance, ApprovalProfile]:
    m = rng.randint(3, 8)
    opts = [f"p{i}" for i in range(m)]
    costs = {o: rng.randint(1, 40) for o in opts}
    budget = rng.randint(20, 120)
    ballots = []
    for i in range(rng.randint(5, 40)):
        ballots.append(Ballot.approval(f"v{i}", rng.sample(opts, rng.randint(1, m))))
    projects = {o: Project(o, costs[o]) for o in opts}
    inst = Instance(projects.values(), budget_limit=budget)
    prof = ApprovalProfile(
        [ApprovalBallot({projects[o] for o in b.approvals}) for b in ballots], instance=inst
    )
    return Election(opts, ballots, costs=costs, budget=budget), inst, prof


def test_mes_matches_pabutools_on_random_instances():
    rng = random.Random(20240501)
    compared = 0
    for _ in range(150):
        e, inst, prof = random_pb(rng)
        ours = mes(e, completion="none", arithmetic="exact")
        if ours.ties:
            continue  # tie-breaking rules differ; compare only untied runs
        theirs = method_of_equal_shares(inst, prof, sat_class=Cost_Sat)
        assert sorted(ours.selected) == sorted(p.name for p in theirs)
        compared += 1
    assert compared > 50


def test_greedy_matches_pabutools_on_random_instances():
    rng = random.Random(7)
    compared = 0
    for _ in range(400):
        e, inst, prof = random_pb(rng)
        ours = greedy(e)
        if ours.ties:
            continue
        theirs = greedy_utilitarian_welfare(inst, prof, sat_class=Cost_Sat)
        assert sorted(ours.selected) == sorted(p.name for p in theirs)
        compared += 1
    assert compared > 50


def random_profile(rng: random.Random) -> tuple[Election, Profile]:
    m = rng.randint(3, 6)
    rankings = []
    for _ in range(rng.randint(3, 25)):
        r = list(range(m))
        rng.shuffle(r)
        rankings.append(r)
    ballots = [Ballot.ranked(f"v{i}", [str(x) for x in r]) for i, r in enumerate(rankings)]
    return Election([str(i) for i in range(m)], ballots), Profile(rankings)


def test_ranked_methods_match_pref_voting():
    rng = random.Random(99)
    irv_compared = 0
    for _ in range(200):
        e, prof = random_profile(rng)
        assert schulze(e).winners == sorted(str(w) for w in pv_schulze(prof))
        assert borda(e).winners == sorted(str(w) for w in pv_borda(prof))
        ours = irv(e)
        if not ours.ties:  # pref_voting removes all tied-for-last together
            assert ours.winners == [str(w) for w in instant_runoff(prof)]
            irv_compared += 1
    assert irv_compared > 50
