"""The vote's rules: set-up only in draft by the commissioner, no voting without a ballot,
eligibility, stage refusals, one ballot per voter whatever the clicks, weights only from the
server's record, and the append-only bulletin with `deliberate verify`."""

from __future__ import annotations

import asyncio
import json
from fractions import Fraction

import pytest
from factories import PASSWORD, make_cycle, make_organisation, make_user
from helpers import Browser, count_rows, csrf_from, soup
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError
from vote.support import build_world, close_vote, declare, make_voters, vote, voter_browser

from deliberate.accounts.models import Role
from deliberate.audit import AuditEvent
from deliberate.cycles.models import Cycle
from deliberate.cycles.service import move_cycle
from deliberate.cycles.stages import Stage
from deliberate.errors import WrongStage
from deliberate.voting import service as voting
from deliberate.voting.cli import main as voting_cli
from deliberate.voting.models import BallotDefinition, BallotOption, CastBallot, Tally, VoterGroup


async def test_commissioner_sets_up_the_ballot_in_draft_only(app, db):
    organisation = await make_organisation(db)
    await make_user(db, "com@example.org", roles=[(Role.COMMISSIONER, organisation)])
    await make_user(db, "citizen@example.org")
    cycle = await make_cycle(db, organisation, stage="draft", announced=True)
    form = {
        "method": "mes",
        "mes_budget": "80000",
        "mes_max_approvals": "",
        "eligibility": "citizens",
        "weighting": "multiplier",
        "multiplier_uses_services": "2",
        "multiplier_carer": "1.5",
        "results_visibility": "sealed",
    }
    async with Browser(app) as citizen:
        await citizen.sign_in("citizen@example.org", PASSWORD)
        page = await citizen.get(f"/cycles/{cycle.id}/ballot")
        assert page.status_code == 403
    async with Browser(app) as browser:
        await browser.sign_in("com@example.org", PASSWORD)
        page = await browser.get(f"/cycles/{cycle.id}/ballot")
        assert page.status_code == 200
        assert soup(page).find("label", attrs={"for": "field-method-mes"}) is not None
        bad = await browser.submit(f"/cycles/{cycle.id}/ballot", {**form, "mes_budget": "lots"})
        assert bad.status_code == 422
        assert soup(bad).find(id="error-mes_budget") is not None
        saved = await browser.submit(f"/cycles/{cycle.id}/ballot", form)
        assert saved.status_code == 303
        definition = (await db.execute(select(BallotDefinition))).scalar_one()
        assert definition.method == "mes" and definition.params["budget"] == 80000
        assert definition.multipliers == {"uses_services": "2", "carer": "1.5"}
        upload = await browser.post(
            f"/cycles/{cycle.id}/ballot/eligible",
            data={"csrf_token": csrf_from(page.text)},
            files={"file": ("list.csv", b"email,group\nA@example.org,carer\nb@example.org,\n")},
        )
        assert upload.status_code == 303, upload.text
        assert await count_rows(db, "eligible_voters") == 2
        await db.execute(text("UPDATE cycles SET stage = 'proposals'"))
        await db.commit()
        late = await browser.submit(f"/cycles/{cycle.id}/ballot", form)
        assert late.status_code == 409
    actions = set((await db.execute(select(AuditEvent.action))).scalars())
    assert {"ballot.defined", "ballot.eligible_imported"} <= actions


async def test_voting_cannot_open_without_a_ballot_and_freezes_the_shortlist(db, app):
    world = await build_world(db, open_voting=False)
    await db.execute(BallotDefinition.__table__.delete())
    await db.commit()
    with pytest.raises(WrongStage) as refused:
        await move_cycle(db, None, world.cycle.id, Stage.VOTING)
    assert "Set up the ballot before voting opens" in str(refused.value.message)
    await db.rollback()
    db.info.clear()
    world2 = await build_world(db, slug="powys")
    options = (
        (
            await db.execute(
                select(BallotOption)
                .where(BallotOption.cycle_id == world2.cycle.id)
                .order_by(BallotOption.position)
            )
        )
        .scalars()
        .all()
    )
    assert [o.proposal_id for o in options] == [p.id for p in world2.proposals]
    assert [o.position for o in options] == [1, 2, 3, 4]
    definition = (
        await db.execute(
            select(BallotDefinition).where(BallotDefinition.cycle_id == world2.cycle.id)
        )
    ).scalar_one()
    assert definition.frozen_at is not None


