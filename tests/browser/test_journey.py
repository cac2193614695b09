"""The whole cycle in a real browser (the system Chromium), once with JavaScript on and once with
it off: a commissioner creates a cycle; citizens propose and support; a panel is drawn and
deliberates; citizens vote; results show; the specification is signed off and published; a
delivery update appears on the proposal's page."""

from __future__ import annotations

import re

import pytest
from factories import PASSWORD, make_organisation, make_user

from deliberate.accounts.models import Role

pytestmark = pytest.mark.browser


async def person(browser, base: str, email: str, js: bool):
    context = await browser.new_context(java_script_enabled=js)
    page = await context.new_page()
    page.set_default_timeout(15000)
    await page.goto(base + "/signin")
    await page.fill("#field-email", email)
    await page.fill("#field-password", PASSWORD)
    await page.click("main button[type=submit]")
    await page.wait_for_url(re.compile(r".*/$"))
    return page


async def submit(page, form_selector: str) -> None:
    """Press the form's submit button and wait for what follows (a new page, or an htmx swap)."""
    async with page.expect_response(lambda r: r.request.method == "POST"):
        await page.click(f"{form_selector} button[type=submit]")
    await page.wait_for_load_state()


async def move(page, base: str, cycle: str, target: str) -> None:
    await page.goto(f"{base}{cycle}")
    await submit(page, f"form.move-form:has(input[name=target][value={target}])")
    assert "moved to a new stage" in await page.inner_text("main"), await page.inner_text("main")


@pytest.mark.parametrize("js", [True, False], ids=["javascript", "no-javascript"])
async def test_the_whole_cycle(live_server, browser, make_app, js):
    app = make_app()
    async with app.state.sessionmaker() as db:
        organisation = await make_organisation(db)
        await make_user(
            db, "com@example.org", name="Cadi", roles=[(Role.COMMISSIONER, organisation)]
        )
        for name in ("Alaw", "Bedwyr", "Cerys"):
            await make_user(db, f"{name.lower()}@example.org", name=name)
    base = live_server.url
    com = await person(browser, base, "com@example.org", js)

    # The commissioner creates the cycle, its panel and its ballot, and opens it.
    await com.goto(base + "/cycles/new")
    await com.select_option("#field-service_area", "social_care")
    await com.fill("#field-title_en", "Day services in the valley")
    await com.fill("#field-summary_en", "What should day services offer?")
    await com.fill("#field-budget", "50000")
    await com.fill("#field-group_0_name_en", "Residents")
    await com.fill("#field-group_0_share", "100")
    await submit(com, "main form")
    cycle = re.search(r"(/cycles/[0-9a-f-]{36})", com.url).group(1)
    await com.goto(base + cycle + "/panel")
    await com.fill("#field-size", "3")
    await submit(com, "form[action$='/panel/configure']")
    await com.goto(base + cycle + "/ballot")
    await com.check("#field-method-approval")
    await submit(com, "#definition-form")
    await move(com, base, cycle, "proposals")

    # Citizens propose and support.
    alaw = await person(browser, base, "alaw@example.org", js)
    await alaw.goto(base + cycle + "/proposals/new")
    await alaw.fill("#field-title", "A minibus for the valley")
    await alaw.fill("#field-body", "Many of us cannot reach the centre without a lift from family.")
    await submit(alaw, "main form")
    proposal = re.search(r"(/proposals/[0-9a-f-]{36})", alaw.url).group(1)
    bedwyr = await person(browser, base, "bedwyr@example.org", js)
    await bedwyr.goto(base + proposal)
    await submit(bedwyr, "form[action$='/support']")
    await bedwyr.goto(base + proposal)
    assert "1 supporter" in await bedwyr.inner_text("main")

    # The commissioner shortlists it; three citizens volunteer; the panel is drawn.
    await com.goto(base + proposal)
    await com.select_option("#field-answer", "taken_forward")
    await com.fill("#field-reason", "Transport came up in every conversation we had.")
    await submit(com, "form[action$='/answer']")
    cerys = await person(browser, base, "cerys@example.org", js)
    for citizen in (alaw, bedwyr, cerys):
        await citizen.goto(base + cycle + "/panel")
        await citizen.check("#field-consent")
        await submit(citizen, "form[action$='/panel/volunteer']")
    await com.goto(base + cycle + "/panel")
    await submit(com, "form[action$='/panel/seed']")
    await submit(com, "form[action$='/panel/draw']")
    assert "The panel has been drawn" in await com.inner_text("main")

    # Deliberation: a panel member posts in the proposal's thread.
    await move(com, base, cycle, "deliberation")
    await alaw.goto(base + cycle + "/threads")
    await alaw.click("main .card-title a")
    await alaw.fill("#field-body", "A minibus twice a week would change everything for my mother.")
    await submit(alaw, "form[action$='/posts']")
    await alaw.reload()
    assert "twice a week" in await alaw.inner_text("#posts")

    # Voting.
    await move(com, base, cycle, "voting")
    for voter in (alaw, bedwyr):
        await voter.goto(base + cycle + "/vote")
        if await voter.locator("input[name=group]").count():
            await voter.check("input[name=group]")
            await submit(voter, "form[action$='/vote/group']")
        await voter.check("#ballot-form input[name=option]")
        await voter.click("#ballot-form button.button:not(.button--secondary)")
        # The review step: a new page without JavaScript, swapped in place with it.
        await voter.wait_for_selector("form[action$='/vote/cast'] button[type=submit]")
        await voter.click("form[action$='/vote/cast'] button[type=submit]")
        await voter.wait_for_selector("text=/has been counted/i")

    # The close: the tally runs and the results show; the specification is drafted.
    await move(com, base, cycle, "specification")
    await cerys.goto(base + cycle + "/results")
    assert "A minibus for the valley" in await cerys.inner_text("main")

    # The panel signs the specification off; the commissioner publishes it.
    for member in (alaw, bedwyr, cerys):
        await member.goto(base + cycle + "/specification")
        await member.check("input[name=stance][value=endorse]")
        await submit(member, "form[action$='/endorse']")
    await move(com, base, cycle, "published")

    # A delivery update reaches the proposal's page: you said, we did.
    await com.goto(base + cycle + "/specification")
    await com.click("a[href$='/delivery']")
    await com.select_option("#field-status", "in_progress")
    await com.fill("#field-note", "The minibus runs on Tuesdays and Fridays from March.")
    await submit(com, "form[action$='/delivery']")
    await bedwyr.goto(base + proposal)
    text = await bedwyr.inner_text("main")
    assert "Tuesdays and Fridays" in text or "In progress" in text, text
