"""Every method end to end over HTTP, with and without htmx: the ballot page, the review, the cast
and its receipt, the close (tally in the closing transaction), the results page, and the open
data, re-counted with `deliberate tally` to exactly the published result."""

from __future__ import annotations

import json

import pytest
from helpers import count_rows, soup
from sqlalchemy import select
from vote.support import build_world, close_vote, declare, make_voters, vote, voter_browser

from deliberate.voting.cli import main as voting_cli
from deliberate.voting.models import CastBallot, Tally

# Three voters' choices per method (option ids are ballot positions 1..4).
CHOICES = {
    "approval": [{"option": ["1", "2"]}, {"option": ["2"]}, {"option": ["3", "2", "4"]}],
    "score": [
        {"points_1": "5", "points_2": "3"},
        {"points_2": "4", "points_3": "1"},
        {"points_1": "0", "points_4": "2"},
    ],
    "cumulative": [
        {"points_1": "6", "points_2": "4"},
        {"points_2": "10"},
        {"points_3": "5", "points_4": "5"},
    ],
    "quadratic": [
        {"points_1": "3", "points_2": "4"},
        {"points_2": "5"},
        {"points_3": "2", "points_4": "1"},
    ],
    "borda": [
        {"rank_1": "1", "rank_2": "2", "rank_3": "3"},
        {"rank_2": "1", "rank_1": "2"},
        {"rank_3": "1", "rank_2": "2", "rank_4": "3", "rank_1": "4"},
    ],
    "greedy": [{"option": ["1", "3"]}, {"option": ["2"]}, {"option": ["3", "4"]}],
    "mes": [{"option": ["1", "3"]}, {"option": ["2", "4"]}, {"option": ["3", "4"]}],
}
CHOICES["irv"] = CHOICES["borda"]
CHOICES["schulze"] = CHOICES["borda"]
PARAMS = {
    "score": {"max_score": 5},
    "cumulative": {"max_total": 10},
    "quadratic": {"credits": 25},
    "greedy": {"budget": 60_000},
    "mes": {"budget": 60_000},
}


def _form(choice: dict) -> dict:
    return {k: v for k, v in choice.items()}


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
@pytest.mark.parametrize("method", sorted(CHOICES))
async def test_each_method_end_to_end(app, db, tmp_path, capsys, method, htmx):
    world = await build_world(db, method=method, params=PARAMS.get(method), weighting="equal_voice")
    cycle_id = world.cycle.id
    voters = await make_voters(db, 3)
    receipts = []
    for (_user, token), choice, group in zip(
        voters, CHOICES[method], ["uses_services", "carer", "carer"], strict=True
    ):
        async with voter_browser(app, token) as browser:
            await declare(browser, cycle_id, group)
            response, _submission = await vote(browser, cycle_id, _form(choice), htmx=htmx)
            if htmx:
                assert response.status_code == 200, response.text
                page = response
            else:
                assert response.status_code == 303, response.text
                page = await browser.get(response.headers["location"])
                assert page.status_code == 200
            heading = soup(page).find(id="confirmation-heading").get_text(strip=True)
            assert heading == "Your vote has been counted"
            receipts.append(soup(page).find(id="receipt-code").get_text(strip=True))
    assert len(set(receipts)) == 3
    assert await count_rows(db, "ballots") == 3
    assert await count_rows(db, "bulletin_entries") == 3

    # Sealed until the close.
    async with voter_browser(app, voters[0][1]) as browser:
        sealed = await browser.get(f"/cycles/{cycle_id}/results")
        assert "sealed until voting closes" in sealed.text
        assert (await browser.get(f"/cycles/{cycle_id}/results/ballots.pb")).status_code == 404

    await close_vote(db, cycle_id)
    tally = (await db.execute(select(Tally))).scalar_one()
    assert tally.ballots_counted == 3 and tally.method == method

    async with voter_browser(app, voters[0][1]) as browser:
        results = await browser.get(f"/cycles/{cycle_id}/results")
        assert results.status_code == 200
        body = soup(results)
        assert body.find("svg", attrs={"role": "img"}) is not None
        rows = body.select("section[aria-labelledby=ranking-heading] table tbody tr")
        assert len(rows) == 4
        assert body.find(id="turnout-heading") is not None
        if method == "mes":
            assert body.find(id="payments-heading") is not None
        pb = await browser.get(f"/cycles/{cycle_id}/results/ballots.pb")
        assert pb.status_code == 200
        csv_file = await browser.get(f"/cycles/{cycle_id}/results/ballots.csv")
        assert csv_file.status_code == 200 and csv_file.text.count("\n") == 4
        for receipt in receipts:
            check = await browser.get(f"/cycles/{cycle_id}/bulletin/check?receipt={receipt}")
            assert "Found: your receipt is entry number" in check.text
            assert "That ballot was counted." in check.text
    # No user id, e-mail or receipt in the open data.
    for user_id, _token in voters:
        assert str(user_id) not in pb.text and str(user_id) not in csv_file.text

    path = tmp_path / "ballots.pb"
    path.write_text(pb.text)
    capsys.readouterr()
    assert voting_cli(["tally", str(path), "--format", "json"]) == 0
    recount = json.loads(capsys.readouterr().out)
    for key in ("selected", "ranking", "scores"):
        assert recount[key] == tally.result[key], key
    assert recount["ties"] == tally.result["ties"]


