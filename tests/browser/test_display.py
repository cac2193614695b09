"""Text resized and narrow screens (WCAG 2.2 1.4.4 Resize text, 1.4.10 Reflow), and reduced
motion (2.3.3), in the system Chromium with the demo data.

For the main page types, with the root font size at 200% on a 1280 px wide window and on a
320 CSS px wide one: the page never scrolls sideways, no text is cut off by a container that
hides its overflow, and each page's main action is on screen and reached by Tab.

With `prefers-reduced-motion: reduce`, nothing moves for longer than a hundredth of a second
and htmx still swaps content in; without it, the normal transitions stay."""

from __future__ import annotations

import pytest
from browser.test_accessibility import sign_in
from sqlalchemy import select

pytestmark = pytest.mark.browser

MEMBER = "carer01@demo.deliberate.cymru"  # a citizen on the demo panel: sees every control
DISPLAYS = {
    "1280 px, text 200%": (1280, 800, "200%"),
    "320 px, text 200%": (320, 640, "200%"),
}


@pytest.fixture
async def demo_pages(live_server, make_app) -> dict[str, tuple[str, str]]:
    """Page type -> (path, the selector of its main action), from the demo data."""
    from deliberate.cycles.models import Cycle
    from deliberate.deliberation.models import Thread
    from deliberate.demo import load_demo
    from deliberate.proposals.models import Proposal

    app = make_app()
    async with app.state.sessionmaker() as db:
        await load_demo(db)
        await db.commit()
        stages = {
            stage: cycle_id
            for cycle_id, stage in (await db.execute(select(Cycle.id, Cycle.stage))).all()
        }
        proposals = stages["proposals"]
        proposal = await db.scalar(
            select(Proposal.id).where(Proposal.cycle_id == proposals).limit(1)
        )
        thread = await db.scalar(
            select(Thread.id).where(Thread.cycle_id == stages["deliberation"]).limit(1)
        )
    voting, published = stages["voting"], stages["published"]
    return {
        "home": ("/", "header a[href='/cycles']"),
        "cycle list": ("/cycles", "#results h3 a"),
        "cycle page": (f"/cycles/{voting}", f"main a[href='/cycles/{voting}/vote']"),
        "proposal list": (f"/cycles/{proposals}/proposals", "#results h2 a"),
        "proposal page": (f"/proposals/{proposal}", f"#support-button-{proposal}"),
        "thread": (f"/threads/{thread}", "form[data-post-form] button[type=submit]"),
        "ballot": (
            f"/cycles/{voting}/vote",
            "#ballot-form button.button:not(.button--secondary),"
            " form[action$='/vote/group'] button[type=submit]",
        ),
        "results": (f"/cycles/{published}/results", "main table a"),
        "specification": (f"/cycles/{published}/specification", "main a[href$='.pdf']"),
    }


OVERFLOW = """() => {
  const width = window.innerWidth;
  const problems = [];
  const root = document.documentElement;
  if (root.scrollWidth > width + 1) {
    // Name the widest elements, to say what to fix.
    const wide = [...document.body.querySelectorAll('*')]
      .filter(e => e.getBoundingClientRect().right > width + 1)
      .filter(e => !e.closest('.visually-hidden, .skip-link'))
      .map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
        + (e.className && typeof e.className === 'string' ? '.' + e.className.split(' ').join('.') : '')
        + ' ' + Math.round(e.getBoundingClientRect().right))
      .slice(-5);
    problems.push('scrolls sideways: ' + root.scrollWidth + ' > ' + width + ' ' + wide.join(', '));
  }
  for (const e of document.body.querySelectorAll('*')) {
    if (e.closest('.visually-hidden, .skip-link')) continue;
    const style = getComputedStyle(e);
    const hides = v => v === 'hidden' || v === 'clip';
    if (!hides(style.overflowX) && !hides(style.overflowY) && style.textOverflow !== 'ellipsis') continue;
    if (!e.innerText || !e.innerText.trim()) continue;
    const cutX = e.scrollWidth > e.clientWidth + 1;
    const cutY = e.scrollHeight > e.clientHeight + 1;
    if ((hides(style.overflowX) || style.textOverflow === 'ellipsis') && cutX
        || hides(style.overflowY) && cutY) {
      problems.push('text cut off in ' + e.tagName.toLowerCase() + '.' + e.className);
    }
  }
  return problems;
}"""


