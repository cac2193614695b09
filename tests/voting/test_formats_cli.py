"""Readers/writers for .pb and PrefLib files, group weights, and the `tally` command."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from deliberate.voting.cli import main
from deliberate.voting.counting import (
    Ballot,
    CountingError,
    Election,
    approval,
    group_normalised_weights,
)
from deliberate.voting.formats import FormatError, read_pb, read_preflib, write_pb, write_preflib

PB = """META
key;value
description;Test
budget;100
vote_type;approval
rule;greedy
PROJECTS
project_id;cost;name
1;60;"Park; with a semicolon"
2;50;Bench
3;30;Lights
VOTES
voter_id;vote
a;1,2
b;1
c;3,2
"""


def test_read_pb_and_round_trip(tmp_path: Path):
    pb = read_pb("t.pb", text=PB)
    e = pb.election
    assert e.options == ["1", "2", "3"]
    assert e.names["1"] == "Park; with a semicolon"
    assert e.budget == 100 and e.costs["3"] == 30
    assert e.ballots[0].approvals == frozenset({"1", "2"})
    again = read_pb("u.pb", text=write_pb(e)).election
    assert [(b.voter, b.approvals) for b in again.ballots] == [
        (b.voter, b.approvals) for b in e.ballots
    ]
    assert again.costs == e.costs and again.names == e.names


@given(
    st.lists(
        st.tuples(
            st.dictionaries(st.sampled_from(["x", "y", "z"]), st.integers(1, 9), min_size=1),
            st.fractions(min_value=Fraction(1, 4), max_value=5, max_denominator=4),
            st.sampled_from([None, "g1", "g2"]),
        ),
        max_size=8,
    )
)
@settings(max_examples=40, deadline=None)
def test_cumulative_pb_round_trip_keeps_points_weights_groups(rows):
    ballots = [Ballot.scored(f"v{i}", pts, weight=w, group=g) for i, (pts, w, g) in enumerate(rows)]
    e = Election(["x", "y", "z"], ballots, costs={"x": 1, "y": Fraction(5, 2), "z": 3}, budget=7)
    back = read_pb("r.pb", text=write_pb(e, vote_type="cumulative")).election
    assert [(b.points, b.weight, b.group) for b in back.ballots] == [
        (dict(b.points), b.weight, b.group) for b in ballots
    ]
    assert back.costs == e.costs


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        (PB.replace("c;3,2", "c;3,9"), 16, "unknown project '9'"),
        (PB.replace("3;30;Lights", "3;abc;Lights"), 11, "cost of project 3 is not a number"),
        (PB.replace("b;1", "b;1;extra"), 15, "3 fields, the VOTES header has 2"),
        (PB.replace("project_id;cost;name", "id;cost;name"), 8, "must start with 'project_id'"),
        (PB.replace("a;1,2", "a;1,1"), 14, "appears twice"),
    ],
)
def test_malformed_pb_names_the_line(text: str, line: int, message: str):
    with pytest.raises(FormatError, match=message) as info:
        read_pb("bad.pb", text=text)
    assert info.value.line == line
    assert f"line {line}" in str(info.value)


TOI = """# FILE NAME: t.toi
# DATA TYPE: toi
# ALTERNATIVE NAME 1: Ann
# ALTERNATIVE NAME 2: Bob
# ALTERNATIVE NAME 3: Cy
3: 1,{2,3}
2: 2
1: {1,2},3
"""


def test_preflib_read_write_round_trip():
    pf = read_preflib("t.toi", text=TOI)
    e = pf.election
    assert e.options == ["1", "2", "3"] and e.names["2"] == "Bob"
    assert e.ballots[0].ranking == (("1",), ("2", "3")) and e.ballots[0].weight == 3
    text = write_preflib(e)
    back = read_preflib("t.toi", text=text).election
    got = sorted((b.ranking, b.weight) for b in back.ballots)
    assert got == sorted((b.ranking, b.weight) for b in e.ballots)


@pytest.mark.parametrize(
    ("suffix", "body", "message"),
    [
        ("soi", "2: 1,{2,3}", "cannot contain ties"),
        ("soc", "2: 1,2", "complete rankings"),
        ("toi", "x: 1,2", "not a whole number"),
        ("toi", "1: 1,4", "unknown alternative"),
        ("toi", "1: 1,{2,3", "unclosed"),
        ("toi", "1 1,2", "expected 'count: ranking'"),
    ],
)
def test_malformed_preflib_names_the_line(suffix: str, body: str, message: str):
    header = "".join(f"# ALTERNATIVE NAME {i}: {n}\n" for i, n in ((1, "A"), (2, "B"), (3, "C")))
    text = header + "1: 3,2,1\n" + body + "\n"
    with pytest.raises(FormatError, match=message) as info:
        read_preflib(f"t.{suffix}", text=text)
    assert info.value.line == 5


# --- group-normalised weights -------------------------------------------------------------


def test_group_normalised_weights_give_each_group_its_target():
    voters = {"a": "residents", "b": "residents", "c": "residents", "d": "providers"}
    w = group_normalised_weights(voters, {"residents": 0.5, "providers": 0.5})
    assert w == {"a": Fraction(2, 3), "b": Fraction(2, 3), "c": Fraction(2, 3), "d": 2}
    # The providers' single voter now outweighs each resident as the targets require.
    e = Election(
        ["x", "y"],
        [
            Ballot.approval(v, ["x" if g == "residents" else "y"], w[v], g)
            for v, g in voters.items()
        ],
    )
    r = approval(e)
    assert r.scores == {"x": 2, "y": 2}
    assert r.group_breakdown == {"residents": {"x": 2}, "providers": {"y": 2}}


def test_empty_group_share_is_redistributed():
    w = group_normalised_weights({"a": "g1", "b": "g2"}, {"g1": 1, "g2": 1, "g3": 2})
    assert w == {"a": 1, "b": 1}  # g3 has no voters: targets renormalised over g1, g2
    assert sum(w.values()) == 2
    with pytest.raises(CountingError):
        group_normalised_weights({"a": "unknown"}, {"g1": 1})


@given(st.lists(st.sampled_from(["g1", "g2", "g3"]), min_size=1, max_size=30))
@settings(max_examples=50, deadline=None)
def test_group_totals_equal_targets(groups):
    voters = {f"v{i}": g for i, g in enumerate(groups)}
    targets = {"g1": Fraction(1, 2), "g2": Fraction(1, 3), "g3": Fraction(1, 6)}
    w = group_normalised_weights(voters, targets)
    present = set(groups)
    total_target = sum(targets[g] for g in present)
    for g in present:
        share = Fraction(sum(w[v] for v, gv in voters.items() if gv == g)) / len(voters)
        assert share == targets[g] / total_target


# --- CLI ----------------------------------------------------------------------------------


def test_cli_json_and_text(tmp_path: Path, capsys):
    f = tmp_path / "e.pb"
    f.write_text(PB, encoding="utf-8")
    assert main(["tally", str(f), "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["method"] == "greedy"
    # 1 and 2 tie on 2 votes: the cheaper 2 goes first, then 1 no longer fits, 3 does.
    assert out["selected"] == ["2", "3"]
    assert out["scores"] == {"1": 2, "2": 2, "3": 1}
    assert out["ties"][0]["order"] == ["2", "1"]
    assert main(["tally", str(f), "--method", "mes", "--budget-increment", "5"]) == 0
    text = capsys.readouterr().out
    assert "budget 100" in text and "rank" in text


def test_cli_ranked_file_gives_winners(tmp_path: Path, capsys):
    f = tmp_path / "e.toi"
    f.write_text(TOI, encoding="utf-8")
    assert main(["tally", str(f), "--method", "schulze", "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["winners"] == ["1"]
    assert out["method"] == "schulze"


def test_cli_errors_exit_2(tmp_path: Path, capsys):
    f = tmp_path / "bad.pb"
    f.write_text(PB.replace("c;3,2", "c;3,9"), encoding="utf-8")
    assert main(["tally", str(f)]) == 2
    err = capsys.readouterr().err
    assert "line 16" in err and "unknown project" in err
    assert main(["tally", str(f), "--method", "nonsense"]) == 2
    err = capsys.readouterr().err
    assert "known methods" in err and "schulze" in err and "mes" in err
    g = tmp_path / "ok.pb"
    g.write_text(PB, encoding="utf-8")
    assert main(["tally", str(g), "--method", "irv"]) == 2
    assert "ranked ballots only" in capsys.readouterr().err
