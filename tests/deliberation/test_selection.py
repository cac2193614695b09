"""Panel selection by stratified lot: quotas, maximin fairness, reproducible draws."""

from __future__ import annotations

import hashlib
import itertools
import math
import random
from fractions import Fraction

import highspy
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deliberate.deliberation.selection import (
    Candidate,
    Quota,
    QuotasInfeasible,
    Selection,
    check_quotas,
    draw_number,
    public_report,
    replacement,
    select_panel,
)

# ---------------------------------------------------------------------------------------------
# Helpers


def pool(spec: dict[str, int], attribute: str = "group") -> list[Candidate]:
    """{"a": 3, "b": 2} -> five candidates, three with group=a and two with group=b."""
    out = []
    for value, count in spec.items():
        for _ in range(count):
            out.append(Candidate(f"v{len(out) + 1}", {attribute: value}))
    return out


def random_pool(n: int, seed: int = 1) -> list[Candidate]:
    r = random.Random(seed)
    attrs = {
        "age": (["16-29", "30-44", "45-64", "65+"], [0.15, 0.25, 0.35, 0.25]),
        "gender": (["f", "m", "x"], [0.55, 0.43, 0.02]),
        "area": (["north", "south", "east", "west", "centre"], [0.1, 0.2, 0.3, 0.25, 0.15]),
        "education": (["low", "mid", "high"], [0.2, 0.3, 0.5]),
    }
    return [
        Candidate(f"v{i}", {a: r.choices(vals, w)[0] for a, (vals, w) in attrs.items()})
        for i in range(n)
    ]


def census_quotas(size: int) -> list[Quota]:
    shares = {
        "age": {"16-29": 0.2, "30-44": 0.25, "45-64": 0.3, "65+": 0.25},
        "gender": {"f": 0.5, "m": 0.49, "x": 0.01},
        "area": {v: 0.2 for v in ["north", "south", "east", "west", "centre"]},
        "education": {"low": 0.3, "mid": 0.4, "high": 0.3},
    }
    return [
        Quota(a, v, math.floor(s * size), math.floor(s * size) + 1)
        for a, values in shares.items()
        for v, s in values.items()
    ]


def meets(panel, candidates, quotas) -> bool:
    by_id = {c.id: c for c in candidates}
    for q in quotas:
        have = sum(1 for i in panel if by_id[i].features.get(q.attribute) == q.value)
        if not q.minimum <= have <= q.maximum:
            return False
    return True


def check_invariants(sel: Selection, candidates, size, quotas) -> None:
    ids = {c.id for c in candidates}
    assert set(sel.probabilities) == ids
    total = 0.0
    for panel, weight in sel.distribution:
        assert len(panel) == size
        assert panel <= ids
        assert meets(panel, candidates, quotas)
        assert weight > 0
        total += weight
    assert total == pytest.approx(1.0, abs=1e-9)
    assert frozenset(sel.panel) in {p for p, _ in sel.distribution}
    assert len(sel.panel) == size
    assert meets(sel.panel, candidates, quotas)
    assert sum(sel.probabilities.values()) == pytest.approx(size, abs=1e-6)
    for p in sel.probabilities.values():
        assert -1e-9 <= p <= 1 + 1e-9
        assert p < 1e-9 or p >= sel.minimum_probability - 1e-6
    assert sel.minimum_probability == pytest.approx(
        min(p for p in sel.probabilities.values() if p > 1e-9)
    )
    for row in sel.quota_report:
        assert row["met"]
        assert row["minimum"] - 1e-6 <= row["expected"] <= row["maximum"] + 1e-6


def brute_force_maximin(candidates, size, quotas) -> float | None:
    """Enumerate every valid panel and solve the maximin LP over all of them, per volunteer."""
    ids = [c.id for c in candidates]
    panels = [set(p) for p in itertools.combinations(ids, size) if meets(p, candidates, quotas)]
    if not panels:
        return None
    coverable = [i for i in ids if any(i in p for p in panels)]
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    inf = highspy.kHighsInf
    h.changeObjectiveSense(highspy.ObjSense.kMaximize)
    for _ in coverable:
        h.addRow(0.0, inf, 0, [], [])
    h.addRow(1.0, 1.0, 0, [], [])
    h.addCol(1.0, -inf, inf, len(coverable), list(range(len(coverable))), [-1.0] * len(coverable))
    for p in panels:
        rows = [r for r, i in enumerate(coverable) if i in p]
        h.addCol(0.0, 0.0, inf, len(rows) + 1, [*rows, len(coverable)], [1.0] * (len(rows) + 1))
    h.run()
    assert h.getModelStatus() == highspy.HighsModelStatus.kOptimal
    return h.getSolution().col_value[0]


