"""Sign-up, e-mail verification, sign-in, password reset and sign-out, over HTTP, with the mail
received by a real SMTP server on loopback."""

from __future__ import annotations

from urllib.parse import urlsplit

from factories import PASSWORD, make_user
from helpers import Browser, field_error, soup
from sqlalchemy import select

from deliberate.accounts.models import User, UserSession
from deliberate.audit import AuditEvent


def _path(link: str) -> str:
    parts = urlsplit(link)
    return parts.path


async def test_sign_up_verify_sign_in_and_out(make_app, mailbox):
    app = make_app()
    async with Browser(app) as browser:
        response = await browser.submit(
            "/signup",
            {
                "display_name": "Eleri",
                "email": "Eleri@Example.org",
                "password": "a long enough password",
                "language": "cy",
            },
        )
        assert response.status_code == 303
        assert response.headers["location"] == "/signup/sent"

        link = mailbox.link_to("eleri@example.org", "/verify/")
        assert link.startswith("http://testserver/verify/")
        response = await browser.get(_path(link))
        assert response.status_code == 200
        async with app.state.sessionmaker() as session:
            user = (await session.execute(select(User))).scalar_one()
            assert user.email == "eleri@example.org"
            assert user.email_verified_at is not None
            assert user.language == "cy"
            assert user.password_hash.startswith("$argon2")

        # The link works once only.
        again = await browser.get(_path(link))
        assert again.status_code == 404

        await browser.sign_in("eleri@example.org", "a long enough password")
        profile = await browser.get("/account")
        assert profile.status_code == 200
        assert "eleri@example.org" in soup(profile).get_text()
        assert profile.headers["cache-control"] == "no-store"

        response = await browser.submit("/signout", form_page="/account")
        assert response.status_code == 303
        after = await browser.get("/account")
        assert after.status_code == 303
        assert after.headers["location"].startswith("/signin")


async def test_sign_up_keeps_input_and_names_problems(client, db):
    response = await client.submit(
        "/signup", {"display_name": "", "email": "not-an-email", "password": "short"}
    )
    assert response.status_code == 422
    page = soup(response)
    assert page.find("input", attrs={"name": "email"})["value"] == "not-an-email"
    assert field_error(response, "display_name")
    assert "right format" in field_error(response, "email")
    assert "10 characters" in field_error(response, "password")
    # The password is never sent back to the page.
    assert page.find("input", attrs={"name": "password"}).get("value") is None
    assert (await db.execute(select(User))).first() is None


async def test_sign_up_with_a_taken_address_says_the_same_and_warns_the_owner(
    make_app, mailbox, db
):
    app = make_app()
    await make_user(db, "taken@example.org")
    async with Browser(app) as browser:
        response = await browser.submit(
            "/signup",
            {"display_name": "X", "email": "taken@example.org", "password": "another password!"},
        )
    assert response.status_code == 303
    assert response.headers["location"] == "/signup/sent"
    assert "already has one" in mailbox.last_to("taken@example.org").get_content()


async def test_wrong_password_and_unknown_email_get_the_same_answer(client, db):
    await make_user(db, "known@example.org")
    wrong = await client.submit("/signin", {"email": "known@example.org", "password": "nope nope"})
    unknown = await client.submit(
        "/signin", {"email": "nobody@example.org", "password": "nope nope"}
    )
    assert wrong.status_code == unknown.status_code == 422
    assert field_error(wrong, "email") == field_error(unknown, "email")
    assert "e-mail address or password is not right" in field_error(wrong, "email")
    assert "deliberate_session" not in wrong.cookies
    assert "deliberate_session" not in unknown.cookies


async def test_session_id_changes_at_sign_in_and_sign_out_revokes_it(app, db):
    await make_user(db, "s@example.org")
    async with Browser(app) as browser:
        await browser.sign_in("s@example.org", PASSWORD)
        first = browser.cookies["deliberate_session"]
        await browser.sign_in("s@example.org", PASSWORD)
        second = browser.cookies["deliberate_session"]
        assert first != second

        await browser.submit("/signout", form_page="/account")
    # Replaying the old cookie after sign-out does not sign anyone in.
    async with Browser(app, cookies={"deliberate_session": second}) as stolen:
        response = await stolen.get("/account")
        assert response.status_code == 303
    sessions = (await db.execute(select(UserSession))).scalars().all()
    assert all(session.revoked_at is not None for session in sessions)


