"""Keyboard only, with JavaScript on: voting on a ranked ballot (moving an option up with its
button) and an approval ballot, through the review step to the confirmation; focus goes to the
review after the htmx swap."""

from __future__ import annotations

import pytest
from browser.test_keyboard import tab_to, wait_for_focus
from factories import PASSWORD, make_user
from vote.support import TITLES, build_world

from deliberate.voting.models import BallotOption, CastBallot

pytestmark = pytest.mark.browser


async def sign_in_by_keyboard(page, base: str, email: str) -> None:
    await page.goto(base + "/signin")
    await tab_to(page, "#field-email")
    await page.keyboard.type(email)
    await page.keyboard.press("Tab")
    await page.keyboard.type(PASSWORD)
    await page.keyboard.press("Enter")
    await page.wait_for_url(base + "/")


async def declare_group_if_asked(page) -> None:
    if await page.locator("input[name=group]").count():
        await tab_to(page, "input[name=group]")
        await page.keyboard.press("Space")
        await tab_to(page, "form[action$='/vote/group'] button[type=submit]")
        await page.keyboard.press("Enter")
        await page.wait_for_selector("#ballot-form")


async def review_and_cast(page) -> None:
    await tab_to(page, "#ballot-form button.button:not(.button--secondary)")
    await page.keyboard.press("Enter")
    await page.wait_for_selector("#review-heading")
    # After the swap the review's heading has the focus, so a screen reader reads it out.
    await wait_for_focus(page, "e.id === 'review-heading'")
    assert await page.evaluate("document.activeElement.id") == "review-heading"
    await tab_to(page, "form[action$='/vote/cast'] button[type=submit]")
    await page.keyboard.press("Enter")
    await page.wait_for_selector("text=/has been counted/i")


@pytest.mark.parametrize("method", ["borda", "approval"])
async def test_keyboard_vote(live_server, browser, make_app, method):
    app = make_app()
    async with app.state.sessionmaker() as db:
        world = await build_world(db, method=method)
        voter = await make_user(db, "keys@example.org", name="Keri")
    base = live_server.url
    page = await (await browser.new_context()).new_page()
    page.set_default_timeout(15000)
    await sign_in_by_keyboard(page, base, "keys@example.org")
    await page.goto(f"{base}/cycles/{world.cycle.id}/vote")
    await declare_group_if_asked(page)
    last = TITLES[len(world.proposals) - 1]
    if method == "borda":
        # Move the last option to the top with its own Up button, by keyboard alone.
        for _ in range(len(world.proposals) - 1):
            await tab_to(page, f"#ballot-form button[aria-label='Move {last} up']")
            async with page.expect_response(lambda r: r.request.method == "POST"):
                await page.keyboard.press("Enter")
            await page.wait_for_timeout(300)  # let htmx settle the swapped ballot
    else:
        await tab_to(page, "#ballot-form input[name=option] >> nth=0")
        await page.keyboard.press("Space")
    await review_and_cast(page)
    async with app.state.sessionmaker() as db:
        from sqlalchemy import select

        ballot = (
            await db.execute(select(CastBallot).where(CastBallot.voter_id == voter.id))
        ).scalar_one()
        titles = {
            option.key: option.title
            for option in (
                await db.execute(
                    select(BallotOption).where(BallotOption.cycle_id == world.cycle.id)
                )
            ).scalars()
        }
    if method == "borda":
        assert titles[str(ballot.choice["ranking"][0])] == last, ballot.choice
    else:
        assert ballot.choice.get("approvals"), ballot.choice
