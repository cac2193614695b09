"""Proposals over HTTP: proposing with bad input, sanitised Markdown, editing rights, supports
(htmx and plain, with a limit held under concurrent clicks), answers, merges and notifications."""

from __future__ import annotations

import asyncio
import contextlib

import pytest
from factories import PASSWORD, make_cycle, make_organisation, make_proposal, make_user
from helpers import Browser, field_error, soup
from sqlalchemy import select

from deliberate.accounts.models import Role
from deliberate.notifications import Notification
from deliberate.proposals.models import CommunityAsset, Proposal, Support


@pytest.fixture
async def world(db):
    organisation = await make_organisation(db)
    cycle = await make_cycle(db, organisation, stage="proposals")
    author = await make_user(db, "author@example.org", name="Awen")
    other = await make_user(db, "other@example.org", name="Osian")
    commissioner = await make_user(
        db, "com@example.org", name="Cai", roles=[(Role.COMMISSIONER, organisation)]
    )
    return {"organisation": organisation, "cycle": cycle, "author": author, "other": other,
            "commissioner": commissioner}  # fmt: skip


@contextlib.asynccontextmanager
async def signed_in(app, email: str):
    async with Browser(app) as browser:
        await browser.sign_in(email, PASSWORD)
        yield browser


GOOD = {
    "title": "A minibus for the hill villages",
    "body": "People in **Llanon** and Cross Inn cannot reach the centre without a lift.",
    "language": "en",
    "category": "transport",
    "estimated_cost": "£45,000",
    "asset_0_kind": "group",
    "asset_0_description": "The village hall committee can store the bus",
}


async def test_citizen_proposes_and_sees_it_listed(app, db, world):
    cycle = world["cycle"]
    async with signed_in(app, "author@example.org") as browser:
        response = await browser.submit(f"/cycles/{cycle.id}/proposals/new", GOOD)
        assert response.status_code == 303
        page = await browser.get(response.headers["location"])
        assert page.status_code == 200
        body = soup(page)
        assert body.find("h1").get_text(strip=True) == GOOD["title"]
        assert body.find("strong", string="Llanon") is not None
        listing = await browser.get(f"/cycles/{cycle.id}/proposals")
        titles = [a.get_text(strip=True) for a in soup(listing).select("#results h2 a")]
        assert titles == [GOOD["title"]]
    proposal = (await db.execute(select(Proposal))).scalar_one()
    assert proposal.estimated_cost == 45000 and proposal.author_id == world["author"].id
    asset = (await db.execute(select(CommunityAsset))).scalar_one()
    assert asset.kind == "group"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("title", "", "Enter this information"),
        ("title", "x" * 121, "120 characters or fewer"),
        ("body", "too short", "at least 20"),
        ("body", "y" * 6001, "6000 characters or fewer"),
        ("category", "spaceflight", "Choose one of the options"),
        ("estimated_cost", "lots", "whole pounds"),
    ],
)
async def test_bad_input_is_named_next_to_the_field_and_nothing_is_saved(
    app, db, world, field, value, message
):
    cycle = world["cycle"]
    async with signed_in(app, "author@example.org") as browser:
        response = await browser.submit(f"/cycles/{cycle.id}/proposals/new", {**GOOD, field: value})
    assert response.status_code == 422
    assert message in field_error(response, field)
    kept = soup(response).find(attrs={"name": "body"}).get_text()
    assert kept == (value if field == "body" else GOOD["body"])
    assert (await db.execute(select(Proposal))).first() is None


async def test_scripts_and_htmx_attributes_never_reach_the_page(app, db, world):
    cycle = world["cycle"]
    hostile = (
        "Hello <script>alert(1)</script> <img src=x onerror=alert(2)> "
        '<a href="javascript:alert(3)">x</a> <div hx-get="/admin" hx-trigger="load">y</div> '
        '[link](javascript:alert(4)) <button hx-on:click="alert(5)">z</button>'
    )
    async with signed_in(app, "author@example.org") as browser:
        response = await browser.submit(
            f"/cycles/{cycle.id}/proposals/new", {**GOOD, "body": hostile}
        )
        page = await browser.get(response.headers["location"])
    prose = soup(page).find(class_="prose")
    assert prose.find("script") is None and prose.find("img") is None
    assert prose.find("div") is None and prose.find("button") is None
    for tag in prose.find_all(True):
        for attribute in tag.attrs:
            assert not attribute.startswith(("hx-", "on")), (tag, attribute)
        assert "javascript:" not in str(tag.get("href", ""))
    # Shown as text, harmlessly.
    assert "alert(1)" in prose.get_text()


