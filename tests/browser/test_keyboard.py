"""Keyboard only: sign in, propose, support and reply to a post without touching a mouse, and the
focus lands somewhere sensible after each step (htmx swaps included)."""

from __future__ import annotations

import pytest
from factories import (
    PASSWORD,
    make_cycle,
    make_organisation,
    make_panel,
    make_proposal,
    make_thread,
    make_user,
)
from playwright.async_api import TimeoutError as PlaywrightTimeoutError

pytestmark = pytest.mark.browser


async def tab_to(page, selector: str, limit: int = 200) -> None:
    """Press Tab until `selector` has the focus, as a keyboard user would."""
    target = await page.query_selector(selector)
    assert target is not None, selector
    for _ in range(limit):
        if await target.evaluate("element => element === document.activeElement"):
            return
        await page.keyboard.press("Tab")
    raise AssertionError(f"{selector} never received the focus by Tab")


async def wait_for_focus(page, condition: str) -> None:
    """Wait until the focused element `e` meets `condition` (JavaScript). htmx moves the focus
    when the swap settles, a moment after the new content appears; this fails if it never does."""
    try:
        await page.wait_for_function(
            f"() => {{ const e = document.activeElement; return !!e && ({condition}); }}",
            timeout=5000,
        )
    except PlaywrightTimeoutError:
        focused = await page.evaluate(
            "() => document.activeElement ? document.activeElement.outerHTML.slice(0, 200) : null"
        )
        raise AssertionError(f"the focus never met {condition}; it is on {focused}") from None


async def test_keyboard_only_sign_in_propose_support_and_reply(live_server, browser, make_app):
    app = make_app()
    async with app.state.sessionmaker() as db:
        organisation = await make_organisation(db)
        cycle = await make_cycle(db, organisation, stage="proposals", categories=[])
        author = await make_user(db, "author@example.org", name="Awen")
        await make_user(db, "keys@example.org", name="Keri")
        proposal = await make_proposal(db, cycle, author, category=None)
        debate = await make_cycle(db, organisation, stage="deliberation", title="Debate")
        keri = await make_user(db, "member@example.org", name="Mabli")
        await make_panel(db, debate, [keri])
        thread = await make_thread(db, debate)
    base = live_server.url
    context = await browser.new_context()
    page = await context.new_page()

    await page.goto(base + "/signin")
    await tab_to(page, "#field-email")
    await page.keyboard.type("keys@example.org")
    await page.keyboard.press("Tab")
    await page.keyboard.type(PASSWORD)
    await page.keyboard.press("Enter")
    await page.wait_for_url(base + "/")

    await page.goto(f"{base}/cycles/{cycle.id}/proposals/new")
    await tab_to(page, "#field-title")
    await page.keyboard.type("Evening clubs in the villages")
    await tab_to(page, "#field-body")
    await page.keyboard.type("People want to meet friends after work, not only in the daytime.")
    await tab_to(page, "main form button[type=submit]")
    await page.keyboard.press("Enter")
    await page.wait_for_url(f"{base}/proposals/*")
    assert "Evening clubs in the villages" in await page.inner_text("h1")

    await page.goto(f"{base}/proposals/{proposal.id}")
    await tab_to(page, f"#support-{proposal.id} button")
    await page.keyboard.press("Enter")
    await page.wait_for_selector(f"#support-{proposal.id} button[aria-pressed=true]")
    status = await page.inner_text(f"#support-{proposal.id} [role=status]")
    assert "counted" in status  # the live region announces it
    # Focus stays on the button htmx swapped in, so the next Tab goes on from there.
    await wait_for_focus(page, f"e.id === 'support-button-{proposal.id}'")
    focused = await page.evaluate("document.activeElement.id")
    assert focused == f"support-button-{proposal.id}"

    member = await browser.new_context()
    page = await member.new_page()
    await page.goto(base + "/signin")
    await tab_to(page, "#field-email")
    await page.keyboard.type("member@example.org")
    await page.keyboard.press("Tab")
    await page.keyboard.type(PASSWORD)
    await page.keyboard.press("Enter")
    await page.wait_for_url(base + "/")
    await page.goto(f"{base}/threads/{thread.id}")
    await tab_to(page, "#field-body")
    await page.keyboard.type("Could the bus wait until the club ends?")
    await tab_to(page, "form[data-post-form] button[type=submit]")
    await page.keyboard.press("Enter")
    await page.wait_for_selector("#posts .prose:has-text('Could the bus wait')")
    await page.goto(f"{base}/threads/{thread.id}")
    await tab_to(page, "#posts a:has-text('Reply')")
    await page.keyboard.press("Enter")
    await page.wait_for_url(f"{base}/threads/{thread.id}?reply=*")
    await tab_to(page, "#field-body")
    await page.keyboard.type("Yes, the driver said he can.")
    await tab_to(page, "form[data-post-form] button[type=submit]")
    await page.keyboard.press("Enter")
    await page.wait_for_selector("ol.replies .prose:has-text('the driver said')")
    await context.close()
    await member.close()
