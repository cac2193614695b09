"""Reading or changing other people's objects by id: each request is refused (403 or 404, or a
sign-in for someone signed out) and the database is exactly as it was."""

from __future__ import annotations

import contextlib

from factories import (
    PASSWORD,
    make_cycle,
    make_organisation,
    make_panel,
    make_proposal,
    make_thread,
    make_user,
)
from helpers import Browser, csrf_from, soup
from sqlalchemy import text

from deliberate.accounts.models import Role

TABLES = [
    "cycles", "cycle_follows", "proposals", "supports", "panels", "volunteers", "threads",
    "posts", "post_revisions", "reactions", "flags", "thread_summaries", "evidence",
    "ballot_definitions", "ballots", "bulletin_entries", "voter_groups", "specifications",
    "spec_versions", "clauses", "amendments", "amendment_comments", "endorsements",
    "delivery_updates", "delivery_ratings", "notifications", "role_grants",
]  # fmt: skip


async def fingerprint(db) -> dict[str, str]:
    """Every row of the tables people's requests could change, as one digest per table."""
    digests = {}
    for table in TABLES:
        digests[table] = await db.scalar(
            text(
                f"SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM {table} t"
            )
        )
    return digests


@contextlib.asynccontextmanager
async def signed_in(app, email: str):
    async with Browser(app) as browser:
        await browser.sign_in(email, PASSWORD)
        yield browser


async def refused(browser: Browser, method: str, url: str, data: dict | None = None) -> int:
    if method == "GET":
        response = await browser.get(url)
    else:
        token = csrf_from((await browser.get("/")).text)
        response = await browser.post(url, data={"csrf_token": token, **(data or {})})
    assert response.status_code in (403, 404), (method, url, response.status_code)
    return response.status_code


async def test_another_organisations_commissioner_cannot_manage_its_cycle(app, db):
    from specs.support import build_world, clauses_of

    from deliberate.specs.models import Amendment

    world = await build_world(db)
    cycle, thread = world.cycle, world.threads[0]
    clause = (await clauses_of(db, cycle.id))[0]
    amendment = Amendment(
        clause_id=clause.id, cycle_id=cycle.id, proposer_id=world.members[0].id, base_version=1,
        base_en=clause.body_en, body_en=clause.body_en + " Weekly.", explanation="More often.",
    )  # fmt: skip
    db.add(amendment)
    await db.commit()
    other = await make_organisation(db, slug="powys", name="Powys County Council")
    await make_user(
        db,
        "outsider@example.org",
        roles=[(Role.COMMISSIONER, other), (Role.FACILITATOR, other)],
    )
    before = await fingerprint(db)
    c = f"/cycles/{cycle.id}"
    async with signed_in(app, "outsider@example.org") as outsider:
        for method, url, data in [
            ("POST", f"{c}/move", {"target": "published"}),
            ("POST", f"{c}/extend", {"end": "2030-01-01T00:00"}),
            ("GET", f"{c}/ballot", None),
            ("GET", f"{c}/flags", None),
            ("GET", f"{c}/specification/clauses/new", None),
            ("POST", f"{c}/specification/clauses/new", {"body_en": "Mine", "section": "x"}),
            ("GET", f"/clauses/{clause.id}/edit", None),
            ("POST", f"/clauses/{clause.id}/edit", {"body_en": "Changed", "reason": "mine"}),
            ("POST", f"/clauses/{clause.id}/remove", {"reason": "mine"}),
            ("POST", f"/amendments/{amendment.id}/decide", {"decision": "accepted"}),
            ("POST", f"/amendments/{amendment.id}/comments", {"body": "As an outsider"}),
            ("POST", f"/threads/{thread.id}/lock", {"reason": "Locked by outsider"}),
            ("POST", f"/threads/{thread.id}/summary", {"summary": "An outsider's summary"}),
            ("POST", f"/threads/{thread.id}/evidence", {"title": "x", "url": "https://x.org"}),
            ("POST", f"{c}/specification/endorse", {"version": "1", "stance": "endorse"}),
        ]:
            assert await refused(outsider, method, url, data) == 403, url
    assert await fingerprint(db) == before