async def test_password_reset_is_single_use_and_revokes_sessions(make_app, mailbox, db):
    app = make_app()
    await make_user(db, "r@example.org")
    async with Browser(app) as elsewhere:
        await elsewhere.sign_in("r@example.org", PASSWORD)
        async with Browser(app) as browser:
            response = await browser.submit("/password/forgot", {"email": "r@example.org"})
            assert response.status_code == 200
            unknown = await browser.submit("/password/forgot", {"email": "no@example.org"})
            assert unknown.status_code == 200
            assert len(mailbox.messages) == 1

            link = _path(mailbox.link_to("r@example.org", "/password/reset/"))
            form = await browser.get(link)
            assert form.status_code == 200
            mismatch = await browser.submit(
                link, {"password": "brand new password", "password_confirm": "different one!"}
            )
            assert mismatch.status_code == 422
            assert field_error(mismatch, "password_confirm")

            done = await browser.submit(
                link, {"password": "brand new password", "password_confirm": "brand new password"}
            )
            assert done.status_code == 303
            reused = await browser.get(link)
            assert reused.status_code == 404

            await browser.sign_in("r@example.org", "brand new password")
        # The other browser's session ended with the reset.
        response = await elsewhere.get("/account")
        assert response.status_code == 303
    events = (await db.execute(select(AuditEvent.action))).scalars().all()
    assert "account.password_reset" in events


async def test_password_change_revokes_other_sessions_and_keeps_this_one(app, db):
    await make_user(db, "c@example.org")
    async with Browser(app) as other, Browser(app) as browser:
        await other.sign_in("c@example.org", PASSWORD)
        await browser.sign_in("c@example.org", PASSWORD)
        wrong = await browser.submit(
            "/account/password",
            {"current_password": "wrong wrong", "new_password": "a new password here"},
            form_page="/account",
        )
        assert wrong.status_code == 422
        assert field_error(wrong, "current_password")
        ok = await browser.submit(
            "/account/password",
            {"current_password": PASSWORD, "new_password": "a new password here"},
            form_page="/account",
        )
        assert ok.status_code == 303
        assert (await browser.get("/account")).status_code == 200
        assert (await other.get("/account")).status_code == 303


async def test_profile_update_and_language(app, db):
    await make_user(db, "p@example.org")
    async with Browser(app) as browser:
        await browser.sign_in("p@example.org", PASSWORD)
        response = await browser.submit(
            "/account",
            {"display_name": "Siân", "language": "cy", "stakeholder_group": "carer"},
        )
        assert response.status_code == 303
        page = await browser.get("/account")
        assert soup(page).html["lang"] == "cy"
        bad = await browser.submit(
            "/account", {"display_name": "x" * 101, "language": "fr", "stakeholder_group": "?"}
        )
        assert bad.status_code == 422
        assert field_error(bad, "display_name")
        assert field_error(bad, "language")
    async with app.state.sessionmaker() as session:
        user = (await session.execute(select(User))).scalar_one()
        assert (user.display_name, user.language, user.stakeholder_group) == (
            "Siân",
            "cy",
            "carer",
        )


async def test_language_switch_and_accept_language(client):
    welsh = await client.get("/", headers={"accept-language": "cy-GB,cy;q=0.9,en;q=0.5"})
    assert soup(welsh).html["lang"] == "cy"
    english = await client.get("/", headers={"accept-language": "en-GB"})
    assert soup(english).html["lang"] == "en"
    response = await client.submit("/language", {"language": "cy", "next": "/signin"})
    assert response.status_code == 303
    assert response.headers["location"] == "/signin"
    page = await client.get("/signin", headers={"accept-language": "en"})
    assert soup(page).html["lang"] == "cy"


async def test_next_parameter_cannot_leave_the_site(client, db):
    await make_user(db, "n@example.org")
    response = await client.submit(
        "/signin",
        {"email": "n@example.org", "password": PASSWORD, "next": "//evil.example/x"},
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/"


async def test_failed_sign_ins_are_limited_across_processes(make_app, db):
    await make_user(db, "target@example.org")
    first, second = make_app(), make_app()  # two app processes sharing one database
    statuses = []
    for attempt in range(12):
        app = first if attempt % 2 else second
        async with Browser(app) as browser:
            response = await browser.submit(
                "/signin", {"email": "target@example.org", "password": f"guess {attempt}"}
            )
            statuses.append(response.status_code)
    assert statuses[:10] == [422] * 10
    assert statuses[10:] == [429, 429]
    assert int(response.headers["retry-after"]) > 0
    assert "Too many attempts" in soup(response).get_text()
    # The right password is refused too while the limit holds, and an unknown address gets
    # the same limit (no hint whether an account exists).
    async with Browser(first) as browser:
        blocked = await browser.submit(
            "/signin", {"email": "target@example.org", "password": PASSWORD}
        )
        assert blocked.status_code == 429
        for attempt in range(11):
            unknown = await browser.submit(
                "/signin", {"email": "nobody@example.org", "password": f"x{attempt}"}
            )
        assert unknown.status_code == 429