async def reached_by_tab(page, selector: str, limit: int = 300) -> dict | None:
    """Tab from the top of the page until `selector` has the focus; where it then is."""
    target = await page.query_selector(selector)
    assert target is not None, selector
    await page.evaluate("document.activeElement && document.activeElement.blur()")
    for _ in range(limit):
        await page.keyboard.press("Tab")
        if await target.evaluate("e => e === document.activeElement"):
            return await target.evaluate(
                """e => { const r = e.getBoundingClientRect();
                  return {left: r.left, right: r.right, top: r.top, bottom: r.bottom,
                          width: window.innerWidth, height: window.innerHeight}; }"""
            )
    return None


async def test_text_at_200_percent_reflows(demo_pages, live_server, browser):
    base = live_server.url
    found: list[str] = []
    for display, (width, height, font_size) in DISPLAYS.items():
        context = await browser.new_context(viewport={"width": width, "height": height})
        page = await context.new_page()
        await sign_in(page, base, MEMBER)
        for name, (path, action) in demo_pages.items():
            where = f"{display}, {name} ({path})"
            response = await page.goto(base + path)
            assert response is not None and response.status == 200, where
            # As a reader's text size setting does: the root font size, which rem units follow.
            await page.evaluate(
                "size => { document.documentElement.style.fontSize = size; }", font_size
            )
            found += [f"{where}: {problem}" for problem in await page.evaluate(OVERFLOW)]
            box = await reached_by_tab(page, action)
            if box is None:
                found.append(f"{where}: {action} is not reached by Tab")
            elif box["left"] < -1 or box["right"] > box["width"] + 1 or box["bottom"] < 0:
                found.append(f"{where}: {action} has the focus off screen: {box}")
        await context.close()
    assert found == [], "\n".join(found)


MOTION = """() => {
  const seconds = value => Math.max(0, ...value.split(',').map(part => part.trim().endsWith('ms')
    ? parseFloat(part) / 1000 : parseFloat(part)));
  const name = e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
    + (typeof e.className === 'string' && e.className ? '.' + e.className.split(' ').join('.') : '');
  const moving = [];
  for (const e of [document.documentElement, ...document.querySelectorAll('*')]) {
    for (const pseudo of [null, '::before', '::after']) {
      const style = getComputedStyle(e, pseudo);
      if (style.animationName !== 'none' && seconds(style.animationDuration) > 0.01) {
        moving.push('animation on ' + name(e) + (pseudo || ''));
      }
      if (style.transitionProperty !== 'none' && seconds(style.transitionDuration) > 0.01) {
        moving.push('transition on ' + name(e) + (pseudo || ''));
      }
    }
  }
  for (const animation of document.getAnimations()) {
    if (animation.playState === 'running' && animation.effect.getTiming().duration > 10) {
      moving.push('running ' + animation.constructor.name + ' on ' + name(animation.effect.target));
    }
  }
  return moving;
}"""

# What threads.js does to a post that arrives live.
ARRIVE = """() => {
  const post = document.querySelector('#posts > li');
  post.classList.add('post-item--new');
  const style = getComputedStyle(post);
  return [style.animationName, style.animationDuration];
}"""


async def test_reduced_motion_stops_movement_and_keeps_htmx(demo_pages, live_server, browser):
    base = live_server.url
    context = await browser.new_context(reduced_motion="reduce")
    page = await context.new_page()
    await sign_in(page, base, MEMBER)
    found: list[str] = []
    for name, (path, _action) in demo_pages.items():
        await page.goto(base + path)
        found += [f"{name} ({path}): {problem}" for problem in await page.evaluate(MOTION)]
    assert found == [], "\n".join(found)

    # htmx still swaps: supporting a proposal by keyboard changes the button in place.
    path, button = demo_pages["proposal page"]
    await page.goto(base + path)
    before = await page.get_attribute(button, "aria-pressed")
    await page.focus(button)
    async with page.expect_response(lambda r: r.request.method == "POST"):
        await page.keyboard.press("Enter")
    after = "false" if before == "true" else "true"
    await page.wait_for_selector(f"{button}[aria-pressed={after}]")
    assert await page.evaluate(MOTION) == []

    # A post arriving live is not animated; without the preference it is.
    thread, _action = demo_pages["thread"]
    await page.goto(base + thread)
    assert (await page.evaluate(ARRIVE))[0] == "none"
    await context.close()
    context = await browser.new_context(reduced_motion="no-preference")
    page = await context.new_page()
    await sign_in(page, base, MEMBER)
    await page.goto(base + thread)
    assert await page.evaluate(ARRIVE) == ["arrive", "1s"]
    await context.close()
