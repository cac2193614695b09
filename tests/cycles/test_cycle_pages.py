"""Commissioner pages (create, edit in draft, open, move, extend with a reason) and public pages
(lists by open, upcoming and past, filtered by area; the cycle page's timeline and what a person
can do now), over HTTP."""

from __future__ import annotations

import contextlib

from factories import (
    PASSWORD,
    make_cycle,
    make_organisation,
    make_panel,
    make_proposal,
    make_user,
)
from helpers import Browser, field_error, soup
from sqlalchemy import select

from deliberate.accounts.models import Role
from deliberate.audit import AuditEvent
from deliberate.cycles.models import Cycle, StageSchedule, StakeholderGroupDef
from deliberate.notifications import Notification

FORM = {
    "organisation": "ceredigion",
    "service_area": "social_care",
    "title_en": "Day opportunities 2027",
    "title_cy": "Cyfleoedd dydd 2027",
    "summary_en": "What should day services offer?",
    "summary_cy": "Beth ddylai gwasanaethau dydd ei gynnig?",
    "budget": "2,400,000",
    "categories": "Transport | Trafnidiaeth\nSkills and work | Sgiliau a gwaith",
    "group_0_name_en": "People who use the service",
    "group_0_name_cy": "Pobl sy'n defnyddio'r gwasanaeth",
    "group_0_share": "50",
    "group_1_name_en": "Carers",
    "group_1_name_cy": "Gofalwyr",
    "group_1_share": "50",
    "proposals_starts_at": "2027-01-10T09:00",
    "proposals_ends_at": "2027-02-10T17:00",
    "deliberation_starts_at": "2027-02-11T09:00",
    "deliberation_ends_at": "2027-03-10T17:00",
    "support_limit": "10",
    "panel_size": "24",
    "signoff_quorum": "67",
}


@contextlib.asynccontextmanager
async def signed_in(app, email: str):
    async with Browser(app) as browser:
        await browser.sign_in(email, PASSWORD)
        yield browser


async def test_commissioner_creates_edits_and_opens_a_cycle(app, db):
    organisation = await make_organisation(db)
    await make_user(db, "com@example.org", roles=[(Role.COMMISSIONER, organisation)])
    async with signed_in(app, "com@example.org") as browser:
        bad = await browser.submit(
            "/cycles/new", {**FORM, "group_1_share": "30", "title_en": "Day"}
        )
        assert bad.status_code == 422
        assert "add up to 100" in field_error(bad, "group_0_share")
        assert field_error(bad, "title_en")
        assert soup(bad).find("input", attrs={"name": "title_cy"})["value"] == FORM["title_cy"]

        created = await browser.submit("/cycles/new", FORM)
        assert created.status_code == 303
        cycle_path = created.headers["location"].split("?")[0]
        page = await browser.get(cycle_path)
        assert soup(page).find("h1").get_text(strip=True) == FORM["title_en"]

        edited = await browser.submit(f"{cycle_path}/edit", {**FORM, "budget": "2500000"})
        assert edited.status_code == 303
        opened = await browser.submit(
            f"{cycle_path}/move", {"target": "proposals"}, form_page=cycle_path
        )
        assert opened.status_code == 303
        # Editing is for drafts only.
        late = await browser.submit(f"{cycle_path}/edit", FORM, form_page=cycle_path)
        assert late.status_code == 409
    cycle = (await db.execute(select(Cycle))).scalar_one()
    assert (cycle.stage, cycle.budget, cycle.support_limit) == ("proposals", 2_500_000, 10)
    assert [c["key"] for c in cycle.categories] == ["transport", "skills_and_work"]
    groups = (await db.execute(select(StakeholderGroupDef))).scalars().all()
    assert sorted(float(g.target_share) for g in groups) == [0.5, 0.5]
    schedule = (await db.execute(select(StageSchedule))).scalars().all()
    assert {s.stage for s in schedule} == {"proposals", "deliberation"}
    actions = (await db.execute(select(AuditEvent.action))).scalars().all()
    assert {"cycle.created", "cycle.edited", "cycle.stage_changed"} <= set(actions)


async def test_citizens_cannot_create_or_move_cycles(app, db):
    organisation = await make_organisation(db)
    cycle = await make_cycle(db, organisation, stage="draft")
    await make_user(db, "citizen@example.org")
    async with signed_in(app, "citizen@example.org") as browser:
        assert (await browser.get("/cycles/new")).status_code == 403
        # A draft is private: it does not exist for them.
        assert (await browser.get(f"/cycles/{cycle.id}")).status_code == 404
        refused = await browser.submit(
            f"/cycles/{cycle.id}/move", {"target": "proposals"}, form_page="/"
        )
        assert refused.status_code in (403, 404)