async def test_a_private_draft_cycle_is_404_to_other_organisations_and_citizens(app, db):
    home = await make_organisation(db)
    other = await make_organisation(db, slug="powys", name="Powys County Council")
    draft = await make_cycle(db, home, stage="draft", title="Not announced yet")
    proposal = await make_proposal(db, draft, None, title="Drafted by the commissioner")
    await make_user(db, "outsider@example.org", roles=[(Role.COMMISSIONER, other)])
    await make_user(db, "citizen@example.org")
    await make_user(db, "own@example.org", roles=[(Role.COMMISSIONER, home)])
    before = await fingerprint(db)
    c = f"/cycles/{draft.id}"
    pages = [
        c, f"{c}/edit", f"{c}/proposals", f"{c}/panel", f"{c}/ballot", f"{c}/threads",
        f"{c}/results", f"{c}/specification", f"/proposals/{proposal.id}",
        f"/api/v1/cycles/{draft.id}",
    ]  # fmt: skip
    for email in ("outsider@example.org", "citizen@example.org"):
        async with signed_in(app, email) as person:
            for url in pages:
                response = await person.get(url)
                assert response.status_code == 404, (email, url, response.status_code)
                assert "Not announced yet" not in response.text
            for url, data in [
                (f"{c}/edit", {"title_en": "Taken over"}),
                (f"{c}/move", {"target": "proposals"}),
                (f"{c}/panel/configure", {"attributes": "age: under_40, over_40"}),
                (f"{c}/ballot", {"method": "approval"}),
            ]:
                assert await refused(person, "POST", url, data) == 404, url
    async with signed_in(app, "own@example.org") as own:
        assert (await own.get(c)).status_code == 200
    assert await fingerprint(db) == before


async def test_someone_elses_proposal_cannot_be_edited_or_withdrawn(app, db):
    organisation = await make_organisation(db)
    cycle = await make_cycle(db, organisation)
    author = await make_user(db, "author@example.org")
    await make_user(db, "other@example.org")
    proposal = await make_proposal(db, cycle, author, title="The author's own words")
    before = await fingerprint(db)
    async with signed_in(app, "other@example.org") as other:
        assert await refused(other, "GET", f"/proposals/{proposal.id}/edit") == 403
        for url, data in [
            (f"/proposals/{proposal.id}/edit", {"title": "Someone else's words", "body": "x" * 40}),
            (f"/proposals/{proposal.id}/withdraw", {}),
            (f"/proposals/{proposal.id}/answer", {"answer": "declined", "reason": "No."}),
        ]:
            assert await refused(other, "POST", url, data) == 403, url
    assert await fingerprint(db) == before


