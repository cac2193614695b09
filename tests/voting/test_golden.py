"""Golden tests: real elections in ../shared/data reproduce their official outcomes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from deliberate.voting.cli import main
from deliberate.voting.counting import greedy, irv, mes, schulze, tally
from deliberate.voting.formats import read_pb, read_preflib

MES_FILES = [
    "Poland_Wieliczka_2023_Green_Budget",  # equalshares/add1-comparison, 6586 voters
    "Poland_Swiecie_2023",
    "Netherlands_Assen_2024",
    "Netherlands_Assen_2025",
]
GREEDY_FILES = [
    "Poland_Warszawa_2019_Muranow",
    "Poland_Warszawa_2019_Srodmiescie_Poludniowe",
    "Poland_Krakow_2023_Stare_Miasto",  # ordinal, 3/2/1 points
]


@pytest.mark.parametrize("name", MES_FILES)
def test_mes_reproduces_official_outcome(pabulib_dir: Path, name: str):
    pb = read_pb(pabulib_dir / f"{name}.pb")
    official = pb.official_selection()
    assert official, "the file should carry a selected column"
    r = tally(pb.rule, pb.election)
    assert sorted(r.selected) == sorted(official)
    assert r.total_cost <= pb.election.budget
    # Payments explain the outcome: each funded project is paid for in full.
    for c in r.selected:
        paid = sum(p.get(c, 0) for p in r.payments.values())
        assert paid == pytest.approx(float(pb.election.costs[c]), rel=1e-9)


def test_wieliczka_needs_add1_without_exhaustive_stop(pabulib_dir: Path):
    pb = read_pb(pabulib_dir / "Poland_Wieliczka_2023_Green_Budget.pb")
    official = sorted(pb.official_selection() or [])
    stopped = mes(pb.election, stop_when_exhaustive=True)
    assert sorted(stopped.selected) != official  # the early stop is not what the city ran


def test_exact_arithmetic_agrees_on_assen_2025(pabulib_dir: Path):
    pb = read_pb(pabulib_dir / "Netherlands_Assen_2025.pb")
    exact = mes(pb.election, arithmetic="exact")
    assert sorted(exact.selected) == sorted(pb.official_selection() or [])
    assert exact.selected == mes(pb.election).selected


@pytest.mark.parametrize("name", GREEDY_FILES)
def test_greedy_reproduces_official_outcome(pabulib_dir: Path, name: str):
    pb = read_pb(pabulib_dir / f"{name}.pb")
    max_rank = int(pb.meta["max_length"]) if pb.vote_type == "ordinal" else None
    r = greedy(pb.election, max_rank=max_rank)
    assert sorted(r.selected) == sorted(pb.official_selection() or [])


@pytest.mark.parametrize(
    "name",
    [
        "Poland_Krakow_2023_Stare_Miasto",
        "France_Toulouse_2019",
        "Poland_Czestochowa_2020_Grabowka",
        "Switzerland_Zurich_D5",
    ],
)
def test_support_matches_published_scores_and_votes(pabulib_dir: Path, name: str):
    pb = read_pb(pabulib_dir / f"{name}.pb")
    r = greedy(pb.election, max_rank=3 if pb.vote_type == "ordinal" else None)
    for pid, row in pb.projects.items():
        if row.get("score"):
            assert r.scores[pid] == int(row["score"]), pid
        voters = sum(1 for b in pb.election.ballots if pid in b.mentioned())
        assert voters == int(row["votes"]), pid


def test_cli_follows_rule_metadata(pabulib_dir: Path, capsys):
    path = pabulib_dir / "Poland_Swiecie_2023.pb"
    assert main(["tally", str(path), "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["method"] == "equalshares/add1"
    assert sorted(out["selected"]) == sorted(read_pb(path).official_selection() or [])


PREFLIB_WINNERS = {
    ("burlington", "00005-00000002.toi"): ("irv", "Bob Kiss"),
    ("debian", "00002-00000006.toc"): ("schulze", "Stefano Zacchiroli"),
    ("nswla", "00058-00000001.soi"): ("irv", "APLIN Greg"),
    ("nswla", "00058-00000003.soi"): ("irv", "SMITH Tamara"),
    ("nswla", "00058-00000004.soi"): ("irv", "PARKER Jamie"),
    ("nswla", "00058-00000173.soi"): ("irv", "GREENWICH Alex"),
    ("nswla", "00058-00000273.soi"): ("irv", "REGAN Michael"),
}


@pytest.mark.parametrize(("folder", "file"), sorted(PREFLIB_WINNERS))
def test_preflib_official_winners(preflib_dir: Path, folder: str, file: str):
    method, winner = PREFLIB_WINNERS[(folder, file)]
    pf = read_preflib(preflib_dir / folder / file)
    r = tally(method, pf.election)
    assert [pf.election.names[w] for w in r.winners] == [winner]


def test_burlington_condorcet_winner_differs_from_irv(preflib_dir: Path):
    pf = read_preflib(preflib_dir / "burlington" / "00005-00000002.toi")
    names = pf.election.names
    assert [names[w] for w in schulze(pf.election).winners] == ["Andy Montroll"]
    assert [names[w] for w in irv(pf.election).winners] == ["Bob Kiss"]
