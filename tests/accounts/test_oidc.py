"""OpenID Connect sign-in end to end, against a real provider on loopback (tests/oidc_provider.py)
issuing signed ID tokens: the happy path, linking by verified e-mail, and every attack refused
without creating a session."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from factories import PASSWORD, make_user
from helpers import Browser
from oidc_provider import (  # noqa: F401 - importing registers the fixtures
    OIDCProvider,
    oidc_provider_fixture,
    oidc_provider_server_fixture,
)
from sqlalchemy import select

from deliberate.accounts.models import OIDCIdentity, User, UserSession

CALLBACK = "http://testserver/auth/oidc/callback"


@pytest.fixture
def oidc_app(make_app, oidc_provider: OIDCProvider):
    oidc_provider.redirect_uri = CALLBACK
    return make_app(
        OIDC_ISSUER=oidc_provider.issuer,
        OIDC_CLIENT_ID=oidc_provider.client_id,
        OIDC_CLIENT_SECRET=oidc_provider.client_secret,
        OIDC_PROVIDER_NAME="GOV.UK One Login",
    )


async def _authorize(browser: Browser) -> str:
    """Start sign-in in the app, let the provider approve, and return the callback path+query."""
    start = await browser.get("/auth/oidc/start?next=/account")
    assert start.status_code == 303
    async with httpx.AsyncClient() as provider_client:
        approved = await provider_client.get(start.headers["location"])
    assert approved.status_code in (302, 303), approved.text
    callback = urlsplit(approved.headers["location"])
    assert f"{callback.scheme}://{callback.netloc}{callback.path}" == CALLBACK
    return f"{callback.path}?{callback.query}"


async def _sessions(app) -> int:
    async with app.state.sessionmaker() as session:
        return len((await session.execute(select(UserSession))).scalars().all())


async def test_sign_in_page_shows_the_provider_button(oidc_app):
    async with Browser(oidc_app) as browser:
        page = await browser.get("/signin")
    assert "Sign in with GOV.UK One Login" in page.text


async def test_oidc_sign_in_creates_an_account_keyed_by_issuer_and_subject(oidc_app, oidc_provider):
    oidc_provider.login_as("sub-1", "ada@example.org", True, "Ada")
    async with Browser(oidc_app) as browser:
        callback = await _authorize(browser)
        done = await browser.get(callback)
        assert done.status_code == 303, done.text
        assert done.headers["location"] == "/account"
        assert (await browser.get("/account")).status_code == 200
    request = oidc_provider.token_requests[-1]
    assert request["code_verifier"]
    async with oidc_app.state.sessionmaker() as session:
        identity = (await session.execute(select(OIDCIdentity))).scalar_one()
        assert (identity.issuer, identity.subject) == (oidc_provider.issuer, "sub-1")
        user = await session.get(User, identity.user_id)
        assert user.email == "ada@example.org" and user.email_verified

    # Signing in again finds the same account.
    async with Browser(oidc_app) as browser:
        done = await browser.get(await _authorize(browser))
        assert done.status_code == 303
    async with oidc_app.state.sessionmaker() as session:
        assert len((await session.execute(select(User))).scalars().all()) == 1


async def test_links_existing_account_only_through_a_verified_email(oidc_app, oidc_provider, db):
    await make_user(db, "bryn@example.org")
    oidc_provider.login_as("sub-unverified", "bryn@example.org", False, "Bryn")
    async with Browser(oidc_app) as browser:
        refused = await browser.get(await _authorize(browser))
        assert refused.status_code == 409
        assert "deliberate_session" not in refused.cookies
    assert await _sessions(oidc_app) == 0

    oidc_provider.login_as("sub-verified", "bryn@example.org", True, "Bryn")
    async with Browser(oidc_app) as browser:
        linked = await browser.get(await _authorize(browser))
        assert linked.status_code == 303
    async with oidc_app.state.sessionmaker() as session:
        users = (await session.execute(select(User))).scalars().all()
        assert len(users) == 1
        identity = (await session.execute(select(OIDCIdentity))).scalar_one()
        assert identity.user_id == users[0].id
    # The password still works for an account whose address was already verified.
    async with Browser(oidc_app) as browser:
        await browser.sign_in("bryn@example.org", PASSWORD)


@pytest.mark.parametrize(
    "tamper", ["wrong_nonce", "wrong_audience", "wrong_issuer", "expired", "bad_signature"]
)
async def test_faulty_id_tokens_are_refused(oidc_app, oidc_provider, tamper):
    oidc_provider.login_as("sub-2", "eve@example.org", True, "Eve")
    oidc_provider.tamper = tamper
    async with Browser(oidc_app) as browser:
        refused = await browser.get(await _authorize(browser))
        assert refused.status_code == 400
        assert "deliberate_session" not in refused.cookies
    assert await _sessions(oidc_app) == 0


async def test_tampered_state_is_refused(oidc_app, oidc_provider):
    async with Browser(oidc_app) as browser:
        callback = await _authorize(browser)
        query = parse_qs(urlsplit(callback).query)
        forged = f"/auth/oidc/callback?code={query['code'][0]}&state=forged-state"
        refused = await browser.get(forged)
        assert refused.status_code == 400
    assert await _sessions(oidc_app) == 0


async def test_state_from_another_browser_is_refused(oidc_app, oidc_provider):
    async with Browser(oidc_app) as victim:
        callback = await _authorize(victim)
    # An attacker hands the victim's callback to a different browser (login CSRF).
    async with Browser(oidc_app) as other:
        refused = await other.get(callback)
        assert refused.status_code == 400
    assert await _sessions(oidc_app) == 0


async def test_replayed_code_is_refused(oidc_app, oidc_provider):
    async with Browser(oidc_app) as browser:
        callback = await _authorize(browser)
        first = await browser.get(callback)
        assert first.status_code == 303
        browser.cookies.delete("deliberate_session")
        # Same browser, same state cookie missing now; restore it to try a true replay.
        browser.cookies.set("deliberate_oidc_state", parse_qs(urlsplit(callback).query)["state"][0])
        replay = await browser.get(callback)
        assert replay.status_code == 400
    assert await _sessions(oidc_app) == 1


async def test_code_replayed_at_the_provider_is_refused(oidc_app, oidc_provider):
    """Even with a fresh state, a code that was already exchanged gets no tokens."""
    async with Browser(oidc_app) as browser:
        callback = await _authorize(browser)
        code = parse_qs(urlsplit(callback).query)["code"][0]
        assert (await browser.get(callback)).status_code == 303
    async with Browser(oidc_app) as attacker:
        start = await attacker.get("/auth/oidc/start")
        state = parse_qs(urlsplit(start.headers["location"]).query)["state"][0]
        replay = await attacker.get(f"/auth/oidc/callback?code={code}&state={state}")
        assert replay.status_code == 400
        assert "deliberate_session" not in replay.cookies
    assert await _sessions(oidc_app) == 1


async def test_oidc_routes_are_absent_without_an_issuer(client):
    assert (await client.get("/auth/oidc/start")).status_code == 404
