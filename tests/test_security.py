"""CSRF on every unsafe request, security headers, and error pages without stack traces."""

from __future__ import annotations

from factories import PASSWORD, make_user
from helpers import soup


async def test_post_without_csrf_token_is_refused_with_a_clear_page(client, db):
    await make_user(db, "a@example.org")
    await client.get("/signin")
    response = await client.post("/signin", data={"email": "a@example.org", "password": PASSWORD})
    assert response.status_code == 403
    assert "did not come from this site" in soup(response).get_text()
    assert "deliberate_session" not in response.cookies


async def test_post_with_a_wrong_token_is_refused(client):
    await client.get("/signin")
    response = await client.post("/signin", data={"csrf_token": "0" * 64, "email": "x"})
    assert response.status_code == 403


async def test_foreign_origin_is_refused_even_with_a_token(client, db):
    await make_user(db, "o@example.org")
    token = await client.csrf_token("/signin")
    response = await client.post(
        "/signin",
        data={"csrf_token": token, "email": "o@example.org", "password": PASSWORD},
        headers={"origin": "https://evil.example"},
    )
    assert response.status_code == 403
    assert "another website" in soup(response).get_text()


async def test_header_token_works_for_htmx_requests(client, db):
    await make_user(db, "h@example.org")
    token = await client.csrf_token("/signin")
    response = await client.post(
        "/signin",
        data={"email": "h@example.org", "password": PASSWORD},
        headers={"x-csrf-token": token, "hx-request": "true", "origin": "http://testserver"},
    )
    assert response.status_code == 303


async def test_signed_in_token_is_bound_to_the_session(app, db):
    from helpers import Browser

    await make_user(db, "t@example.org")
    async with Browser(app) as first, Browser(app) as second:
        await first.sign_in("t@example.org", PASSWORD)
        await second.sign_in("t@example.org", PASSWORD)
        token_of_first = await first.csrf_token("/account")
        # A token lifted from one session does not work in another.
        response = await second.post("/signout", data={"csrf_token": token_of_first})
        assert response.status_code == 403


async def test_security_headers_on_every_page(client):
    response = await client.get("/")
    csp = response.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"
    assert "strict-transport-security" not in response.headers  # not in test/development
    assert response.headers["vary"] == "HX-Request"


async def test_hsts_in_production(make_app):
    from helpers import Browser

    app = make_app(DELIBERATE_ENV="production", BASE_URL="https://deliberate.example")
    async with Browser(app) as browser:
        response = await browser.get("/")
    assert response.headers["strict-transport-security"].startswith("max-age=")
    cookie = response.headers["set-cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie


async def test_unknown_page_is_a_404_in_the_layout(client):
    response = await client.get("/no/such/page")
    assert response.status_code == 404
    page = soup(response)
    assert page.find("main") is not None
    assert page.find("a", class_="skip-link") is not None


async def test_server_error_shows_a_generic_page_not_a_trace(make_app):
    from helpers import Browser
    from starlette.routing import Route

    app = make_app()

    async def boom(request):
        raise RuntimeError("secret internals")

    app.router.routes.insert(0, Route("/boom", boom))
    async with Browser(app) as browser:
        response = await browser.get("/boom")
    assert response.status_code == 500
    assert "secret internals" not in response.text
    assert "Traceback" not in response.text
    assert soup(response).find("h1").get_text(strip=True) == "Something went wrong on our side"


async def test_base_layout_landmarks_and_skip_link(client):
    page = soup(await client.get("/"))
    skip = page.find("a", class_="skip-link")
    assert skip["href"] == "#main"
    assert page.find("main", id="main") is not None
    assert page.find("nav")["aria-label"]
    assert page.find("header") is not None and page.find("footer") is not None
    htmx = [s["src"] for s in page.find_all("script") if "htmx" in s["src"]]
    assert htmx == ["/static/htmx-2.0.8.min.js"]


async def test_accessibility_statement_is_linked_from_every_page(client):
    home = soup(await client.get("/"))
    link = home.find("footer").find("a", string="Accessibility statement")
    statement = await client.get(link["href"])
    assert statement.status_code == 200
    assert soup(statement).find("h1").get_text(strip=True) == "Accessibility statement"