async def test_stage_and_permission_refusals(app, db):
    world = await build_world(db, eligibility="list", open_voting=False)
    cycle_id = world.cycle.id
    (_u1, listed), (_u2, unlisted) = await make_voters(db, 2)
    email = (
        await db.execute(text("SELECT email FROM users WHERE email LIKE 'voter1-%'"))
    ).scalar_one()
    await db.execute(
        text("INSERT INTO eligible_voters (cycle_id, email, group_key) VALUES (:c, :e, 'carer')"),
        {"c": cycle_id, "e": email},
    )
    await db.commit()
    async with voter_browser(app, listed) as browser:
        early = await browser.get(f"/cycles/{cycle_id}/vote")
        assert early.status_code == 409 and "Voting has not opened yet" in early.text
    await move_cycle(db, None, cycle_id, Stage.VOTING)
    await db.commit()
    async with voter_browser(app, unlisted) as browser:
        refused = await browser.get(f"/cycles/{cycle_id}/vote")
        assert refused.status_code == 403
        assert "not on the list of people who can vote" in refused.text
    async with Browser(app) as anonymous:
        page = await anonymous.get(f"/cycles/{cycle_id}/vote")
        assert page.status_code == 303 and "/signin" in page.headers["location"]
    async with voter_browser(app, listed) as browser:
        # The list verifies the group: no question asked, and the group is recorded on casting.
        page = await browser.get(f"/cycles/{cycle_id}/vote")
        assert page.status_code == 200 and "Which group are you in?" not in page.text
        response, _ = await vote(browser, cycle_id, {"option": ["1"]})
        assert response.status_code == 303
        page = await browser.get(f"/cycles/{cycle_id}/vote")
        token = csrf_from(page.text)
        review = await browser.post(
            f"/cycles/{cycle_id}/vote/review", data={"csrf_token": token, "option": ["2"]}
        )
        hidden = {i["name"]: i["value"] for i in soup(review).select("form input[type=hidden]")}
        await close_vote(db, cycle_id)
        late = await browser.post(f"/cycles/{cycle_id}/vote/cast", data=hidden)
        assert late.status_code == 409
        assert "Voting closed at" in late.text
        late_htmx = await browser.post(
            f"/cycles/{cycle_id}/vote/cast", data=hidden, headers={"HX-Request": "true"}
        )
        assert late_htmx.status_code == 409 and late_htmx.headers["HX-Retarget"] == "#messages"
    group = (await db.execute(select(VoterGroup))).scalar_one()
    assert group.group_key == "carer" and group.verified
    assert await count_rows(db, "ballots") == 1


async def test_weights_come_only_from_the_server_record(app, db):
    world = await build_world(
        db,
        method="approval",
        weighting="multiplier",
        multipliers={"uses_services": "3", "carer": "1"},
    )
    cycle_id = world.cycle.id
    ((user_id, token),) = await make_voters(db, 1)
    async with voter_browser(app, token) as browser:
        await declare(browser, cycle_id, "carer")
        forged = {"weight": "100", "group": "uses_services", "voter_id": "someone"}
        response, _ = await vote(browser, cycle_id, {"option": ["1"]}, extra=forged)
        assert response.status_code == 303
        # Changing group after voting is refused.
        page = await browser.get(f"/cycles/{cycle_id}/vote")
        again = await browser.post(
            f"/cycles/{cycle_id}/vote/group",
            data={"csrf_token": csrf_from(page.text), "group": "uses_services"},
        )
        assert again.status_code == 409
    assert (await db.get(VoterGroup, (cycle_id, user_id))).group_key == "carer"
    await close_vote(db, cycle_id)
    tally = (await db.execute(select(Tally))).scalar_one()
    export = await voting.tally_export(db, await db.get(Cycle, cycle_id))
    ((_voter, group, weight, choice),) = export["ballots"]
    assert group == "carer" and Fraction(weight) == 1 and choice == {"approvals": ["1"]}
    assert tally.result["scores"]["1"] == 1


async def test_equal_voice_weights(db, app):
    world = await build_world(db, method="approval", weighting="equal_voice")
    voters = await make_voters(db, 4)
    for (user_id, _t), group in zip(voters, ["carer", "uses_services", "uses_services",
                                             "uses_services"], strict=True):  # fmt: skip
        db.add(VoterGroup(cycle_id=world.cycle.id, user_id=user_id, group_key=group))
        db.add(
            CastBallot(
                cycle_id=world.cycle.id,
                voter_id=user_id,
                choice={"approvals": ["1"] if group == "carer" else ["2"]},
                receipt_hash=f"{user_id.hex:0<64}",
                submission_token=user_id.hex,
            )
        )
    await db.commit()
    await close_vote(db, world.cycle.id)
    tally = (await db.execute(select(Tally))).scalar_one()
    # Half the voice each: 1 carer weighs 2, 3 users weigh 2/3 each.
    assert tally.result["scores"]["1"] == 2 and tally.result["scores"]["2"] == 2
    assert tally.summary["groups"]["carer"]["share_of_voice"] == 0.5


