"""Keyboard only, with JavaScript on: a ballot for each remaining method (score, cumulative,
quadratic, instant runoff, Schulze, greedy participatory budget, Method of Equal Shares), typed,
ticked and ranked with Tab, Shift+Tab, Space, Enter and digits, through the review to the
confirmation. The ballot stored is the one the person meant; while htmx updates the totals the
focus stays on the control in use, and the totals are read out from a live region that stays in
place."""

from __future__ import annotations

import pytest
from browser.test_keyboard import tab_to, wait_for_focus
from browser.test_keyboard_vote import declare_group_if_asked, review_and_cast, sign_in_by_keyboard
from factories import make_user
from sqlalchemy import select
from vote.support import build_world

from deliberate.voting.models import BallotOption, CastBallot

pytestmark = pytest.mark.browser

PARAMS = {
    "score": {"max_score": 5},
    "cumulative": {"max_total": 10},
    "quadratic": {"credits": 25},
    "irv": {},
    "schulze": {},
    "greedy": {"budget": 60_000},
    "mes": {"budget": 60_000},
}


async def watch_live_region(page) -> None:
    """Remember the live region holding the totals, to check later that it is the same one."""
    await page.evaluate(
        """() => {
          const region = document.querySelector('#ballot-feedback')
            .closest('[aria-live=polite], [role=status]');
          if (!region) throw new Error('the totals are not in a live region');
          window.__liveRegion = region;
        }"""
    )


async def expect_feedback(page, text: str, control: str, *, same_region: bool = True) -> None:
    """The totals say `text` (from the server, after the swap), the focus is still on `control`
    and the totals are inside a live region (the very one watched, unless the form was swapped)."""
    await page.wait_for_function(
        "t => document.querySelector('#ballot-feedback').innerText.replace(/\\s+/g, ' ').includes(t)",
        arg=text,
    )
    await wait_for_focus(page, f"e.id === '{control}'")
    assert await page.evaluate("document.activeElement.id") == control
    in_region = await page.evaluate(
        """() => {
          const feedback = document.querySelector('#ballot-feedback');
          const region = feedback.closest('[aria-live=polite], [role=status]');
          return !!region && region.getAttribute('aria-live') === 'polite'
            && region.getAttribute('role') === 'status';
        }"""
    )
    assert in_region, "the totals are not in a live region"
    if same_region:
        kept = await page.evaluate(
            "() => window.__liveRegion.isConnected"
            " && window.__liveRegion.contains(document.querySelector('#ballot-feedback'))"
        )
        assert kept, "the live region was replaced, so the new totals may not be read out"


async def type_number(page, field: str, number: str, *, clear: bool = False) -> None:
    assert await page.evaluate("document.activeElement.id") == field
    if clear:
        await page.keyboard.press("Backspace")
    await page.keyboard.type(number)


async def points_ballot(page, method: str, keys: list[str]) -> dict:
    first, second = (f"field-points_{k}" for k in keys[:2])
    await tab_to(page, f"#{first}")
    if method == "score":
        await type_number(page, first, "5")
        await expect_feedback(page, "Options scored: 1.", first)
        await page.keyboard.press("Tab")
        await type_number(page, second, "3")
        await expect_feedback(page, "Options scored: 2.", second)
        # To the review and back with "Change my choices": the same ballot, on the same page,
        # and the focus on the choices rather than lost.
        await tab_to(page, "#ballot-form button.button:not(.button--secondary)")
        await page.keyboard.press("Enter")
        await page.wait_for_selector("#review-heading")
        await tab_to(page, "#ballot-form button[name=change]")
        await page.keyboard.press("Enter")
        await page.wait_for_selector(f"#{first}")
        assert await page.locator("h1").count() == 1
        assert await page.input_value(f"#{first}") == "5"
        assert await page.input_value(f"#{second}") == "3"
        await wait_for_focus(page, "e.id === 'field-points'")
        assert await page.evaluate("document.activeElement.id") == "field-points"
        await tab_to(page, f"#{second}")
        await type_number(page, second, "4", clear=True)
        await expect_feedback(page, "Options scored: 2.", second, same_region=False)
        return {"points": {keys[0]: 5, keys[1]: 4}}
    if method == "cumulative":
        await type_number(page, first, "8")
        await expect_feedback(page, "Points left: 2 of 10.", first)
        await page.keyboard.press("Tab")
        await type_number(page, second, "3")
        await expect_feedback(page, "more than the rules allow", second)
        # Asking for the review anyway: the problem comes back, and has the focus.
        await tab_to(page, "#ballot-form button.button:not(.button--secondary)")
        await page.keyboard.press("Enter")
        await page.wait_for_selector("#ballot-form .error-summary")
        await wait_for_focus(page, "e.classList.contains('error-summary')")
        assert await page.evaluate("document.activeElement.classList.contains('error-summary')")
        await watch_live_region(page)
        # Then Tab to the second option and back with Shift+Tab to take a point off the first.
        await tab_to(page, f"#{second}")
        assert await page.input_value(f"#{second}") == "3"  # what was typed is kept
        await page.keyboard.press("Shift+Tab")
        await type_number(page, first, "7", clear=True)
        await expect_feedback(page, "Points left: 0 of 10.", first)
        return {"points": {keys[0]: 7, keys[1]: 3}}
    await type_number(page, first, "3")
    await expect_feedback(page, "Credits used: 9. Credits left: 16 of 25.", first)
    await page.keyboard.press("Tab")
    await type_number(page, second, "4")
    await expect_feedback(page, "Credits left: 0 of 25.", second)
    return {"points": {keys[0]: 3, keys[1]: 4}}