async def test_only_the_author_edits_or_withdraws(app, db, world):
    proposal = await make_proposal(db, world["cycle"], world["author"])
    async with signed_in(app, "other@example.org") as other:
        edit = await other.get(f"/proposals/{proposal.id}/edit")
        assert edit.status_code == 403
        token = await other.csrf_token(f"/proposals/{proposal.id}")
        posted = await other.post(
            f"/proposals/{proposal.id}/edit", data={"csrf_token": token, **GOOD}
        )
        assert posted.status_code == 403
        withdrawn = await other.post(
            f"/proposals/{proposal.id}/withdraw", data={"csrf_token": token}
        )
        assert withdrawn.status_code == 403
    async with signed_in(app, "author@example.org") as author:
        saved = await author.submit(
            f"/proposals/{proposal.id}/edit", {**GOOD, "title": "A better minibus"}
        )
        assert saved.status_code == 303
        gone = await author.submit(
            f"/proposals/{proposal.id}/withdraw", form_page=f"/proposals/{proposal.id}"
        )
        assert gone.status_code == 303
    db.expunge_all()
    row = (await db.execute(select(Proposal.title, Proposal.status))).one()
    assert tuple(row) == ("A better minibus", "withdrawn")


async def test_support_toggles_in_place_with_htmx_and_without(app, db, world):
    proposal = await make_proposal(db, world["cycle"], world["author"])
    async with signed_in(app, "other@example.org") as browser:
        token = await browser.csrf_token(f"/proposals/{proposal.id}")
        fragment = await browser.post(
            f"/proposals/{proposal.id}/support",
            data={"support": "on"},
            headers={"hx-request": "true", "x-csrf-token": token},
        )
        assert fragment.status_code == 200
        html = soup(fragment)
        assert html.find("html") is None  # a fragment, not a page
        assert html.find("button")["aria-pressed"] == "true"
        assert "1 supporter" in html.get_text()
        assert fragment.headers["vary"] == "HX-Request"
        # A double click (same request again) never makes two.
        again = await browser.post(
            f"/proposals/{proposal.id}/support",
            data={"support": "on"},
            headers={"hx-request": "true", "x-csrf-token": token},
        )
        assert "1 supporter" in soup(again).get_text()
        # Without JavaScript: a plain form POST and a redirect back.
        plain = await browser.submit(
            f"/proposals/{proposal.id}/support",
            {"support": "off"},
            form_page=f"/proposals/{proposal.id}",
        )
        assert plain.status_code == 303
    db.expunge_all()
    assert (await db.get(Proposal, proposal.id)).support_count == 0
    assert (await db.execute(select(Support))).first() is None


async def test_support_limit_holds_under_concurrent_clicks(make_app, db, world):
    from deliberate.cycles.models import Cycle

    cycle = await db.get(Cycle, world["cycle"].id)
    cycle.support_limit = 3
    await db.commit()
    proposals = [
        await make_proposal(db, cycle, world["author"], title=f"Idea number {i}") for i in range(10)
    ]
    app = make_app()
    async with signed_in(app, "other@example.org") as browser:
        token = await browser.csrf_token("/")
        responses = await asyncio.gather(
            *[
                browser.post(
                    f"/proposals/{p.id}/support",
                    data={"support": "on", "csrf_token": token},
                )
                for p in proposals
            ]
        )
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [303] * 3 + [409] * 7
    refused = next(r for r in responses if r.status_code == 409)
    assert "used all 3 of your supports" in soup(refused).get_text()
    assert len((await db.execute(select(Support))).all()) == 3
    counts = (await db.execute(select(Proposal.support_count))).scalars().all()
    assert sum(counts) == 3


async def test_supporting_after_the_stage_closed_is_409_with_a_message(app, db, world):
    proposal = await make_proposal(db, world["cycle"], world["author"])
    from deliberate.cycles.models import Cycle

    cycle = await db.get(Cycle, world["cycle"].id)
    cycle.stage = "deliberation"
    await db.commit()
    async with signed_in(app, "other@example.org") as browser:
        response = await browser.submit(
            f"/proposals/{proposal.id}/support", {"support": "on"}, form_page="/"
        )
        assert response.status_code == 409
        assert "not possible while the cycle is at the Deliberation stage" in soup(
            response
        ).get_text(" ")


