"""axe-core, run inside the system Chromium, finds no WCAG 2.2 A/AA violation on any page type, in
English and Welsh, signed out and signed in with each role. The demo data gives every page type
real content."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

AXE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text()
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


@pytest.fixture
async def demo_site(live_server, make_app):
    from deliberate.demo import load_demo

    app = make_app()
    async with app.state.sessionmaker() as session:
        await load_demo(session)
        await session.commit()
    return live_server


async def violations(page, url: str) -> list[str]:
    response = await page.goto(url)
    assert response is not None and response.status < 500, url
    await page.evaluate(AXE)
    result = await page.evaluate(
        """async (tags) => {
            const r = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
            return {passes: r.passes.length, violations: r.violations.map(v => v.id + ': ' + v.help
                + ' — ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | '))};
        }""",
        TAGS,
    )
    assert result["passes"] > 5, f"axe did not run on {url}"
    return [f"{url}: {line}" for line in result["violations"]]


async def sign_in(page, base: str, email: str) -> None:
    await page.goto(base + "/signin")
    await page.fill("#field-email", email)
    await page.fill("#field-password", "deliberate-demo")
    await page.click("main button[type=submit]")
    await page.wait_for_load_state()


async def page_urls(page, base: str) -> list[str]:
    await page.goto(base + "/cycles")
    cycles = await page.eval_on_selector_all(
        "#results h3 a", "els => els.map(e => e.getAttribute('href'))"
    )
    urls = [
        "/",
        "/cycles",
        "/signin",
        "/signup",
        "/password/forgot",
        "/accessibility",
        "/no-such-page",
    ]
    for cycle in cycles:
        urls += [
            cycle,
            cycle + "/proposals",
            cycle + "/panel",
            cycle + "/threads",
            cycle + "/results",
            cycle + "/specification",
            cycle + "/specification/versions",
        ]
    for cycle in cycles:
        await page.goto(base + cycle + "/specification")
        urls += (
            await page.eval_on_selector_all(
                "main a[href$='/origin'], main a[href$='/delivery']",
                "els => els.map(e => e.getAttribute('href'))",
            )
        )[:2]
    await page.goto(base + cycles[0] + "/proposals") if cycles else None
    proposals = await page.eval_on_selector_all(
        "#results h2 a", "els => els.map(e => e.getAttribute('href'))"
    )
    urls += proposals[:2]
    for cycle in cycles:
        await page.goto(base + cycle + "/threads")
        threads = await page.eval_on_selector_all(
            "main .card-title a", "els => els.map(e => e.getAttribute('href'))"
        )
        urls += threads[:1]
    return list(dict.fromkeys(urls))


ROLES = {
    "signed out": None,
    "citizen": "citizen@demo.deliberate.cymru",
    "panel member": "carer01@demo.deliberate.cymru",
    "facilitator": "facilitator@demo.deliberate.cymru",
    "commissioner": "commissioner@demo.deliberate.cymru",
    "admin": "admin@demo.deliberate.cymru",
}
EXTRA = {
    "citizen": [
        "/account",
        "/account/sessions",
        "/account/data",
        "/account/delete",
        "/notifications",
    ],
    "commissioner": ["/manage", "/cycles/new"],
    "admin": ["/admin", "/admin/audit"],
}


async def test_no_axe_violations_on_any_page_type(demo_site, browser):
    """Every page type signed out in both languages; then, for each role, the pages only that
    role sees plus the pages whose controls change with the role. The demo is loaded once."""
    base = demo_site.url
    found: list[str] = []
    for language in ("en", "cy"):
        for role, email in ROLES.items():
            context = await browser.new_context()
            page = await context.new_page()
            await context.add_cookies([{"name": "deliberate_lang", "value": language, "url": base}])
            if email:
                await sign_in(page, base, email)
            urls = await page_urls(page, base)
            if email:
                # Signed in, the pages that change with the role: cycle, proposal and thread pages.
                urls = [u for u in urls if u.startswith(("/cycles/", "/proposals/", "/threads/"))]
                urls = [u for u in urls if not u.endswith(("/results", "/proposals"))][:8]
            for url in urls + EXTRA.get(role, []):
                found += await violations(page, base + url)
                assert await page.get_attribute("html", "lang") == language, url
            await context.close()
    assert found == [], "\n".join(found)


def test_axe_is_vendored_with_its_version():
    assert re.search(r"axe v?4\.\d+\.\d+", AXE[:500]) is not None
