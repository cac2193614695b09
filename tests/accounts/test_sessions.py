"""A person's sessions over HTTP against the real database: an idle session ends by itself, a
used one stays alive, the list shows where one is signed in, and signing out other browsers ends
exactly those — never someone else's."""

from __future__ import annotations

import contextlib

from factories import PASSWORD, make_user
from helpers import Browser, soup
from sqlalchemy import select, text

from deliberate.accounts.models import UserSession


@contextlib.asynccontextmanager
async def signed_in(app, email: str, agent: str):
    async with Browser(app, headers={"User-Agent": agent}) as browser:
        await browser.sign_in(email, PASSWORD)
        yield browser


async def _is_signed_in(browser: Browser) -> bool:
    response = await browser.get("/account")
    return response.status_code == 200


async def test_an_idle_session_ends_and_a_used_one_stays(app, db):
    await make_user(db, "idle@example.org")
    await db.commit()
    async with signed_in(app, "idle@example.org", "Firefox on a library computer") as browser:
        assert await _is_signed_in(browser)
        # Used seven hours ago: still within the eight-hour idle limit, and refreshed by use.
        await db.execute(text("UPDATE user_sessions SET last_seen_at = now() - interval '7 hours'"))
        await db.commit()
        assert await _is_signed_in(browser)
        seen = (await db.execute(select(UserSession.last_seen_at))).scalar_one()
        fresh = (await db.execute(text("SELECT now() - interval '1 minute'"))).scalar_one()
        assert seen > fresh
        # Not used for nine hours: the session has ended by itself.
        await db.execute(text("UPDATE user_sessions SET last_seen_at = now() - interval '9 hours'"))
        await db.commit()
        response = await browser.get("/account")
        assert response.status_code == 303
        assert response.headers["location"].startswith("/signin")


async def test_idle_limit_follows_the_setting(make_app, db):
    app = make_app(SESSION_IDLE_MINUTES="30")
    await make_user(db, "strict@example.org")
    await db.commit()
    async with signed_in(app, "strict@example.org", "Chromium") as browser:
        await db.execute(
            text("UPDATE user_sessions SET last_seen_at = now() - interval '31 minutes'")
        )
        await db.commit()
        assert not await _is_signed_in(browser)


async def test_list_and_sign_out_other_browsers(app, db):
    await make_user(db, "many@example.org")
    await make_user(db, "other@example.org")
    await db.commit()
    async with contextlib.AsyncExitStack() as stack:
        laptop = await stack.enter_async_context(
            signed_in(app, "many@example.org", "Firefox on a laptop")
        )
        phone = await stack.enter_async_context(
            signed_in(app, "many@example.org", "Safari on a phone")
        )
        tablet = await stack.enter_async_context(
            signed_in(app, "many@example.org", "Chrome on a tablet")
        )
        stranger = await stack.enter_async_context(
            signed_in(app, "other@example.org", "Edge elsewhere")
        )
        page = await laptop.get("/account/sessions")
        assert page.status_code == 200
        rows = soup(page).select("tbody tr")
        texts = [row.get_text(" ", strip=True) for row in rows]
        assert len(rows) == 3
        assert any("Firefox on a laptop" in t and "(this browser)" in t for t in texts)
        assert any("Safari on a phone" in t for t in texts)
        assert not any("Edge elsewhere" in t for t in texts)
        # The current browser has no sign-out button of its own; the two others have.
        keys = [i["value"] for i in soup(page).select("tbody input[name=session]")]
        assert len(keys) == 2

        # Sign out the phone alone.
        phone_row = next(r for r in rows if "Safari on a phone" in r.get_text())
        phone_key = phone_row.select_one("input[name=session]")["value"]
        response = await laptop.submit(
            "/account/sessions/end", {"session": phone_key}, form_page="/account/sessions"
        )
        assert response.status_code == 303
        assert (
            "1 other session has been signed out"
            in (await laptop.get(response.headers["location"])).text
        )
        assert not await _is_signed_in(phone)
        assert await _is_signed_in(tablet) and await _is_signed_in(laptop)

        # The stranger cannot end the laptop's session, even knowing its key.
        laptop_key = (
            await db.execute(
                select(UserSession.id).where(UserSession.user_agent == "Firefox on a laptop")
            )
        ).scalar_one()[:16]
        response = await stranger.submit(
            "/account/sessions/end", {"session": laptop_key}, form_page="/account/sessions"
        )
        assert response.status_code == 404
        assert await _is_signed_in(laptop)

        # Everywhere else: the tablet goes, this browser stays.
        response = await laptop.submit("/account/sessions/end", {}, form_page="/account/sessions")
        assert response.status_code == 303
        assert not await _is_signed_in(tablet)
        assert await _is_signed_in(laptop) and await _is_signed_in(stranger)
        events = (
            await db.execute(
                text("SELECT count(*) FROM audit_events WHERE action = 'account.sessions_ended'")
            )
        ).scalar_one()
        assert events == 2


async def test_sessions_page_needs_sign_in(client):
    response = await client.get("/account/sessions")
    assert response.status_code == 303 and response.headers["location"].startswith("/signin")
