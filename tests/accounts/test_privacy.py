"""Personal data over HTTP against the real database: the download of everything held about a
person (theirs and nobody else's, in a fixed number of queries), and the deletion of their
account: personal data gone, every session ended, public contributions kept without their name,
their ballot still counted with the same weight and the bulletin's chain intact."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
from pathlib import Path

import pytest
from factories import PASSWORD, make_cycle, make_organisation, make_panel, make_thread, make_user
from helpers import Browser, count_rows, field_error, soup
from sqlalchemy import select, text
from vote.support import build_world, close_vote, declare, make_voters, vote, voter_browser

from deliberate import audit
from deliberate.accounts.models import Role, User
from deliberate.audit import AuditEvent
from deliberate.cycles.models import Cycle, CycleFollow
from deliberate.deliberation.models import Post, Volunteer
from deliberate.notifications import Notification
from deliberate.proposals.models import Proposal, Support
from deliberate.security import SESSION_COOKIE
from deliberate.voting import service as voting
from deliberate.voting.cli import main as voting_cli
from deliberate.voting.models import CastBallot, Tally


async def _signed_in(app, email: str) -> Browser:
    """A browser signed in as `email`: close it with `aclose()`, or use `signed_in`."""
    browser = Browser(app)
    await browser.sign_in(email, PASSWORD)
    return browser


@contextlib.asynccontextmanager
async def signed_in(app, email: str):
    async with Browser(app) as browser:
        await browser.sign_in(email, PASSWORD)
        yield browser


async def _give(db, user, cycle, *, proposals: int, title: str) -> None:
    """Records of every kind that hang off a person, written straight to the database."""
    made = []
    for i in range(proposals):
        proposal = Proposal(
            cycle_id=cycle.id, author_id=user.id, title=f"{title} {i}", body="Because."
        )
        db.add(proposal)
        made.append(proposal)
    await db.flush()
    for proposal in made:
        db.add(Support(proposal_id=proposal.id, user_id=user.id, cycle_id=cycle.id))
    db.add(CycleFollow(cycle_id=cycle.id, user_id=user.id))
    db.add(Notification(user_id=user.id, kind="answered", cycle_id=cycle.id, details={"t": title}))
    await db.commit()


# --- download ----------------------------------------------------------------------------------


async def test_download_holds_my_data_and_nobody_elses_in_a_fixed_number_of_queries(app, db):
    organisation = await make_organisation(db)
    cycle = await make_cycle(db, organisation, stage="proposals")
    alys = await make_user(db, "alys@example.org", name="Alys Hughes")
    bryn = await make_user(db, "bryn@example.org", name="Bryn Davies")
    await _give(db, alys, cycle, proposals=6, title="Alys's idea")
    await _give(db, bryn, cycle, proposals=1, title="Bryn's idea")
    voting_world = await build_world(db, slug="powys")
    db.add(
        CastBallot(
            cycle_id=voting_world.cycle.id,
            voter_id=alys.id,
            choice={"approvals": ["2"]},
            receipt_hash="a" * 64,
            submission_token="alys-token",
        )
    )
    await audit.record(db, alys, "ballot.cast", voting_world.cycle, {"replaced": False})
    await db.commit()

    async with signed_in(app, "alys@example.org") as browser:
        page = await browser.get("/account")
        link = soup(page).find("a", string="Your data")
        assert link is not None and link["href"] == "/account/data"
        data_page = await browser.get("/account/data")
        assert data_page.status_code == 200
        download = soup(data_page).find("a", string="Download your data")
        response = await browser.get(download["href"])
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("application/json")
        assert response.headers["content-disposition"].startswith(
            'attachment; filename="deliberate-data-'
        )
        assert response.headers["cache-control"] == "no-store"
        alys_queries = int(response.headers["x-query-count"])
        assert alys_queries <= 25  # the session, one query per kind of record, the audit event
    exported = response.json()
    assert exported["format"] == "deliberate-personal-data-v1"
    assert exported["account"]["email"] == "alys@example.org"
    assert exported["account"]["has_password"] is True
    assert "password_hash" not in exported["account"]
    titles = sorted(p["title"] for p in exported["proposals"])
    assert titles == [f"Alys's idea {i}" for i in range(6)]
    assert len(exported["supports"]) == 6
    assert [f["cycle_id"] for f in exported["follows"]] == [str(cycle.id)]
    assert [n["details"] for n in exported["notifications"]] == [{"t": "Alys's idea"}]
    assert len(exported["sessions"]) == 1 and "id" not in exported["sessions"][0]
    (ballot,) = exported["ballots"]
    assert ballot["choice"] == {"approvals": ["2"]} and "submission_token" not in ballot
    assert len(ballot["receipt"]) == 24  # five groups of four, with dashes
    assert exported["cycles"][str(cycle.id)]["title_en"] == cycle.title_en
    # What she did, and what was done to her account (the command line made it).
    actions = {e["action"]: e["by_you"] for e in exported["audit_events"]}
    assert actions == {"account.created": False, "ballot.cast": True}
    # Nobody else's data: Bryn appears nowhere in the file.
    raw = response.text
    assert "bryn@example.org" not in raw and "Bryn" not in raw and str(bryn.id) not in raw

    # The download is audited, and costs the same queries for a person with far less data.
    events = await count_rows(
        db, "audit_events", "action = 'account.data_exported' AND actor_id = :u", u=alys.id
    )
    assert events == 1
    async with signed_in(app, "bryn@example.org") as browser:
        response = await browser.get("/account/data.json")
        assert len(response.json()["proposals"]) == 1
        assert int(response.headers["x-query-count"]) == alys_queries


async def test_signed_out_people_are_sent_to_sign_in(client):
    for path in ("/account/data", "/account/data.json", "/account/delete"):
        response = await client.get(path)
        assert response.status_code == 303
        assert response.headers["location"] == f"/signin?next={path}"


# --- deletion ----------------------------------------------------------------------------------


async def test_deleting_an_account_removes_the_person_and_keeps_the_counted_ballot(
    app, db, tmp_path, capsys
):
    world = await build_world(db, method="approval", weighting="equal_voice")
    cycle_id = world.cycle.id
    alys = await make_user(db, "alys@example.org", name="Alys Hughes")
    bryn = await make_user(db, "bryn@example.org", name="Bryn Davies")
    carys = await make_user(db, "carys@example.org", name="Carys Evans")
    alys_id, bryn_id = alys.id, bryn.id
    # A panel in deliberation: Alys and Bryn sit on it, Carys waits in the pool.
    talk = await make_cycle(db, world.organisation, stage="deliberation", title="Transport")
    panel = await make_panel(db, talk, [alys, bryn])
    db.add(
        Volunteer(
            panel_id=panel.id, cycle_id=talk.id, user_id=carys.id, name="Carys Evans",
            email="carys@example.org", attributes={}, consent_at=dt.datetime.now(dt.UTC),
            status="pool",
        )
    )  # fmt: skip
    db.add(CycleFollow(cycle_id=talk.id, user_id=alys_id))
    await db.commit()
    thread = await make_thread(db, talk)
    thread_path = f"/threads/{thread.id}"

    alys_browser = await _signed_in(app, "alys@example.org")
    alys_phone = await _signed_in(app, "alys@example.org")
    posted = await alys_browser.submit(
        f"{thread_path}/posts",
        {"body": "The minibus matters most to the hill villages.", "stance": "supports"},
        form_page=thread_path,
    )
    assert posted.status_code == 303, posted.text
    post_id = (await db.execute(select(Post.id).where(Post.author_id == alys_id))).scalar_one()
    async with signed_in(app, "bryn@example.org") as bryn_browser:
        reply = await bryn_browser.submit(
            f"{thread_path}/posts",
            {"body": "Agreed.", "stance": "supports", "parent": str(post_id)},
            form_page=thread_path,
        )
        assert reply.status_code == 303
    bryn_post = (await db.execute(select(Post.id).where(Post.author_id == bryn.id))).scalar_one()
    answer = await alys_browser.submit(
        f"{thread_path}/posts",
        {"body": "Thank you, Bryn.", "stance": "neutral", "parent": str(bryn_post)},
        form_page=thread_path,
    )
    assert answer.status_code == 303
    bryns_notice = (
        await db.execute(select(Notification.details).where(Notification.user_id == bryn.id))
    ).scalar_one()
    assert bryns_notice["by"] == "Alys Hughes"

    # Alys votes as the only person in her group; three carers vote too. Under equal voice her
    # ballot weighs three times theirs, so losing her group would change the result.
    await declare(alys_browser, cycle_id, "uses_services")
    cast, _token = await vote(alys_browser, cycle_id, {"option": ["1"]})
    confirmation = await alys_browser.get(cast.headers["location"])
    receipt = soup(confirmation).find(id="receipt-code").get_text(strip=True)
    for (_user, token), choice in zip(await make_voters(db, 3), ["2", "2", "3"], strict=True):
        async with voter_browser(app, token) as browser:
            await declare(browser, cycle_id, "carer")
            await vote(browser, cycle_id, {"option": [choice]})
    # The count as it stands before (worked out and rolled back, in a session of its own).
    async with app.state.sessionmaker() as session:
        before = await voting.store_tally(session, await session.get(Cycle, cycle_id))
        before_result, before_summary = before.result, before.summary
        await session.rollback()
    async with Browser(app) as anyone:
        bulletin_before = (await anyone.get(f"/cycles/{cycle_id}/bulletin.json")).json()

    # The confirmation step, then the deletion: a form POST answered by a redirect.
    page = await alys_browser.get("/account/delete")
    assert page.status_code == 200
    assert soup(page).find("input", attrs={"name": "password", "type": "password"})
    old_cookie = alys_browser.cookies.get(SESSION_COOKIE)
    deleted = await alys_browser.submit("/account/delete", {"password": PASSWORD})
    assert deleted.status_code == 303
    assert deleted.headers["location"] == "/account/deleted"
    goodbye = await alys_browser.get("/account/deleted")
    assert "Your account has been deleted" in goodbye.text

    # Every session is over: the phone, and the old cookie put back by hand.
    assert (await alys_phone.get("/account")).status_code == 303
    async with Browser(app) as replayed:
        replayed.cookies.set(SESSION_COOKIE, old_cookie)
        assert (await replayed.get("/account")).status_code == 303
    await alys_phone.aclose()
    await alys_browser.aclose()

    # The account is an anonymous tombstone; its personal records are gone.
    row = (
        await db.execute(
            text(
                "SELECT email, display_name, password_hash, email_verified_at, is_active, "
                "erased_at, stakeholder_group FROM users WHERE id = :u"
            ),
            {"u": alys_id},
        )
    ).one()
    assert row.email == f"erased:{alys_id}" and row.display_name == ""
    assert row.password_hash is None and row.email_verified_at is None
    assert row.is_active is False and row.erased_at is not None
    for table in (
        "user_sessions", "oidc_identities", "email_tokens", "notifications", "cycle_follows",
        "read_positions", "voter_groups", "role_grants", "volunteers", "ballots",
    ):  # fmt: skip
        column = "voter_id" if table == "ballots" else "user_id"
        assert await count_rows(db, table, f"{column} = :u", u=alys_id) == 0, table
    assert (
        "alys"
        not in json.dumps(
            [
                list(r)
                for r in (
                    await db.execute(text("SELECT name, email, attributes FROM volunteers"))
                ).all()
            ]
        ).lower()
    )
    # Her notices are gone; Bryn keeps his notice of her reply, without her name.
    notices = (
        await db.execute(select(Notification.user_id, Notification.kind, Notification.details))
    ).all()
    assert alys_id not in {user_id for user_id, _kind, _details in notices}
    assert [(u, d["by"]) for u, kind, d in notices if kind == "replied"] == [(bryn_id, "")]

    # She left the panel the usual way: her seat went to Carys from the pool.
    statuses = dict((await db.execute(select(Volunteer.email, Volunteer.status))).all())
    assert statuses["carys@example.org"] == "selected"
    assert statuses["bryn@example.org"] == "selected"
    assert [s for e, s in statuses.items() if e.startswith("erased:")] == ["declined"]

    # Her post stays, shown without her name.
    async with signed_in(app, "bryn@example.org") as bryn_browser:
        thread_page = await bryn_browser.get(thread_path)
        assert "hill villages" in thread_page.text
        author = soup(thread_page).find(id=f"post-{post_id}-by").get_text(strip=True)
        assert author == "a former member"
        assert "Alys" not in thread_page.text

    # Her ballot is unlinked but counted: the same result, the same weights, the same chain.
    ballots = (await db.execute(select(CastBallot))).scalars().all()
    assert len(ballots) == 4
    (unlinked,) = [b for b in ballots if b.voter_id is None]
    assert unlinked.group_key == "uses_services" and unlinked.submission_token == ""
    await close_vote(db, cycle_id)
    tally = (await db.execute(select(Tally))).scalar_one()
    assert tally.ballots_counted == 4
    assert tally.result == before_result
    assert tally.summary == before_summary
    assert tally.result["ranking"][0] == "1"
    async with Browser(app) as anyone:
        bulletin_after = (await anyone.get(f"/cycles/{cycle_id}/bulletin.json")).json()
        check = await anyone.get(f"/cycles/{cycle_id}/bulletin/check?receipt={receipt}")
        assert "That ballot was counted." in check.text
    chained = ("seq", "receipt_hash", "prev_hash", "entry_hash", "created_at")
    assert [{k: e[k] for k in chained} for e in bulletin_after["entries"]] == [
        {k: e[k] for k in chained} for e in bulletin_before["entries"]
    ]
    path = tmp_path / "bulletin.json"
    path.write_text(json.dumps(bulletin_after))
    capsys.readouterr()
    assert voting_cli(["verify", str(path)]) == 0
    assert "OK: 4 entries" in capsys.readouterr().out

    # The audit log says it happened, without who she was.
    event = (
        await db.execute(select(AuditEvent).where(AuditEvent.action == "account.erased"))
    ).scalar_one()
    assert event.subject_id == str(alys_id) and event.details == {"by": "self"}
    casts = await count_rows(
        db, "audit_events", "action = 'ballot.cast' AND actor_id = :u", u=alys_id
    )
    assert casts == 0

    # She cannot sign in again, and her address is free for a new account.
    async with Browser(app) as browser:
        refused = await browser.submit(
            "/signin", {"email": "alys@example.org", "password": PASSWORD}
        )
        assert refused.status_code == 422
        signed_up = await browser.submit(
            "/signup",
            {
                "display_name": "Alys",
                "email": "alys@example.org",
                "password": "a new long password",
            },
        )
        assert signed_up.status_code == 303
    fresh = (await db.execute(select(User).where(User.email == "alys@example.org"))).scalar_one()
    assert fresh.id != alys_id and fresh.erased_at is None


async def test_a_wrong_password_or_a_forged_form_deletes_nothing(app, db):
    alys = await make_user(db, "alys@example.org", name="Alys Hughes")
    async with signed_in(app, "alys@example.org") as browser:
        # Without the form's CSRF token, even the right password is refused.
        forged = await browser.post("/account/delete", data={"password": PASSWORD})
        assert forged.status_code == 403
        response = await browser.submit("/account/delete", {"password": "not my password"})
        assert response.status_code == 422
        assert field_error(response, "password") == "Error: Your password is not right."
        assert soup(response).find(id="field-password")["aria-invalid"] == "true"
        assert (await browser.get("/account")).status_code == 200
    await db.refresh(alys)
    assert alys.email == "alys@example.org" and alys.erased_at is None and alys.is_active
    assert await count_rows(db, "user_sessions", "user_id = :u", u=alys.id) == 1
    assert await count_rows(db, "audit_events", "action = 'account.erased'") == 0


async def test_an_account_without_a_password_confirms_with_the_phrase(mailbox, app, db):
    from deliberate.accounts.service import start_session

    user = await make_user(db, "oidc@example.org", name="Dafydd", password=None)
    token = await start_session(db, user, 1)
    await db.commit()
    async with voter_browser(app, token) as browser:
        page = await browser.get("/account/delete")
        assert soup(page).find(id="field-confirm") is not None
        assert soup(page).find(id="field-password") is None
        wrong = await browser.submit("/account/delete", {"confirm": "yes please"})
        assert wrong.status_code == 422
        assert "delete my account" in field_error(wrong, "confirm")
        done = await browser.submit("/account/delete", {"confirm": "Delete my account"})
        assert done.status_code == 303
    await db.refresh(user)
    assert user.erased_at is not None
    # A last message to the address it had.
    message = mailbox.last_to("oidc@example.org")
    assert message["Subject"] == "Your Deliberate account has been deleted"


async def test_a_panel_member_past_deliberation_is_withdrawn(app, db):
    """After deliberation no replacement can be drawn: the seat is marked withdrawn."""
    organisation = await make_organisation(db)
    cycle = await make_cycle(db, organisation, stage="specification")
    alys = await make_user(db, "alys@example.org", name="Alys Hughes")
    await make_panel(db, cycle, [alys])
    async with signed_in(app, "alys@example.org") as browser:
        done = await browser.submit("/account/delete", {"password": PASSWORD})
        assert done.status_code == 303
    row = (await db.execute(select(Volunteer))).scalar_one()
    assert (row.status, row.user_id, row.name) == ("withdrawn", None, "")


async def test_the_only_administrator_and_the_only_commissioner_are_refused(app, db):
    organisation = await make_organisation(db)
    await make_cycle(db, organisation, stage="proposals")
    await make_user(db, "admin@example.org", name="Admin", roles=[(Role.ADMIN, None)])
    await make_user(db, "cai@example.org", name="Cai", roles=[(Role.COMMISSIONER, organisation)])
    async with signed_in(app, "admin@example.org") as browser:
        page = await browser.get("/account/delete")
        assert "only administrator" in soup(page).find(role="alert").get_text()
        refused = await browser.submit("/account/delete", {"password": PASSWORD})
        assert refused.status_code == 409
        assert "only administrator" in refused.text
    async with signed_in(app, "cai@example.org") as browser:
        refused = await browser.submit("/account/delete", {"password": PASSWORD})
        assert refused.status_code == 409
        assert "only commissioner of Ceredigion Council" in refused.text
    assert await count_rows(db, "users", "erased_at IS NOT NULL") == 0


async def test_an_administrator_deletes_an_account_on_request(app, db):
    await make_user(db, "admin@example.org", name="Admin", roles=[(Role.ADMIN, None)])
    person = await make_user(db, "eirlys@example.org", name="Eirlys")
    path = f"/admin/people/{person.id}"
    async with signed_in(app, "eirlys@example.org") as theirs:
        async with signed_in(app, "admin@example.org") as admin:
            missing = await admin.submit(f"{path}/erase", {"reason": ""}, form_page=path)
            assert missing.status_code == 422
            assert field_error(missing, "reason")
            done = await admin.submit(
                f"{path}/erase", {"reason": "Asked by e-mail on 26 November"}, form_page=path
            )
            assert done.status_code == 303 and done.headers["location"] == path
            shown = await admin.get(path)
            assert "This account was deleted on" in shown.text
            assert "eirlys@example.org" not in shown.text
        assert (await theirs.get("/account")).status_code == 303
    event = (
        await db.execute(select(AuditEvent).where(AuditEvent.action == "account.erased"))
    ).scalar_one()
    assert event.details == {"by": "admin", "reason": "Asked by e-mail on 26 November"}
    # Not for anyone else.
    other = await make_user(db, "ffion@example.org", name="Ffion")
    async with signed_in(app, "ffion@example.org") as citizen:
        refused = await citizen.submit(
            f"/admin/people/{other.id}/erase", {"reason": "no"}, form_page="/account"
        )
        assert refused.status_code == 403
    await db.refresh(other)
    assert other.erased_at is None


@pytest.mark.browser
@pytest.mark.parametrize("js", [True, False], ids=["js", "no-js"])
async def test_in_a_browser_download_then_delete(live_server, browser, make_app, js):
    """Chromium, with JavaScript on and off: the file downloads, a wrong password is named next
    to its field, and the right one deletes the account and signs the person out."""
    app = make_app()
    async with app.state.sessionmaker() as session:
        await make_user(session, "gwen@example.org", name="Gwen")
    context = await browser.new_context(java_script_enabled=js, accept_downloads=True)
    page = await context.new_page()
    try:
        base = live_server.url
        await page.goto(base + "/signin")
        await page.fill("#field-email", "gwen@example.org")
        await page.fill("#field-password", PASSWORD)
        await page.click("button[type=submit]:has-text('Sign in')")
        await page.wait_for_url(base + "/")
        if js:  # axe runs in the page: no WCAG 2.2 A/AA violation on either new page
            from browser.test_accessibility import violations

            for path in ("/account/data", "/account/delete"):
                assert await violations(page, base + path) == []
        await page.goto(base + "/account")
        await page.click("main a:has-text('Your data')")
        await page.wait_for_url(base + "/account/data")
        async with page.expect_download() as waiting:
            await page.click("main a.button:has-text('Download your data')")
        download = await waiting.value
        saved = Path(await download.path())
        exported = json.loads(await asyncio.to_thread(saved.read_text, encoding="utf-8"))
        assert exported["account"]["email"] == "gwen@example.org"

        await page.click("main a:has-text('Delete my account')")
        await page.wait_for_url(base + "/account/delete")
        await page.fill("#field-password", "not my password")
        await page.click("button[type=submit]:has-text('Delete my account')")
        await page.wait_for_selector("#error-password")
        assert "Your password is not right." in await page.inner_text("#error-password")
        await page.fill("#field-password", PASSWORD)
        await page.click("button[type=submit]:has-text('Delete my account')")
        await page.wait_for_url(base + "/account/deleted")
        assert "Your account has been deleted" in await page.inner_text("h1")
        await page.goto(base + "/account")
        assert "/signin" in page.url
    finally:
        await context.close()
