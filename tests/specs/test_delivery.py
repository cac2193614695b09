"""Delivery after publication ("you said, we did"): the commissioner reports per clause, citizens
see progress on the cycle and proposal pages, panel members rate delivery against each outcome,
and the cycle closes once every clause has a report."""

from __future__ import annotations

import datetime as dt

from helpers import field_error, soup
from specs.support import clauses_of, published_world, signed_in
from sqlalchemy import select

from deliberate.audit import AuditEvent
from deliberate.cycles.models import Cycle
from deliberate.specs.models import DeliveryRating, DeliveryUpdate

EARLIER = dt.date.today() - dt.timedelta(days=10)


async def test_delivery_reports_show_on_cycle_and_proposal_pages(app, db, client):
    world = await published_world(app, db)
    clause = (await clauses_of(db, world.cycle.id))[0]
    path = f"/clauses/{clause.id}/delivery"
    async with signed_in(app, "member0@example.org") as member:
        refused = await member.submit(path, {"status": "delivered", "note": "Done"})
        assert refused.status_code == 403
    async with signed_in(app, "com@example.org") as commissioner:
        bad = await commissioner.submit(
            path, {"status": "delivered", "note": "Done", "evidence_url": "javascript:alert(1)"}
        )
        assert bad.status_code == 422
        assert field_error(bad, "evidence_url")
        ok = await commissioner.submit(
            path,
            {"status": "in_progress", "note": "Six lunch clubs open on Sundays",
             "evidence_url": "https://example.org/report", "reported_on": EARLIER.isoformat()},
        )  # fmt: skip
        assert ok.status_code == 303
    proposal_page = await client.get(f"/proposals/{world.proposals[2].id}")
    box = soup(proposal_page).find(id="became-heading").parent
    text = box.get_text(" ", strip=True)
    assert "In progress" in text and "Six lunch clubs open on Sundays" in text
    assert box.find("a", href=f"/clauses/{clause.id}/origin") is not None
    cycle_page = await client.get(f"/cycles/{world.cycle.id}")
    spec_box = soup(cycle_page).find(id="spec-heading").parent
    assert "In progress 1 clause" in spec_box.get_text(" ", strip=True)
    assert "No report yet 3 clauses" in spec_box.get_text(" ", strip=True)
    delivery_page = await client.get(path)
    assert "https://example.org/report" in delivery_page.text
    update = (await db.execute(select(DeliveryUpdate))).scalar_one()
    assert update.reported_on == EARLIER
    assert (
        await db.execute(select(AuditEvent).where(AuditEvent.action == "delivery.reported"))
    ).scalar_one()


async def test_a_proposal_no_clause_answers_says_why(app, db, client):
    world = await published_world(app, db)
    clause = (await clauses_of(db, world.cycle.id))[2]  # answers proposal 0
    from deliberate.specs.models import ClauseProposal

    await db.execute(ClauseProposal.__table__.delete().where(ClauseProposal.clause_id == clause.id))
    await db.commit()
    page = await client.get(f"/proposals/{world.proposals[0].id}")
    text = soup(page).find(id="became-heading").parent.get_text(" ", strip=True)
    assert "No clause of the published specification answers this proposal" in text
    assert "ranked 3 of 3" in text


async def test_panel_rates_outcomes_and_the_cycle_closes_after_review(app, db):
    world = await published_world(app, db)
    requirement = (await clauses_of(db, world.cycle.id))[0]
    # An outcome clause: added through the service before publication would make a new
    # version; here the published document gets one by hand to keep the test short.
    from deliberate.specs.models import Clause, SpecSection

    outcomes = (
        await db.execute(select(SpecSection).where(SpecSection.key == "outcomes"))
    ).scalar_one()
    outcome = Clause(
        specification_id=requirement.specification_id,
        cycle_id=world.cycle.id,
        section_id=outcomes.id,
        position=1,
        body_en="Fewer older people eat alone.",
        body_cy="Llai o bobl hŷn yn bwyta ar eu pen eu hunain.",
    )
    db.add(outcome)
    await db.commit()
    async with signed_in(app, "member0@example.org") as member:
        not_outcome = await member.submit(
            f"/clauses/{requirement.id}/rating", {"rating": "4"},
            form_page=f"/clauses/{requirement.id}/delivery",
        )  # fmt: skip
        assert not_outcome.status_code == 409
        bad = await member.submit(
            f"/clauses/{outcome.id}/rating", {"rating": "9"},
            form_page=f"/clauses/{outcome.id}/delivery",
        )  # fmt: skip
        assert bad.status_code == 422
        for rating in ("2", "4"):  # a second rating replaces the first
            rated = await member.submit(
                f"/clauses/{outcome.id}/rating", {"rating": rating, "comment": "Getting there"},
                form_page=f"/clauses/{outcome.id}/delivery",
            )  # fmt: skip
            assert rated.status_code == 303
    async with signed_in(app, "member1@example.org") as member:
        await member.submit(
            f"/clauses/{outcome.id}/rating", {"rating": "5"},
            form_page=f"/clauses/{outcome.id}/delivery",
        )  # fmt: skip
        page = await member.get(f"/clauses/{outcome.id}/delivery")
        assert "4.5 out of 5" in page.text
    async with signed_in(app, "citizen@example.org") as citizen:
        refused = await citizen.submit(
            f"/clauses/{outcome.id}/rating", {"rating": "1"},
            form_page=f"/clauses/{outcome.id}/delivery",
        )  # fmt: skip
        assert refused.status_code == 403
    ratings = (await db.execute(select(DeliveryRating.rating))).scalars().all()
    assert sorted(ratings) == [4, 5]
    clauses = await clauses_of(db, world.cycle.id) + [outcome]
    async with signed_in(app, "com@example.org") as commissioner:
        early = await commissioner.submit(
            f"/cycles/{world.cycle.id}/move", {"target": "closed"},
            form_page=f"/cycles/{world.cycle.id}",
        )  # fmt: skip
        assert early.status_code == 409
        assert "Report on the delivery of every clause" in early.text
        budget = await clauses_of(db, world.cycle.id, "budget")
        for clause in clauses + budget:
            response = await commissioner.submit(
                f"/clauses/{clause.id}/delivery", {"status": "delivered", "note": "Done"}
            )
            assert response.status_code == 303
        closed = await commissioner.submit(
            f"/cycles/{world.cycle.id}/move", {"target": "closed"},
            form_page=f"/cycles/{world.cycle.id}",
        )  # fmt: skip
        assert closed.status_code == 303
        late = await commissioner.submit(
            f"/clauses/{outcome.id}/delivery", {"status": "delivered", "note": "More"}
        )
        assert late.status_code == 409
    db.expunge_all()
    assert (await db.get(Cycle, world.cycle.id)).stage == "closed"