async def test_live_feedback_and_reorder_without_javascript(app, db):
    world = await build_world(db, method="cumulative", params={"max_total": 10})
    ((_user, token),) = await make_voters(db, 1)
    async with voter_browser(app, token) as browser:
        await declare(browser, world.cycle.id, "carer")
        page = await browser.get(f"/cycles/{world.cycle.id}/vote")
        csrf = soup(page).find("input", attrs={"name": "csrf_token"})["value"]
        data = {"csrf_token": csrf, "points_1": "7", "points_2": "5"}
        fragment = await browser.post(
            f"/cycles/{world.cycle.id}/ballot/check", data=data, headers={"HX-Request": "true"}
        )
        assert fragment.status_code == 200
        text = soup(fragment).find(id="ballot-feedback").get_text(" ", strip=True)
        assert "Points used: 12" in text and "Points left: -2" in text
        assert "more than the rules allow" in text
        assert "<html" not in fragment.text
        # The same rules on the server: the review refuses the ballot.
        refused = await browser.post(f"/cycles/{world.cycle.id}/vote/review", data=data)
        assert refused.status_code == 422
        assert "you have 10 to share out" in refused.text

    ranked = await build_world(db, method="irv", slug="hywel-dda")
    ((_user, token),) = await make_voters(db, 1, prefix="ranker")
    async with voter_browser(app, token) as browser:
        await declare(browser, ranked.cycle.id, "carer")
        page = await browser.get(f"/cycles/{ranked.cycle.id}/vote")
        csrf = soup(page).find("input", attrs={"name": "csrf_token"})["value"]
        moved = await browser.post(
            f"/cycles/{ranked.cycle.id}/vote",
            data={"csrf_token": csrf, "rank_1": "1", "rank_2": "2", "move": "2:up"},
        )
        assert moved.status_code == 200
        selects = soup(moved).select("select[name^=rank_]")
        ranks = {s["name"]: (s.find("option", selected=True) or {}).get("value") for s in selects}
        assert ranks["rank_2"] == "1" and ranks["rank_1"] == "2"
        labels = [label.get_text(strip=True) for label in soup(moved).select("ol.ranking label")]
        assert labels[0] == "Evening sessions at the day centre"


async def test_stored_ballot_matches_choice(app, db):
    world = await build_world(db, method="approval")
    ((user_id, token),) = await make_voters(db, 1)
    async with voter_browser(app, token) as browser:
        await declare(browser, world.cycle.id, "uses_services")
        response, _ = await vote(browser, world.cycle.id, {"option": ["2", "4"]})
        assert response.status_code == 303
    ballot = (await db.execute(select(CastBallot))).scalar_one()
    assert ballot.voter_id == user_id and ballot.choice == {"approvals": ["2", "4"]}