async def test_a_private_thread_cannot_be_read_or_posted_to_by_outsiders(app, db):
    from deliberate.deliberation.models import Evidence, Post

    organisation = await make_organisation(db)
    cycle = await make_cycle(db, organisation, stage="deliberation")
    members = [await make_user(db, f"member{i}@example.org") for i in range(3)]
    await make_panel(db, cycle, members, private=True)
    thread = await make_thread(db, cycle, title="Only for the panel")
    secret = Post(
        thread_id=thread.id, cycle_id=cycle.id, author_id=members[0].id,
        body="A private remark about a named person", path="",
    )  # fmt: skip
    db.add(secret)
    await db.flush()
    secret.path = f"{secret.id:010d}"
    evidence = Evidence(
        thread_id=thread.id, title="Private notes", summary="Notes", kind="document",
        filename="notes.txt", content_type="text/plain", content=b"private", size=7,
    )  # fmt: skip
    db.add(evidence)
    await db.commit()
    # A member of another cycle's (public) panel, and a plain citizen.
    other_cycle = await make_cycle(db, organisation, stage="deliberation", title="Other cycle")
    outsider = await make_user(db, "panellist@example.org")
    await make_panel(db, other_cycle, [outsider])
    other_thread = await make_thread(db, other_cycle, title="Public thread")
    await make_user(db, "citizen@example.org")
    before = await fingerprint(db)
    for email in ("citizen@example.org", "panellist@example.org"):
        async with signed_in(app, email) as person:
            for url in [
                f"/threads/{thread.id}",
                f"/cycles/{cycle.id}/threads",
                f"/threads/{thread.id}/summary",
                f"/threads/{thread.id}/events",
                f"/posts/{secret.id}/history",
                f"/posts/{secret.id}/edit",
                f"/evidence/{evidence.id}",
            ]:
                assert await refused(person, "GET", url) == 403, (email, url)
            for url, data in [
                (f"/threads/{thread.id}/posts", {"body": "Let me in", "stance": "neutral"}),
                (f"/posts/{secret.id}/react", {"kind": "agree"}),
                (f"/posts/{secret.id}/flag", {"reason": "I want to see it"}),
                (f"/posts/{secret.id}/edit", {"body": "Rewritten", "stance": "neutral"}),
            ]:
                assert await refused(person, "POST", url, data) == 403, (email, url)
    async with signed_in(app, "panellist@example.org") as panellist:
        # Quoting or replying to the private post from a thread the person may post in.
        page = await panellist.get(f"/threads/{other_thread.id}")
        for field in ("quote", "parent"):
            response = await panellist.post(
                f"/threads/{other_thread.id}/posts",
                data={
                    "csrf_token": csrf_from(page.text),
                    "body": "Quoting something I cannot see",
                    "stance": "neutral",
                    field: str(secret.id),
                },
            )
            assert response.status_code == 422
            assert "named person" not in response.text
    async with Browser(app) as anonymous:
        response = await anonymous.get(f"/threads/{thread.id}")
        assert response.status_code == 303 and "/signin" in response.headers["location"]
    assert await fingerprint(db) == before


async def test_a_ballot_and_its_receipt_are_only_the_voters(app, db):
    from vote.support import build_world, declare, make_voters, vote, voter_browser

    world = await build_world(db)
    cycle_id = world.cycle.id
    (_a, alice), (_b, bob) = await make_voters(db, 2)
    async with voter_browser(app, alice) as browser:
        await declare(browser, cycle_id, "carer")
        cast, submission = await vote(browser, cycle_id, {"option": ["1", "3"]})
        assert cast.status_code == 303 and "/vote/receipt" in cast.headers["location"]
        receipt = await browser.get(cast.headers["location"])
        assert receipt.status_code == 200
    code = soup(receipt).find(id="receipt-code").get_text(strip=True)
    assert len(code) >= 12
    before = await fingerprint(db)
    async with voter_browser(app, bob) as browser:
        stolen = await browser.get(f"/cycles/{cycle_id}/vote/receipt?t={submission}")
        assert stolen.status_code == 404 and code not in stolen.text
        ballot = await browser.get(f"/cycles/{cycle_id}/vote")
        assert ballot.status_code == 200
        assert "checked" not in ballot.text  # Bob's blank ballot, not Alice's choices
        for export in ("ballots.csv", "ballots.pb", "ballots.soi"):
            assert (await browser.get(f"/cycles/{cycle_id}/results/{export}")).status_code == 404
    async with Browser(app) as anonymous:
        response = await anonymous.get(f"/cycles/{cycle_id}/vote/receipt?t={submission}")
        assert response.status_code == 303 and "/signin" in response.headers["location"]
    assert await fingerprint(db) == before


async def test_notifications_are_only_their_owners(app, db):
    from deliberate.notifications import notify

    organisation = await make_organisation(db)
    cycle = await make_cycle(db, organisation)
    owner = await make_user(db, "owner@example.org")
    await make_user(db, "other@example.org")
    notify(db, owner.id, "replied", cycle_id=cycle.id,
           details={"thread_title": "The owner's private thread", "by": "Someone"})  # fmt: skip
    await db.commit()
    before = await fingerprint(db)
    async with signed_in(app, "other@example.org") as other:
        page = await other.get("/notifications")
        assert page.status_code == 200 and "private thread" not in page.text
        response = await other.submit("/notifications/read", form_page="/notifications")
        assert response.status_code == 303
    unread = await db.scalar(
        text("SELECT count(*) FROM notifications WHERE user_id = :u AND read_at IS NULL"),
        {"u": owner.id},
    )
    assert unread == 1
    assert await fingerprint(db) == before
    async with Browser(app) as anonymous:
        response = await anonymous.get("/notifications")
        assert response.status_code == 303 and "/signin" in response.headers["location"]