async def ranked_ballot(page, method: str, keys: list[str]) -> dict:
    # Digits typed on a rank's list choose that rank; the count comes back live.
    await tab_to(page, f"#field-rank_{keys[0]}")
    await page.keyboard.type("1")
    await expect_feedback(page, "Options ranked: 1.", f"field-rank_{keys[0]}")
    await tab_to(page, f"#field-rank_{keys[1]}")
    await page.keyboard.type("2")
    await expect_feedback(page, "Options ranked: 2.", f"field-rank_{keys[1]}")
    if method == "irv":
        return {"ranking": [keys[0], keys[1]]}
    # Schulze: the last option's Up button ranks it, then Enter again and again moves it up:
    # htmx swaps the whole form, and the focus comes back to the same button each time.
    # Each press is checked on the form it swapped in (the last option's rank: 3, then 2, then
    # 1), not on the one it replaced, which already said "Options ranked: 3."
    last = f"move-up-{keys[-1]}"
    await tab_to(page, f"#{last}")
    for rank in (3, 2, 1):
        await page.evaluate(
            "() => { window.__ballotForm = document.querySelector('#ballot-form'); }"
        )
        await page.keyboard.press("Enter")
        await page.wait_for_function(
            """([select, rank]) => {
              const form = document.querySelector('#ballot-form');
              return form !== window.__ballotForm && !document.querySelector('.htmx-settling')
                && document.querySelector(select).value === rank;
            }""",
            arg=[f"#field-rank_{keys[-1]}", str(rank)],
        )
        await expect_feedback(page, "Options ranked: 3.", last, same_region=False)
    return {"ranking": [keys[-1], keys[0], keys[1]]}


async def budget_ballot(page, method: str, keys: list[str]) -> dict:
    picks = [0, 2] if method == "greedy" else [1, 3]
    lefts = ["Budget left: £20,000 of £60,000.", "Budget left: £0 of £60,000."]
    if method == "mes":
        lefts = ["Budget left: £30,000 of £60,000.", "Budget left: £15,000 of £60,000."]
    for pick, left in zip(picks, lefts, strict=True):
        await tab_to(page, f"#option-{keys[pick]}")
        await page.keyboard.press("Space")
        await expect_feedback(page, left, f"option-{keys[pick]}")
    # A third project would go over the budget: ticked, seen, and unticked again.
    extra = next(k for i, k in enumerate(keys) if i not in picks and i < 2)
    await tab_to(page, f"#option-{extra}")
    await page.keyboard.press("Space")
    await expect_feedback(page, "more than the rules allow", f"option-{extra}")
    await page.keyboard.press("Space")
    await expect_feedback(page, lefts[-1], f"option-{extra}")
    return {"approvals": [keys[i] for i in picks]}


@pytest.mark.parametrize("method", list(PARAMS))
async def test_keyboard_vote_each_method(live_server, browser, make_app, method):
    app = make_app()
    async with app.state.sessionmaker() as db:
        world = await build_world(db, method=method, params=PARAMS[method])
        voter = await make_user(db, "keys@example.org", name="Keri")
        options = (
            (await db.execute(select(BallotOption).where(BallotOption.cycle_id == world.cycle.id)))
            .scalars()
            .all()
        )
    by_title = {o.title: o.key for o in options}
    keys = [by_title[p.title] for p in world.proposals]
    base = live_server.url
    context = await browser.new_context()
    page = await context.new_page()
    page.set_default_timeout(15000)
    await sign_in_by_keyboard(page, base, "keys@example.org")
    await page.goto(f"{base}/cycles/{world.cycle.id}/vote")
    await declare_group_if_asked(page)
    await watch_live_region(page)
    if method in ("score", "cumulative", "quadratic"):
        meant = await points_ballot(page, method, keys)
    elif method in ("irv", "schulze"):
        meant = await ranked_ballot(page, method, keys)
    else:
        meant = await budget_ballot(page, method, keys)
    await review_and_cast(page)
    await context.close()
    async with app.state.sessionmaker() as db:
        ballot = (
            await db.execute(select(CastBallot).where(CastBallot.voter_id == voter.id))
        ).scalar_one()
    stored = dict(ballot.choice)
    if "approvals" in meant:
        assert sorted(stored["approvals"]) == sorted(meant["approvals"]), stored
    elif "points" in meant:
        assert {k: int(v) for k, v in stored["points"].items()} == meant["points"], stored
    else:
        assert [str(k) for k in stored["ranking"]] == meant["ranking"], stored
