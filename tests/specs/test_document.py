"""The specification is made when the vote closes: sections from the template, one service
requirement per proposal in the order the vote ranked them, each linked by real keys to its
proposal, its thread and the thread's latest summary version, and its vote result; version 1."""

from __future__ import annotations

from helpers import soup
from specs.support import build_world, clauses_of, signed_in, spec_of
from sqlalchemy import select

from deliberate.audit import AuditEvent
from deliberate.specs.models import (
    ClauseProposal,
    ClauseResult,
    ClauseThread,
    SpecSection,
    SpecVersion,
)
from deliberate.voting.models import BallotOption, Tally


async def test_closing_the_vote_makes_the_document_from_the_result(app, db):
    world = await build_world(db)
    spec = await spec_of(db, world.cycle.id)
    assert spec.latest_version == 1 and spec.published_version is None
    keys = (
        (
            await db.execute(
                select(SpecSection.key)
                .where(SpecSection.specification_id == spec.id)
                .order_by(SpecSection.position)
            )
        )
        .scalars()
        .all()
    )
    assert keys == ["outcomes", "requirements", "quality", "workforce", "budget", "measures"]
    clauses = await clauses_of(db, world.cycle.id)
    # Option 1 (the best supported proposal, index 2) was approved on every ballot but one.
    assert [c.body_en.splitlines()[0] for c in clauses] == [
        f"**{world.proposals[2].title}**",
        f"**{world.proposals[1].title}**",
        f"**{world.proposals[0].title}**",
    ]
    first = clauses[0]
    linked = (
        await db.execute(select(ClauseProposal).where(ClauseProposal.clause_id == first.id))
    ).scalar_one()
    assert linked.proposal_id == world.proposals[2].id
    thread_link = (
        await db.execute(select(ClauseThread).where(ClauseThread.clause_id == first.id))
    ).scalar_one()
    assert thread_link.thread_id == world.threads[2].id
    assert thread_link.summary_id == world.summaries[2].id  # the latest version, cited exactly
    result = (
        await db.execute(select(ClauseResult).where(ClauseResult.clause_id == first.id))
    ).scalar_one()
    option = await db.get(BallotOption, result.option_id)
    assert option.proposal_id == world.proposals[2].id
    assert await db.get(Tally, result.tally_cycle_id) is not None
    version = (await db.execute(select(SpecVersion))).scalar_one()
    assert version.number == 1
    requirement = version.snapshot["sections"][1]
    assert requirement["key"] == "requirements"
    assert requirement["clauses"][0]["results"][0]["rank"] == 1
    assert requirement["clauses"][0]["threads"][0]["summary_version"] == 2
    budget = version.snapshot["sections"][4]["clauses"]
    assert "£100,000" in budget[0]["body_en"] and budget[0]["body_cy"]
    assert (
        await db.execute(select(AuditEvent).where(AuditEvent.action == "specification.created"))
    ).scalar_one()


async def test_drafts_are_for_the_panel_and_staff(app, db, client):
    world = await build_world(db)
    path = f"/cycles/{world.cycle.id}/specification"
    refused = await client.get(path)
    assert refused.status_code == 404
    assert "being written" in soup(refused).get_text()
    assert (await client.get(f"{path}/v/1")).status_code == 404
    async with signed_in(app, "citizen@example.org") as citizen:
        assert (await citizen.get(path)).status_code == 404
    for email in ("member0@example.org", "com@example.org", "fac@example.org"):
        async with signed_in(app, email) as person:
            page = await person.get(path)
            assert page.status_code == 200, email
            html = soup(page)
            assert html.find("h1").get_text(strip=True).startswith("Service specification")
            assert world.proposals[2].title in html.get_text()
    # The cycle page says the specification is being written, to everyone.
    cycle_page = await client.get(f"/cycles/{world.cycle.id}")
    box = soup(cycle_page).find(id="spec-heading").parent
    assert "writing the specification" in box.get_text()


async def test_the_origin_page_follows_the_foreign_keys(app, db):
    world = await build_world(db)
    clause = (await clauses_of(db, world.cycle.id))[0]
    async with signed_in(app, "member0@example.org") as member:
        page = await member.get(f"/clauses/{clause.id}/origin")
    assert page.status_code == 200
    html = soup(page)
    proposals = html.find(id="proposals-heading").parent
    assert proposals.find("a", href=f"/proposals/{world.proposals[2].id}") is not None
    assert "7 supporters" in proposals.get_text()
    assert "Because." in proposals.get_text()  # the commissioner's answer
    threads = html.find(id="threads-heading").parent
    assert threads.find("a", href=f"/threads/{world.threads[2].id}") is not None
    assert "summary, version 2" in threads.get_text()
    assert f"Summary 2 of {world.proposals[2].title}" in threads.get_text()
    vote = html.find(id="result-heading").parent
    assert "ranked 1 of 3" in vote.get_text()
