"""Keyboard only, with JavaScript on: panel members answer on the specification in the sign-off
stage. One endorses it; another objects, forgets the reason, is told so, and gives it. After each
htmx swap the focus is on what changed (the thanks, or the problem), and the database holds the
answers they meant."""

from __future__ import annotations

import pytest
from browser.test_keyboard import tab_to, wait_for_focus
from browser.test_keyboard_vote import sign_in_by_keyboard
from specs.support import build_world, clauses_of, signed_in
from sqlalchemy import select

from deliberate.specs.models import Endorsement

pytestmark = pytest.mark.browser


async def focused(page) -> dict:
    return await page.evaluate(
        """() => {
          const e = document.activeElement;
          return {id: e.id, tag: e.tagName, cls: e.className, text: e.innerText || '',
                  inSignoff: !!e.closest('#signoff')};
        }"""
    )


async def send(page) -> None:
    await tab_to(page, "#signoff form button[type=submit]")
    async with page.expect_response(lambda r: r.request.method == "POST"):
        await page.keyboard.press("Enter")


async def test_keyboard_endorse_and_object_with_a_reason(live_server, browser, make_app):
    app = make_app()
    async with app.state.sessionmaker() as db:
        world = await build_world(db)
    base = live_server.url
    path = f"{base}/cycles/{world.cycle.id}/specification"

    context = await browser.new_context()
    page = await context.new_page()
    page.set_default_timeout(15000)
    await sign_in_by_keyboard(page, base, world.members[0].email)
    await page.goto(path)
    url = page.url
    # The first radio button of the group is reached by Tab and chosen with Space.
    await tab_to(page, "#field-stance")
    await page.keyboard.press("Space")
    await send(page)
    await page.wait_for_selector("#signoff [role=status]")
    await wait_for_focus(page, "!!e.closest('#signoff')")
    now = await focused(page)
    assert now["inSignoff"] and "recorded" in now["text"], now
    assert "1 endorsement" in await page.inner_text("#signoff")
    assert page.url == url  # swapped in place, no reload
    await context.close()

    context = await browser.new_context()
    page = await context.new_page()
    page.set_default_timeout(15000)
    await sign_in_by_keyboard(page, base, world.members[1].email)
    await page.goto(path)
    # An arrow key moves the choice within the group: to the objection.
    await tab_to(page, "#field-stance")
    await page.keyboard.press("Space")
    await page.keyboard.press("ArrowDown")
    assert await page.is_checked("#field-stance-object")
    await send(page)  # no reason given
    await page.wait_for_selector("#signoff .error-summary")
    await wait_for_focus(page, "e.classList.contains('error-summary')")
    now = await focused(page)
    assert "error-summary" in now["cls"], now
    # The summary's link leads to the reason's box.
    await page.keyboard.press("Tab")
    assert await page.evaluate("document.activeElement.getAttribute('href')") == "#field-reason"
    await page.keyboard.press("Enter")
    assert await page.evaluate("document.activeElement.id") == "field-reason"
    assert await page.is_checked("#field-stance-object")  # the choice is kept
    await page.keyboard.type("Clause 2 leaves out people who cannot travel.")
    await send(page)
    await page.wait_for_selector("#signoff [role=status]")
    await wait_for_focus(page, "!!e.closest('#signoff')")
    now = await focused(page)
    assert now["inSignoff"] and "recorded" in now["text"], now
    assert "1 objection" in await page.inner_text("#signoff")
    assert await page.locator("h1").count() == 1
    await context.close()

    # A third member reads version 1; meanwhile the commissioner changes a clause (version 2).
    # Their answer on version 1 is refused, and they are told why, with the focus on it.
    context = await browser.new_context()
    page = await context.new_page()
    page.set_default_timeout(15000)
    await sign_in_by_keyboard(page, base, world.members[2].email)
    await page.goto(path)
    async with app.state.sessionmaker() as db:
        clause = (await clauses_of(db, world.cycle.id))[0]
    async with signed_in(app, "com@example.org") as commissioner:
        saved = await commissioner.submit(
            f"/clauses/{clause.id}/edit",
            {"body_en": "Lunch clubs twice a week.", "body_cy": "", "reason": "Concrete"},
        )
        assert saved.status_code == 303
    await tab_to(page, "#field-stance")
    await page.keyboard.press("Space")
    await send(page)
    await page.wait_for_selector("#messages .error-summary")
    await wait_for_focus(page, "e.classList.contains('error-summary')")
    now = await focused(page)
    assert "error-summary" in now["cls"] and "no longer the latest" in now["text"], now
    await context.close()

    async with app.state.sessionmaker() as db:
        rows = {row.user_id: row for row in (await db.execute(select(Endorsement))).scalars().all()}
    assert set(rows) == {world.members[0].id, world.members[1].id}
    assert rows[world.members[0].id].stance == "endorse"
    objection = rows[world.members[1].id]
    assert objection.stance == "object"
    assert objection.reason == "Clause 2 leaves out people who cannot travel."
