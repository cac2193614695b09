"""A real browser (the system Chromium through Playwright) signs up, confirms, signs in, switches
language and signs out, with JavaScript on, against the app served on loopback."""

from __future__ import annotations

import pytest
from factories import PASSWORD, make_user

pytestmark = pytest.mark.browser


async def test_sign_in_switch_language_and_sign_out(live_server, browser_page, make_app):
    app = make_app()
    async with app.state.sessionmaker() as session:
        await make_user(session, "gwen@example.org", name="Gwen")
    page = browser_page
    errors: list[str] = []
    # Scripts that fail and anything the Content Security Policy blocks count as errors.
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on(
        "console",
        lambda message: (
            errors.append(message.text)
            if message.type == "error" and "Failed to load resource" not in message.text
            else None
        ),
    )

    await page.goto(live_server.url + "/")
    assert await page.get_attribute("html", "lang") == "en"

    # Keyboard: the first Tab reaches the skip link.
    await page.keyboard.press("Tab")
    focused = await page.evaluate("document.activeElement.className")
    assert "skip-link" in focused

    await page.click("text=Sign in")
    await page.fill("#field-email", "gwen@example.org")
    await page.fill("#field-password", "not the password")
    await page.click("button[type=submit]:has-text('Sign in')")
    await page.wait_for_selector(".error-summary")
    assert await page.input_value("#field-email") == "gwen@example.org"

    await page.fill("#field-password", PASSWORD)
    await page.click("button[type=submit]:has-text('Sign in')")
    await page.wait_for_url(live_server.url + "/")
    await page.click("text=Your account")
    assert "gwen@example.org" in await page.inner_text("main")

    await page.click("button:has-text('Cymraeg')")
    await page.wait_for_load_state()
    assert await page.get_attribute("html", "lang") == "cy"

    await page.click("header form button[type=submit] >> nth=0")
    await page.wait_for_load_state()
    await page.goto(live_server.url + "/account")
    assert "/signin" in page.url
    assert errors == [], errors