async def test_double_submit_makes_one_ballot_and_a_change_makes_a_new_receipt(app, db):
    world = await build_world(db, method="approval")
    cycle_id = world.cycle.id
    ((_user, token),) = await make_voters(db, 1)
    async with voter_browser(app, token) as browser:
        await declare(browser, cycle_id, "carer")
        page = await browser.get(f"/cycles/{cycle_id}/vote")
        review = await browser.post(
            f"/cycles/{cycle_id}/vote/review",
            data={"csrf_token": csrf_from(page.text), "option": ["1"]},
        )
        hidden = {i["name"]: i["value"] for i in soup(review).select("form input[type=hidden]")}
        hidden["option"] = "1"
        first, second = await asyncio.gather(
            browser.post(f"/cycles/{cycle_id}/vote/cast", data=hidden),
            browser.post(f"/cycles/{cycle_id}/vote/cast", data=hidden),
        )
        assert first.status_code == second.status_code == 303
        assert first.headers["location"] == second.headers["location"]
        third = await browser.post(
            f"/cycles/{cycle_id}/vote/cast", data=hidden, headers={"HX-Request": "true"}
        )
        receipt = soup(third).find(id="receipt-code").get_text(strip=True)
        assert await count_rows(db, "ballots") == 1
        assert await count_rows(db, "bulletin_entries") == 1
        changed, _ = await vote(browser, cycle_id, {"option": ["2"]}, htmx=True)
        new_receipt = soup(changed).find(id="receipt-code").get_text(strip=True)
        assert new_receipt != receipt
        assert "It replaces your earlier ballot" in changed.text
        # Replaying the first submission again changes nothing.
        replay = await browser.post(f"/cycles/{cycle_id}/vote/cast", data=hidden)
        assert replay.status_code == 303
    assert await count_rows(db, "ballots") == 1
    assert await count_rows(db, "bulletin_entries") == 2
    ballot = (await db.execute(select(CastBallot))).scalar_one()
    assert ballot.choice == {"approvals": ["2"]}
    await close_vote(db, cycle_id)
    async with Browser(app) as anyone:
        chain = (await anyone.get(f"/cycles/{cycle_id}/bulletin.json")).json()
        assert [e["superseded"] for e in chain["entries"]] == [True, False]
        check = await anyone.get(f"/cycles/{cycle_id}/bulletin/check?receipt={receipt}")
        assert "replaced by a newer ballot" in check.text
    # Audit: the cast is recorded, never the choice.
    casts = (
        await db.execute(select(AuditEvent).where(AuditEvent.action == "ballot.cast"))
    ).scalars()
    for event in casts:
        assert "approvals" not in json.dumps(event.details)


async def test_bulletin_is_append_only_and_verify_finds_the_break(app, db, tmp_path, capsys):
    world = await build_world(db, method="approval")
    cycle_id = world.cycle.id
    voters = await make_voters(db, 3)
    for _user, token in voters:
        async with voter_browser(app, token) as browser:
            await declare(browser, cycle_id, "carer")
            await vote(browser, cycle_id, {"option": ["1"]})
    for statement in (
        "UPDATE bulletin_entries SET receipt_hash = repeat('0', 64) WHERE seq = 2",
        "DELETE FROM bulletin_entries WHERE seq = 3",
    ):
        with pytest.raises(DBAPIError, match="append-only"):
            await db.execute(text(statement))
        await db.rollback()
    async with Browser(app) as anyone:
        document = (await anyone.get(f"/cycles/{cycle_id}/bulletin.json")).json()
    assert [e["seq"] for e in document["entries"]] == [1, 2, 3]
    good = tmp_path / "bulletin.json"
    good.write_text(json.dumps(document))
    capsys.readouterr()
    assert voting_cli(["verify", str(good)]) == 0
    assert "OK: 3 entries" in capsys.readouterr().out

    tampered = json.loads(json.dumps(document))
    tampered["entries"][1]["receipt_hash"] = "f" * 64
    bad = tmp_path / "tampered.json"
    bad.write_text(json.dumps(tampered))
    assert voting_cli(["verify", str(bad)]) == 1
    assert "BROKEN at entry 2" in capsys.readouterr().out

    removed = json.loads(json.dumps(document))
    del removed["entries"][1]
    bad.write_text(json.dumps(removed))
    assert voting_cli(["verify", str(bad)]) == 1
    assert "BROKEN at entry 2" in capsys.readouterr().out

    relinked = json.loads(json.dumps(document))
    relinked["entries"][2]["prev_hash"] = "a" * 64
    bad.write_text(json.dumps(relinked))
    assert voting_cli(["verify", str(bad)]) == 1
    assert "BROKEN at entry 3" in capsys.readouterr().out
    (tmp_path / "junk.json").write_text("{not json")
    assert voting_cli(["verify", str(tmp_path / "junk.json")]) == 2
