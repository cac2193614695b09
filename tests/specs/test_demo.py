"""The specification demo: a published cycle whose golden thread runs from proposals to delivery
updates; loading it twice changes nothing."""

from __future__ import annotations

from helpers import count_rows, soup
from sqlalchemy import select

from deliberate.cycles.models import Cycle
from deliberate.deliberation.models import Volunteer
from deliberate.specs.demo import TITLE_EN, load_specs_demo
from deliberate.specs.models import Specification


async def _load(db):
    from deliberate import demo

    organisations = await demo.load_organisations_and_people(db, None)
    citizens = await demo._load_citizens(db)
    await load_specs_demo(db, organisations, citizens)
    await db.commit()
    return organisations, citizens


async def test_the_demo_publishes_a_golden_thread_to_delivery(app, db, client):
    organisations, citizens = await _load(db)
    cycle = (await db.execute(select(Cycle).where(Cycle.title_en == TITLE_EN))).scalar_one()
    assert cycle.stage == "published"
    spec = (
        await db.execute(select(Specification).where(Specification.cycle_id == cycle.id))
    ).scalar_one()
    assert spec.published_version == spec.latest_version >= 5
    assert await count_rows(db, "clause_proposals") >= 4
    assert await count_rows(db, "clause_threads", "summary_id IS NOT NULL") >= 4
    assert await count_rows(db, "clause_results") >= 4
    assert await count_rows(db, "delivery_updates") >= 6
    assert await count_rows(db, "delivery_ratings") == 6
    assert await count_rows(db, "amendments", "status = 'accepted'") == 1
    page = await client.get(f"/cycles/{cycle.id}/specification/v/{spec.published_version}")
    assert page.status_code == 200
    assert "Nine village halls" not in page.text  # notes live on the delivery pages
    assert soup(page).find(class_="tag--delivered") is not None
    await load_specs_demo(db, organisations, citizens)
    await db.commit()
    assert await count_rows(db, "specifications") == 1


async def test_every_specification_page_renders_in_both_languages(app, db, client):
    from deliberate.security import LANG_COOKIE
    from deliberate.specs.models import Amendment, Clause

    await _load(db)
    cycle = (await db.execute(select(Cycle).where(Cycle.title_en == TITLE_EN))).scalar_one()
    clause = (await db.execute(select(Clause).limit(1))).scalar_one()
    amendment = (await db.execute(select(Amendment).limit(1))).scalar_one()
    from deliberate.proposals.models import Proposal

    proposals = (
        await db.execute(select(Proposal.id).where(Proposal.cycle_id == cycle.id))
    ).scalars()
    base = f"/cycles/{cycle.id}/specification"
    paths = [
        f"/cycles/{cycle.id}", base, f"{base}/versions", f"{base}/compare?from=1&to=5",
        f"{base}/v/1", f"/clauses/{clause.id}/origin", f"/clauses/{clause.id}/delivery",
        f"/amendments/{amendment.id}", *[f"/proposals/{p}" for p in proposals],
        f"{base}/v/5.md", f"{base}/v/5.pdf", f"{base}/v/5.json",
    ]  # fmt: skip
    for language in ("en", "cy"):
        client.cookies.set(LANG_COOKIE, language)
        for path in paths:
            response = await client.get(path)
            # Drafts (version 1) and their comparison are for the panel and staff only.
            expected = 404 if path.endswith(("/v/1", "from=1&to=5")) else 200
            assert response.status_code == expected, (language, path)
            if response.headers["content-type"].startswith("text/html"):
                assert soup(response).find("html")["lang"] == language
    # A panel member reads the drafts and the changes between them.
    from helpers import Browser

    from deliberate.demo import DEMO_PASSWORD

    member = (await db.execute(select(Volunteer).where(Volunteer.cycle_id == cycle.id))).scalars()
    email = next(iter(member)).email
    async with Browser(app) as browser:
        await browser.sign_in(email, DEMO_PASSWORD)
        for path in (f"{base}/v/1", f"{base}/compare?from=1&to=5", f"{base}/versions"):
            assert (await browser.get(path)).status_code == 200, path