async def test_lists_open_upcoming_and_past_filtered_by_area(client, db):
    organisation = await make_organisation(db)
    await make_cycle(db, organisation, stage="draft", title="Hidden draft")
    await make_cycle(db, organisation, stage="draft", title="Announced draft", announced=True)
    await make_cycle(db, organisation, stage="voting", title="Transport vote", service_area="transport")  # fmt: skip
    await make_cycle(db, organisation, stage="proposals", title="Care proposals")
    await make_cycle(db, organisation, stage="closed", title="Old cycle")

    page = soup(await client.get("/cycles"))

    def section(heading_id):
        return [
            a.get_text(strip=True)
            for a in page.find(attrs={"aria-labelledby": heading_id}).select("h3 a")
        ]

    assert set(section("open-heading")) == {"Transport vote", "Care proposals"}
    assert section("upcoming-heading") == ["Announced draft"]
    assert section("past-heading") == ["Old cycle"]
    assert "Hidden draft" not in page.get_text()
    filtered = soup(await client.get("/cycles?area=transport"))
    assert [a.get_text(strip=True) for a in filtered.select("#results h3 a")] == ["Transport vote"]
    # The filter as htmx sends it on change: the results block alone, the same cycles.
    fragment = await client.get("/cycles?area=transport", headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    assert "HX-Request" in fragment.headers.get("vary", "")
    assert "<html" not in fragment.text
    cards = [a.get_text(strip=True) for a in soup(fragment).select("#results h3 a")]
    assert cards == ["Transport vote"]


async def test_cycle_page_shows_timeline_and_what_you_can_do(app, db):
    organisation = await make_organisation(db)
    cycle = await make_cycle(db, organisation, stage="proposals")
    await make_user(db, "citizen@example.org")
    async with Browser(app) as visitor:
        page = soup(await visitor.get(f"/cycles/{cycle.id}"))
        current = page.find(attrs={"aria-current": "step"})
        assert "Proposals" in current.get_text()
        assert "to take part" in page.get_text()
    async with signed_in(app, "citizen@example.org") as citizen:
        page = soup(await citizen.get(f"/cycles/{cycle.id}"))
        now = page.find(attrs={"aria-labelledby": "now-heading"})
        assert now.find("a", string="Propose a priority") is not None
        assert "Support proposals" in now.get_text()
        assert page.find(attrs={"aria-labelledby": "manage-heading"}) is None


async def test_following_a_cycle_brings_stage_change_notices(app, db):
    organisation = await make_organisation(db)
    cycle = await make_cycle(db, organisation, stage="proposals")
    commissioner = await make_user(db, "com@example.org", roles=[(Role.COMMISSIONER, organisation)])
    follower = await make_user(db, "follower@example.org")
    author = await make_user(db, "author@example.org")
    await make_proposal(db, cycle, author, answer="taken_forward")
    await make_panel(db, cycle, [author])
    async with signed_in(app, "follower@example.org") as browser:
        response = await browser.submit(
            f"/cycles/{cycle.id}/follow", {"follow": "on"}, form_page=f"/cycles/{cycle.id}"
        )
        assert response.status_code == 303
    async with signed_in(app, "com@example.org") as browser:
        moved = await browser.submit(
            f"/cycles/{cycle.id}/move", {"target": "deliberation"}, form_page=f"/cycles/{cycle.id}"
        )
        assert moved.status_code == 303
    told = (await db.execute(select(Notification.user_id, Notification.kind))).all()
    assert sorted((str(u), k) for u, k in told) == sorted(
        [(str(follower.id), "stage_changed"), (str(author.id), "stage_changed")]
    )
    assert commissioner.id not in {u for u, _ in told}
    async with signed_in(app, "follower@example.org") as browser:
        notices = soup(await browser.get("/notifications")).get_text()
        assert "has moved to the Deliberation stage" in notices


async def test_going_back_needs_a_reason_and_extending_is_audited(app, db):
    organisation = await make_organisation(db)
    cycle = await make_cycle(db, organisation, stage="voting")
    await make_user(db, "com@example.org", roles=[(Role.COMMISSIONER, organisation)])
    path = f"/cycles/{cycle.id}"
    async with signed_in(app, "com@example.org") as browser:
        no_reason = await browser.submit(f"{path}/move", {"target": "deliberation"}, form_page=path)
        assert no_reason.status_code == 422
        assert "Say why" in soup(no_reason).get_text()
        past = await browser.submit(
            f"{path}/extend", {"ends_at": "2020-01-01T10:00", "reason": "More time"}, form_page=path
        )
        assert past.status_code == 422
        assert field_error(past, "ends_at")
        extended = await browser.submit(
            f"{path}/extend", {"ends_at": "2031-05-01T17:00", "reason": "Low turnout in the north"},
            form_page=path,
        )  # fmt: skip
        assert extended.status_code == 303
    event = (
        await db.execute(select(AuditEvent).where(AuditEvent.action == "cycle.stage_extended"))
    ).scalar_one()
    assert event.details["reason"] == "Low turnout in the north"
    entry = (await db.execute(select(StageSchedule))).scalar_one()
    assert entry.stage == "voting" and entry.ends_at.year == 2031
