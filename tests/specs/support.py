"""A cycle ready for its specification: proposals with supports, a panel with threads and
facilitator summaries, a counted vote (ballots written straight to the table), then the close
that makes the document. People sign in through the real pages."""

from __future__ import annotations

import contextlib
import secrets
from dataclasses import dataclass
from typing import Any

from factories import (
    PASSWORD,
    make_cycle,
    make_organisation,
    make_panel,
    make_proposal,
    make_thread,
    make_user,
)
from helpers import Browser

from deliberate.accounts.models import Role

TITLES = [
    "Lunch clubs in every village hall",
    "Transport to the lunch club",
    "Meals delivered on Sundays",
]


@dataclass
class SpecWorld:
    organisation: Any
    cycle: Any
    commissioner: Any
    facilitator: Any
    members: list[Any]
    citizen: Any
    proposals: list[Any]
    threads: list[Any]
    summaries: list[Any]


@contextlib.asynccontextmanager
async def signed_in(app, email: str):
    async with Browser(app) as browser:
        await browser.sign_in(email, PASSWORD)
        yield browser


async def build_world(db, *, members: int = 3, quorum: int = 67, close: bool = True) -> SpecWorld:
    """Three shortlisted proposals, a panel, a thread per proposal with two summary versions,
    an approval vote that ranks proposal 2 first, then 1, then 0; the vote closed."""
    from deliberate.cycles.models import Cycle
    from deliberate.cycles.service import move_cycle
    from deliberate.cycles.stages import Stage
    from deliberate.deliberation.models import ThreadSummary
    from deliberate.voting.models import BallotDefinition, CastBallot

    organisation = await make_organisation(db)
    commissioner = await make_user(
        db, "com@example.org", name="Cai", roles=[(Role.COMMISSIONER, organisation)]
    )
    facilitator = await make_user(
        db, "fac@example.org", name="Ffion", roles=[(Role.FACILITATOR, organisation)]
    )
    panel_members = [
        await make_user(db, f"member{i}@example.org", name=f"Member {i}") for i in range(members)
    ]
    citizen = await make_user(db, "citizen@example.org", name="Cit")
    cycle = await make_cycle(db, organisation, stage="deliberation", title="Community meals")
    row = await db.get(Cycle, cycle.id)
    row.settings = {**row.settings, "signoff_quorum": quorum}
    await make_panel(db, cycle, panel_members)
    proposals, threads, summaries = [], [], []
    for i, title in enumerate(TITLES):
        proposal = await make_proposal(
            db, cycle, citizen, title=title, answer="taken_forward", support_count=5 + i
        )
        proposals.append(proposal)
        thread = await make_thread(db, cycle, title=f"Thread: {title}", proposal=proposal)
        threads.append(thread)
        for version in (1, 2):
            summary = ThreadSummary(
                thread_id=thread.id,
                version=version,
                body=f"Summary {version} of {title}",
                author_id=facilitator.id,
            )
            db.add(summary)
        await db.flush()
        summaries.append(summary)  # the latest version
    db.add(BallotDefinition(cycle_id=cycle.id, method="approval", params={}))
    await db.commit()
    await move_cycle(db, None, cycle.id, Stage.VOTING)
    await db.commit()
    # Positions follow the shortlist order (support, best first): proposal 2 is option 1.
    choices = [["1"], ["1", "2"], ["1", "2", "3"], ["2"]]
    for n, approvals in enumerate(choices):
        voter = await make_user(db, f"voter{n}@example.org", name=f"Voter {n}")
        db.add(
            CastBallot(
                cycle_id=cycle.id,
                voter_id=voter.id,
                choice={"approvals": approvals},
                receipt_hash=secrets.token_hex(32),
                submission_token=secrets.token_hex(16),
            )
        )
    await db.commit()
    if close:
        await move_cycle(db, None, cycle.id, Stage.SPECIFICATION)
        await db.commit()
    return SpecWorld(
        organisation, cycle, commissioner, facilitator, panel_members, citizen, proposals,
        threads, summaries,
    )  # fmt: skip


async def spec_of(db, cycle_id):
    from sqlalchemy import select

    from deliberate.specs.models import Specification

    db.expunge_all()
    return (
        await db.execute(select(Specification).where(Specification.cycle_id == cycle_id))
    ).scalar_one()


async def clauses_of(db, cycle_id, section: str = "requirements"):
    from sqlalchemy import select

    from deliberate.specs.models import Clause, SpecSection

    db.expunge_all()
    return list(
        (
            await db.execute(
                select(Clause)
                .join(SpecSection, SpecSection.id == Clause.section_id)
                .where(Clause.cycle_id == cycle_id, SpecSection.key == section)
                .order_by(Clause.position)
            )
        ).scalars()
    )


async def endorse(app, email: str, cycle_id, version: int, stance: str = "endorse", reason=""):
    async with signed_in(app, email) as member:
        return await member.submit(
            f"/cycles/{cycle_id}/specification/endorse",
            {"version": str(version), "stance": stance, "reason": reason},
            form_page=f"/cycles/{cycle_id}/specification",
        )


async def publish(app, cycle_id):
    async with signed_in(app, "com@example.org") as commissioner:
        return await commissioner.submit(
            f"/cycles/{cycle_id}/move",
            {"target": "published"},
            form_page=f"/cycles/{cycle_id}",
        )


async def published_world(app, db, **kwargs) -> SpecWorld:
    """The world with its version 1 endorsed by the whole panel and published."""
    world = await build_world(db, **kwargs)
    for member in world.members:
        response = await endorse(app, member.email, world.cycle.id, 1)
        assert response.status_code == 303, response.text
    response = await publish(app, world.cycle.id)
    assert response.status_code == 303, response.text
    return world