# ---------------------------------------------------------------------------------------------
# Distribution and probabilities


def test_no_quotas_gives_everyone_the_same_chance():
    candidates = pool({"a": 7, "b": 4})
    sel = select_panel(candidates, 4, [], "s")
    check_invariants(sel, candidates, 4, [])
    for p in sel.probabilities.values():
        assert p == pytest.approx(4 / 11, abs=1e-12)
    assert sel.minimum_probability == pytest.approx(4 / 11, abs=1e-12)


def test_whole_pool_selected_when_size_equals_pool():
    candidates = pool({"a": 3, "b": 2})
    sel = select_panel(candidates, 5, [Quota("group", "a", 1, 3)], "s")
    assert sel.panel == ["v1", "v2", "v3", "v4", "v5"]
    assert all(p == pytest.approx(1.0) for p in sel.probabilities.values())


def test_skewed_pool_minority_gets_more_but_minimum_is_maximised():
    # 90 of one group, 10 of a minority that must have at least 5 of 10 seats.
    candidates = pool({"majority": 90, "minority": 10})
    quotas = [Quota("group", "minority", 5, 10), Quota("group", "majority", 0, 10)]
    sel = select_panel(candidates, 10, quotas, "nature")
    check_invariants(sel, candidates, 10, quotas)
    major = [sel.probabilities[c.id] for c in candidates if c.features["group"] == "majority"]
    minor = [sel.probabilities[c.id] for c in candidates if c.features["group"] == "minority"]
    # Maximin gives the minority exactly its 5 seats: every extra seat would come from the
    # majority, whose members are the least likely.
    assert min(major) == pytest.approx(5 / 90, abs=1e-9)
    assert max(major) == pytest.approx(5 / 90, abs=1e-9)
    assert min(minor) == pytest.approx(0.5, abs=1e-9)
    assert sel.minimum_probability == pytest.approx(5 / 90, abs=1e-9)


def test_volunteers_who_can_never_be_selected_get_zero_and_do_not_drag_the_minimum():
    candidates = pool({"a": 4, "b": 3, "c": 2})
    quotas = [Quota("group", "c", 0, 0)]
    sel = select_panel(candidates, 3, quotas, "s")
    check_invariants(sel, candidates, 3, quotas)
    for c in candidates:
        if c.features["group"] == "c":
            assert sel.probabilities[c.id] == 0.0
        else:
            assert sel.probabilities[c.id] == pytest.approx(3 / 7, abs=1e-9)
    assert sel.minimum_probability == pytest.approx(3 / 7, abs=1e-9)


def test_two_attributes_match_brute_force():
    r = random.Random(5)
    candidates = [
        Candidate(str(i), {"age": r.choice("yyo"), "area": r.choice("nns")}) for i in range(10)
    ]
    quotas = [
        Quota("age", "y", 1, 2),
        Quota("age", "o", 2, 3),
        Quota("area", "n", 1, 3),
        Quota("area", "s", 1, 2),
    ]
    expected = brute_force_maximin(candidates, 4, quotas)
    assert expected is not None
    sel = select_panel(candidates, 4, quotas, "s")
    check_invariants(sel, candidates, 4, quotas)
    assert sel.minimum_probability == pytest.approx(expected, abs=1e-6)


def test_same_profile_same_probability():
    candidates = random_pool(120, seed=3)
    quotas = census_quotas(12)
    sel = select_panel(candidates, 12, quotas, "profile")
    check_invariants(sel, candidates, 12, quotas)
    by_profile: dict[tuple, set[float]] = {}
    for c in candidates:
        key = tuple(sorted(c.features.items()))
        by_profile.setdefault(key, set()).add(round(sel.probabilities[c.id], 9))
    assert all(len(v) == 1 for v in by_profile.values())


def test_pool_of_500_panel_of_30_four_attributes():
    # Its speed is measured in docs/performance.md (1.2-1.4 s), not asserted here.
    candidates = random_pool(500)
    quotas = census_quotas(30)
    sel = select_panel(candidates, 30, quotas, "2024-05-01 public draw")
    check_invariants(sel, candidates, 30, quotas)


# ---------------------------------------------------------------------------------------------
# The draw