async def test_answering_needs_the_commissioner_and_notifies_the_author(app, db, world):
    proposal = await make_proposal(db, world["cycle"], world["author"])
    answer = {"answer": "taken_forward", "reason": "It came up again and again in our visits."}
    async with signed_in(app, "other@example.org") as citizen:
        refused = await citizen.submit(f"/proposals/{proposal.id}/answer", answer, form_page="/")
        assert refused.status_code == 403
    async with signed_in(app, "com@example.org") as commissioner:
        short = await commissioner.submit(
            f"/proposals/{proposal.id}/answer", {**answer, "reason": "ok"},
            form_page=f"/proposals/{proposal.id}",
        )  # fmt: skip
        assert short.status_code == 422
        assert field_error(short, "reason")
        done = await commissioner.submit(
            f"/proposals/{proposal.id}/answer", answer, form_page=f"/proposals/{proposal.id}"
        )
        assert done.status_code == 303
    async with signed_in(app, "author@example.org") as author:
        home = await author.get("/")
        assert soup(home).find(class_="badge").get_text(" ", strip=True).startswith("1")
        notices = await author.get("/notifications")
        assert "has an answer from the commissioner" in soup(notices).get_text()
        page = await author.get(f"/proposals/{proposal.id}")
        assert "Taken forward to deliberation" in soup(page).get_text()
    notification = (await db.execute(select(Notification))).scalar_one()
    assert notification.user_id == world["author"].id


async def test_merge_carries_supports_without_counting_anyone_twice(app, db, world):
    cycle = world["cycle"]
    keep = await make_proposal(db, cycle, world["author"], title="Evening social club")
    duplicate = await make_proposal(db, cycle, world["other"], title="Weekend and evening club")
    both = await make_user(db, "both@example.org")
    only_dup = await make_user(db, "dup@example.org")
    for user, proposal in [(both, keep), (both, duplicate), (only_dup, duplicate)]:
        db.add(Support(proposal_id=proposal.id, user_id=user.id, cycle_id=cycle.id))
    keep.support_count, duplicate.support_count = 1, 2
    await db.commit()
    async with signed_in(app, "com@example.org") as commissioner:
        response = await commissioner.submit(
            f"/proposals/{duplicate.id}/merge",
            {"target": str(keep.id)},
            form_page=f"/proposals/{duplicate.id}",
        )
        assert response.status_code == 303
        old = await commissioner.get(f"/proposals/{duplicate.id}")
        assert old.status_code == 301
        assert old.headers["location"] == f"/proposals/{keep.id}"
    db.expunge_all()
    kept = await db.get(Proposal, keep.id)
    assert kept.support_count == 2
    supporters = (
        (await db.execute(select(Support.user_id).where(Support.proposal_id == keep.id)))
        .scalars()
        .all()
    )
    assert sorted(map(str, supporters)) == sorted([str(both.id), str(only_dup.id)])
    merged = await db.get(Proposal, duplicate.id)
    assert merged.status == "merged" and merged.merged_into_id == keep.id
    told = (await db.execute(select(Notification.user_id))).scalars().all()
    assert set(told) == {world["other"].id, both.id, only_dup.id}


async def test_visitors_are_asked_to_sign_in_to_propose(app, world):
    async with Browser(app) as visitor:
        response = await visitor.get(f"/cycles/{world['cycle'].id}/proposals/new")
        assert response.status_code == 303
        assert response.headers["location"].startswith("/signin?next=")


async def test_extra_form_fields_such_as_author_status_or_counts_are_ignored(app, db, world):
    cycle = world["cycle"]
    async with signed_in(app, "author@example.org") as browser:
        response = await browser.submit(
            f"/cycles/{cycle.id}/proposals/new",
            {
                **GOOD,
                "author_id": str(world["other"].id),
                "status": "merged",
                "answer": "taken_forward",
                "support_count": "999",
                "role": "admin",
            },
        )
        assert response.status_code == 303
        assert (await browser.get("/admin")).status_code == 403
    proposal = (await db.execute(select(Proposal))).scalar_one()
    assert proposal.author_id == world["author"].id
    assert (proposal.status, proposal.answer, proposal.support_count) == ("open", None, 0)
