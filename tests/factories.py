"""Factories for accounts data, written straight to the database through the services."""

from __future__ import annotations

from deliberate.accounts import service
from deliberate.accounts.models import Organisation, Role, User
from deliberate.forms import FormInput

PASSWORD = "correct horse battery"


async def make_user(
    session,
    email: str = "person@example.org",
    *,
    name: str = "Person",
    password: str | None = PASSWORD,
    verified: bool = True,
    roles: list[tuple[Role, Organisation | None]] | None = None,
) -> User:
    user = await service.create_user(
        session, email=email, display_name=name, password=password, verified=verified
    )
    for role, organisation in roles or []:
        await service.grant_role(session, None, user, role, organisation)
    await session.commit()
    return user


async def make_organisation(session, slug: str = "ceredigion", name: str = "Ceredigion Council"):
    organisation = await service.create_organisation(
        session, None, FormInput({"slug": slug, "name_en": name, "name_cy": f"Cyngor {name}"})
    )
    await session.commit()
    return organisation


async def make_cycle(
    session,
    organisation,
    *,
    stage: str = "proposals",
    title: str = "Day opportunities in Ceredigion",
    support_limit: int | None = None,
    categories: list[dict] | None = None,
    service_area: str = "social_care",
    announced: bool = False,
):
    from deliberate.cycles.models import Cycle, StakeholderGroupDef

    cycle = Cycle(
        organisation_id=organisation.id,
        stage=stage,
        title_en=title,
        title_cy=f"{title} (cy)",
        summary_en="What the service should be.",
        summary_cy="Beth ddylai'r gwasanaeth fod.",
        service_area=service_area,
        budget=100_000,
        categories=categories
        if categories is not None
        else [
            {"key": "transport", "name_en": "Transport", "name_cy": "Trafnidiaeth"},
            {"key": "activities", "name_en": "Activities", "name_cy": "Gweithgareddau"},
        ],
        settings={"signoff_quorum": 67, "panel_size": 24},
        support_limit=support_limit,
        announced=announced,
    )
    session.add(cycle)
    await session.flush()
    for position, (key, share) in enumerate([("uses_services", 0.5), ("carer", 0.5)]):
        session.add(
            StakeholderGroupDef(
                cycle_id=cycle.id,
                key=key,
                name_en=key,
                name_cy=key,
                target_share=share,
                position=position,
            )
        )
    await session.commit()
    return cycle


async def make_proposal(
    session,
    cycle,
    author,
    *,
    title: str = "A minibus for the villages",
    body: str = "Many people cannot get to the centre without a lift.",
    answer: str | None = None,
    language: str = "en",
    category: str | None = "transport",
    support_count: int = 0,
):
    from deliberate.proposals.models import Proposal

    proposal = Proposal(
        cycle_id=cycle.id,
        author_id=author.id if author else None,
        title=title,
        body=body,
        language=language,
        category=category,
        answer=answer,
        answer_reason="Because." if answer else None,
        support_count=support_count,
    )
    session.add(proposal)
    await session.commit()
    return proposal


async def make_panel(session, cycle, members=(), *, private: bool = False, status: str = "drawn"):
    """A panel with the given users as drawn members."""
    import datetime as dt

    from deliberate.deliberation.models import Panel, Volunteer

    panel = Panel(
        cycle_id=cycle.id,
        size=max(3, len(members)),
        attributes=[],
        threads_private=private,
        status=status,
        seed="test seed",
    )
    session.add(panel)
    await session.flush()
    for user in members:
        session.add(
            Volunteer(
                panel_id=panel.id,
                cycle_id=cycle.id,
                user_id=user.id,
                name=user.display_name,
                email=user.email,
                attributes={},
                consent_at=dt.datetime.now(dt.UTC),
                status="selected",
            )
        )
    await session.commit()
    return panel


async def make_thread(session, cycle, title: str = "Transport to the centre", proposal=None):
    from deliberate.deliberation.models import Thread

    thread = Thread(
        cycle_id=cycle.id,
        title=title,
        kind="proposal" if proposal else "general",
        proposal_id=proposal.id if proposal else None,
    )
    session.add(thread)
    await session.commit()
    return thread