def test_same_seed_same_panel_different_seed_usually_different():
    candidates = random_pool(60, seed=2)
    quotas = census_quotas(10)
    first = select_panel(candidates, 10, quotas, "seed-a")
    again = select_panel(list(reversed(candidates)), 10, list(reversed(quotas)), "seed-a")
    assert first.panel == again.panel
    assert first.distribution == again.distribution
    panels = {tuple(select_panel(candidates, 10, quotas, f"seed-{i}").panel) for i in range(3)}
    assert len(panels) > 1


def test_draw_can_be_reproduced_from_published_weights_and_seed():
    candidates = random_pool(40, seed=4)
    quotas = census_quotas(8)
    sel = select_panel(candidates, 8, quotas, "published seed 123")
    digest = hashlib.sha256(b"published seed 123").hexdigest()
    u = Fraction(int(digest, 16), 2**256)
    assert u == draw_number("published seed 123")
    running = Fraction(0)
    drawn = None
    for panel, weight in sel.distribution:
        running += Fraction(weight)
        if running > u:
            drawn = panel
            break
    assert drawn is not None
    assert sorted(drawn) == sorted(sel.panel)


def test_panel_is_listed_in_natural_id_order():
    candidates = [Candidate(str(i), {}) for i in range(1, 13)]
    sel = select_panel(candidates, 12, [], "s")
    assert sel.panel == [str(i) for i in range(1, 13)]


def test_public_report_has_no_ids_and_points_at_the_drawn_panel():
    candidates = pool({"a": 6, "b": 4})
    quotas = [Quota("group", "b", 2, 2)]
    sel = select_panel(candidates, 4, quotas, "s")
    report = public_report(sel)
    text = repr(report)
    assert "'v1'" not in text
    assert len(report["probabilities"]) == 10
    drawn = report["distribution"][report["drawn_panel_index"]]["panel"]
    ids = sorted(sel.probabilities, key=lambda i: int(i[1:]))
    assert sorted(ids[n - 1] for n in drawn) == sorted(sel.panel)


# ---------------------------------------------------------------------------------------------
# Infeasible quotas are named


def test_input_errors():
    with pytest.raises(ValueError, match="duplicate"):
        select_panel([Candidate("1", {}), Candidate("1", {})], 1, [], "s")
    with pytest.raises(ValueError, match="size"):
        select_panel([Candidate("1", {})], 0, [], "s")
    with pytest.raises(ValueError, match="two quotas"):
        check_quotas(pool({"a": 3}), 1, [Quota("group", "a", 0, 1), Quota("group", "a", 0, 2)])


def test_size_larger_than_pool():
    with pytest.raises(QuotasInfeasible) as e:
        select_panel(pool({"a": 3}), 5, [], "s")
    assert e.value.problems == ["only 3 volunteers for a panel of 5"]
    with pytest.raises(QuotasInfeasible, match="only 1 volunteer for a panel of 2"):
        select_panel(pool({"a": 1}), 2, [], "s")


def test_minimum_larger_than_pool_count_names_the_quota():
    candidates = pool({"16-29": 2, "30+": 20}, attribute="age_band")
    quotas = [Quota("age_band", "16-29", 4, 6)]
    assert check_quotas(candidates, 10, quotas) == [
        "age_band = 16-29: minimum 4 but only 2 volunteers have it"
    ]
    with pytest.raises(QuotasInfeasible, match="age_band = 16-29: minimum 4 but only 2"):
        select_panel(candidates, 10, quotas, "s")


def test_minimums_over_panel_size():
    candidates = pool({"north": 20, "south": 20}, attribute="area")
    quotas = [Quota("area", "north", 15, 20), Quota("area", "south", 15, 20)]
    assert check_quotas(candidates, 24, quotas) == [
        "area: the minimums add up to 30, more than the panel size 24"
    ]


def test_maximums_under_panel_size():
    candidates = pool({"north": 20, "south": 20}, attribute="area")
    quotas = [Quota("area", "north", 0, 10), Quota("area", "south", 0, 10)]
    assert check_quotas(candidates, 24, quotas) == [
        "area: the maximums add up to 20, less than the panel size 24"
    ]


def test_minimum_above_maximum():
    problems = check_quotas(pool({"a": 5}), 3, [Quota("group", "a", 3, 2)])
    assert "group = a: minimum 3 is more than maximum 2" in problems