async def test_a_volunteers_record_is_not_shown_or_withdrawn_by_others(app, db):
    import datetime as dt

    from deliberate.deliberation.models import Volunteer

    organisation = await make_organisation(db)
    other = await make_organisation(db, slug="powys", name="Powys County Council")
    cycle = await make_cycle(db, organisation)
    panel = await make_panel(db, cycle, status="recruiting")
    volunteer = await make_user(db, "volunteer@example.org", name="Gwenllian Volunteer")
    db.add(
        Volunteer(
            panel_id=panel.id, cycle_id=cycle.id, user_id=volunteer.id,
            name="Gwenllian Volunteer", email="volunteer@example.org", attributes={},
            consent_at=dt.datetime.now(dt.UTC), status="pool",
        )
    )  # fmt: skip
    await db.commit()
    await make_user(db, "other@example.org")
    await make_user(db, "outsider@example.org", roles=[(Role.COMMISSIONER, other)])
    before = await fingerprint(db)
    for email in ("other@example.org", "outsider@example.org"):
        async with signed_in(app, email) as person:
            page = await person.get(f"/cycles/{cycle.id}/panel")
            assert page.status_code == 200
            assert "Gwenllian" not in page.text and "volunteer@example.org" not in page.text
            assert await refused(person, "POST", f"/cycles/{cycle.id}/panel/withdraw") == 404
            assert await refused(person, "POST", f"/cycles/{cycle.id}/panel/draw") == 403
    assert await fingerprint(db) == before


async def test_an_id_from_another_cycle_is_refused(app, db):
    """Path and form mixes: a proposal of cycle A merged into one of cycle B, a receipt of
    cycle A looked up under cycle B's address."""
    from vote.support import build_world, declare, make_voters, vote, voter_browser

    first = await build_world(db)
    second = await build_world(db, slug="powys")
    ((_a, alice),) = await make_voters(db, 1)
    async with voter_browser(app, alice) as browser:
        await declare(browser, first.cycle.id, "carer")
        cast, submission = await vote(browser, first.cycle.id, {"option": ["1"]})
        assert cast.status_code == 303
        assert (await browser.get(cast.headers["location"])).status_code == 200
        elsewhere = await browser.get(f"/cycles/{second.cycle.id}/vote/receipt?t={submission}")
        assert elsewhere.status_code == 404

    organisation = first.organisation
    one = await make_cycle(db, organisation, title="Cycle one")
    two = await make_cycle(db, organisation, title="Cycle two")
    author = await make_user(db, "author@example.org")
    await make_user(db, "own@example.org", roles=[(Role.COMMISSIONER, organisation)])
    duplicate = await make_proposal(db, one, author, title="A duplicate in cycle one")
    elsewhere_proposal = await make_proposal(db, two, author, title="The original in cycle two")
    before = await fingerprint(db)
    async with signed_in(app, "own@example.org") as commissioner:
        response = await commissioner.submit(
            f"/proposals/{duplicate.id}/merge",
            {"target": str(elsewhere_proposal.id)},
            form_page=f"/proposals/{duplicate.id}",
        )
        assert response.status_code == 422
        assert "same cycle" in response.text
    assert await fingerprint(db) == before


async def test_a_personal_export_holds_only_the_persons_own_records(app, db):
    organisation = await make_organisation(db)
    cycle = await make_cycle(db, organisation)
    alys = await make_user(db, "alys@example.org", name="Alys Private")
    await make_user(db, "bryn@example.org", name="Bryn")
    await make_proposal(db, cycle, alys, title="Alys's own proposal")
    async with signed_in(app, "bryn@example.org") as bryn:
        response = await bryn.get("/account/data.json")
        assert response.status_code == 200
        assert "alys" not in response.text.lower()
        assert response.json()["account"]["email"] == "bryn@example.org"
    async with Browser(app) as anonymous:
        response = await anonymous.get("/account/data.json")
        assert response.status_code == 303 and "/signin" in response.headers["location"]