def test_combination_of_quotas_is_named():
    # Each attribute is fine alone, but the young are all in the north, and the panel of 4
    # needs at least 3 young and at most 1 from the north.
    candidates = [
        Candidate("1", {"age": "young", "area": "north"}),
        Candidate("2", {"age": "young", "area": "north"}),
        Candidate("3", {"age": "young", "area": "north"}),
        Candidate("4", {"age": "old", "area": "south"}),
        Candidate("5", {"age": "old", "area": "south"}),
        Candidate("6", {"age": "old", "area": "south"}),
    ]
    quotas = [
        Quota("age", "young", 3, 4),
        Quota("age", "old", 0, 4),
        Quota("area", "north", 0, 1),
        Quota("area", "south", 0, 4),
    ]
    problems = check_quotas(candidates, 4, quotas)
    assert problems[0].startswith("no panel of 4 meets all quotas together")
    assert "age = young (minimum 3, maximum 4)" in problems[0]
    assert "area = north (minimum 0, maximum 1)" in problems[0]
    assert "old" not in problems[0]
    assert "south" not in problems[0]
    with pytest.raises(QuotasInfeasible) as e:
        select_panel(candidates, 4, quotas, "s")
    assert e.value.problems == problems


# ---------------------------------------------------------------------------------------------
# Replacements


def replacement_pool() -> list[Candidate]:
    rows = [
        ("1", "young", "north", "bus"),
        ("2", "young", "south", "car"),
        ("3", "old", "north", "car"),
        ("4", "old", "south", "bus"),
        ("5", "young", "north", "car"),
        ("6", "old", "north", "bus"),
        ("7", "young", "south", "bus"),
        ("8", "young", "north", "bus"),
        ("9", "old", "south", "car"),
    ]
    return [Candidate(i, {"age": a, "area": r, "travel": t}) for i, a, r, t in rows]


def test_replacement_keeps_quotas_and_prefers_same_features():
    candidates = replacement_pool()
    quotas = [Quota("age", "young", 2, 2), Quota("area", "north", 2, 2)]
    panel = ["1", "2", "3", "4"]  # young north, young south, old north, old south
    assert meets(panel, candidates, quotas)
    choice = replacement(candidates, panel, "1", quotas, "seed")
    # Only young-north volunteers keep the quotas; "8" also shares travel=bus.
    assert choice == "8"
    assert replacement(candidates, panel, "1", quotas, "seed") == choice
    new_panel = [i for i in panel if i != "1"] + [choice]
    assert meets(new_panel, candidates, quotas)
    # Once 8 is also excluded (declined earlier), 5 is the only young north volunteer left.
    assert replacement(candidates, panel, "1", quotas, "seed", exclude=["8"]) == "5"
    assert replacement(candidates, panel, "1", quotas, "seed", exclude=["8", "5"]) is None


def test_replacement_is_deterministic_and_depends_on_seed():
    candidates = [Candidate(str(i), {"g": "a"}) for i in range(1, 41)]
    panel = [str(i) for i in range(1, 6)]
    picks = {replacement(candidates, panel, "3", [], f"seed-{k}") for k in range(8)}
    assert len(picks) > 1
    assert all(p not in panel for p in picks)
    assert replacement(candidates, panel, "3", [], "x") == replacement(
        candidates, list(reversed(panel)), "3", [], "x"
    )


def test_replacement_when_panel_already_breaks_quotas_does_not_make_it_worse():
    candidates = replacement_pool()
    quotas = [Quota("age", "young", 3, 3)]
    panel = ["1", "3", "4", "6"]  # only one young: already short by 2
    choice = replacement(candidates, panel, "3", quotas, "s")
    assert candidates[int(choice) - 1].features["age"] == "young"


# ---------------------------------------------------------------------------------------------
# Property test against brute force

values = st.sampled_from(["a", "b", "c"])


@st.composite
def instances(draw):
    n = draw(st.integers(1, 12))
    attributes = draw(st.sampled_from([["x"], ["x", "y"]]))
    candidates = [Candidate(f"c{i}", {a: draw(values) for a in attributes}) for i in range(n)]
    size = draw(st.integers(1, min(5, n + 1)))
    quotas = []
    for a in attributes:
        for v in draw(st.sets(values, max_size=3)):
            lo = draw(st.integers(0, 3))
            hi = draw(st.integers(lo, 5))
            quotas.append(Quota(a, v, lo, hi))
    return candidates, size, quotas


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances())
def test_random_instances_against_brute_force(instance):
    candidates, size, quotas = instance
    expected = brute_force_maximin(candidates, size, quotas) if size <= len(candidates) else None
    try:
        sel = select_panel(candidates, size, quotas, "prop")
    except QuotasInfeasible as e:
        assert expected is None
        assert e.problems
        return
    assert expected is not None
    check_invariants(sel, candidates, size, quotas)
    assert sel.minimum_probability == pytest.approx(expected, abs=1e-6)
