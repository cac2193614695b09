"""Demo data: an account for each role and the organisations they work for. Idempotent; for local
use only (the passwords are published in the README)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from deliberate import audit, demo_content, demo_deliberation_content
from deliberate.accounts import service
from deliberate.accounts.models import Organisation, Role, User
from deliberate.cycles.models import Cycle, StageSchedule, StakeholderGroupDef
from deliberate.cycles.stages import Stage
from deliberate.db import utcnow
from deliberate.forms import FormInput
from deliberate.proposals.models import CommunityAsset, Proposal, Support

DEMO_PASSWORD = "deliberate-demo"  # nosec B105  # noqa: S105 - published demo password, local use only

ORGANISATIONS = [
    ("ceredigion", "Ceredigion County Council", "Cyngor Sir Ceredigion"),
    ("hywel-dda", "Hywel Dda University Health Board", "Bwrdd Iechyd Prifysgol Hywel Dda"),
]

# (e-mail, display name, language, stakeholder group, [(role, organisation slug)])
PEOPLE: list[tuple[str, str, str, str | None, list[tuple[Role, str | None]]]] = [
    ("admin@demo.deliberate.cymru", "Alun Admin", "en", None, [(Role.ADMIN, None)]),
    (
        "commissioner@demo.deliberate.cymru",
        "Catrin Commissioner",
        "cy",
        "practitioner",
        [(Role.COMMISSIONER, "ceredigion"), (Role.COMMISSIONER, "hywel-dda")],
    ),
    (
        "facilitator@demo.deliberate.cymru",
        "Ffion Facilitator",
        "cy",
        "practitioner",
        [(Role.FACILITATOR, "ceredigion"), (Role.FACILITATOR, "hywel-dda")],
    ),
    ("citizen@demo.deliberate.cymru", "Dafydd Citizen", "en", "uses_services", []),
    ("carer@demo.deliberate.cymru", "Megan Carer", "cy", "carer", []),
    ("resident@demo.deliberate.cymru", "Rhys Resident", "en", "resident", []),
]


async def load_demo(db: AsyncSession, *, once: bool = False) -> bool:
    """Create what is missing. With `once`, do nothing if the demo was ever loaded."""
    if once:
        done = await db.scalar(
            select(audit.AuditEvent.id).where(audit.AuditEvent.action == "demo.loaded").limit(1)
        )
        if done is not None:
            return False

    organisations = await load_organisations_and_people(db, DEMO_PASSWORD)
    citizens = await _load_citizens(db)
    await _load_cycle(db, demo_content.CYCLE_DRAFT, organisations, citizens, Stage.DRAFT)
    await _load_cycle(db, demo_content.CYCLE_PROPOSALS, organisations, citizens, Stage.PROPOSALS)
    await _load_deliberation(db, organisations)
    from deliberate.voting.demo import load_voting_demo

    await load_voting_demo(db, organisations, citizens)
    from deliberate.specs.demo import load_specs_demo

    await load_specs_demo(db, organisations, citizens)

    await audit.record(db, None, "demo.loaded", ("site", "demo"))
    await db.flush()
    return True


async def load_organisations_and_people(
    db: AsyncSession, password: str | None
) -> dict[str, Organisation]:
    """The demo's organisations and named people with their roles, creating what is missing.
    Tests and benchmarks pass no password, or their own, to skip or fix the hashing."""
    organisations: dict[str, Organisation] = {}
    for slug, name_en, name_cy in ORGANISATIONS:
        existing = await db.scalar(select(Organisation).where(Organisation.slug == slug))
        if existing is None:
            existing = await service.create_organisation(
                db, None, FormInput({"slug": slug, "name_en": name_en, "name_cy": name_cy})
            )
        organisations[slug] = existing

    for email, name, language, group, grants in PEOPLE:
        user: User | None = await service.find_user_by_email(db, email)
        if user is None:
            user = await service.create_user(
                db, email=email, display_name=name, password=password, language=language
            )
            user.stakeholder_group = group
        for role, slug in grants:
            await service.grant_role(db, None, user, role, organisations[slug] if slug else None)
    return organisations


async def _load_citizens(db: AsyncSession) -> list[User]:
    citizens = []
    for email, name, language, group in demo_content.DEMO_CITIZENS:
        user = await service.find_user_by_email(db, email)
        if user is None:
            user = await service.create_user(
                db, email=email, display_name=name, password=DEMO_PASSWORD, language=language
            )
            user.stakeholder_group = group
        citizens.append(user)
    return citizens


async def _load_cycle(
    db: AsyncSession,
    content: dict[str, Any],
    organisations: dict[str, Organisation],
    citizens: list[User],
    stage: Stage,
) -> Cycle:
    existing = await db.scalar(select(Cycle).where(Cycle.title_en == content["title_en"]))
    if existing is not None:
        return existing
    now = utcnow().replace(minute=0, second=0, microsecond=0)
    cycle = Cycle(
        organisation_id=organisations[content["organisation"]].id,
        stage=stage.value,
        title_en=content["title_en"],
        title_cy=content["title_cy"],
        summary_en=content["summary_en"],
        summary_cy=content["summary_cy"],
        easy_read_en=content.get("easy_read_en", ""),
        easy_read_cy=content.get("easy_read_cy", ""),
        service_area=content["service_area"],
        budget=content["budget"],
        categories=[
            {"key": key, "name_en": en, "name_cy": cy} for key, en, cy in content["categories"]
        ],
        settings={"signoff_quorum": 67, "panel_size": 24},
        support_limit=content.get("support_limit"),
        announced=stage is Stage.DRAFT,
    )
    db.add(cycle)
    await db.flush()
    for position, (key, name_en, name_cy, share) in enumerate(content["groups"]):
        db.add(
            StakeholderGroupDef(
                cycle_id=cycle.id,
                key=key,
                name_en=name_en,
                name_cy=name_cy,
                target_share=share,
                position=position,
            )
        )
    # The current stage began a week ago (a draft opens in a month); the others follow on.
    lengths = {
        Stage.PROPOSALS: 35,
        Stage.DELIBERATION: 28,
        Stage.VOTING: 21,
        Stage.SPECIFICATION: 42,
    }
    if stage in lengths:
        earlier = sum(days for s, days in lengths.items() if s.index < stage.index)
        start = now - dt.timedelta(days=7 + earlier)
    else:
        start = now + dt.timedelta(days=30)
    for scheduled, days in lengths.items():
        end = start + dt.timedelta(days=days)
        db.add(
            StageSchedule(cycle_id=cycle.id, stage=scheduled.value, starts_at=start, ends_at=end)
        )
        start = end
    proposals: list[Proposal] = []
    for index, item in enumerate(content.get("proposals", [])):
        answer = item.get("answer")
        proposal = Proposal(
            cycle_id=cycle.id,
            author_id=citizens[item["author"]].id,
            title=item["title"],
            body=item["body"],
            language=item["language"],
            category=item["category"],
            estimated_cost=item.get("estimated_cost"),
            answer=answer[0] if answer else None,
            answer_reason=answer[1] if answer else None,
            answered_at=now if answer else None,
            support_count=len(item["supporters"]),
            created_at=now - dt.timedelta(days=7) + dt.timedelta(hours=5 * index),
        )
        db.add(proposal)
        proposals.append(proposal)
    await db.flush()
    for proposal, item in zip(proposals, content.get("proposals", []), strict=True):
        for position, (kind, description) in enumerate(item.get("assets", [])):
            db.add(
                CommunityAsset(
                    proposal_id=proposal.id, kind=kind, description=description, position=position
                )
            )
        for supporter in item["supporters"]:
            db.add(
                Support(proposal_id=proposal.id, user_id=citizens[supporter].id, cycle_id=cycle.id)
            )
    await db.flush()
    await audit.record(db, None, "cycle.created", cycle, {"demo": True})
    return cycle


async def _load_deliberation(db: AsyncSession, organisations: dict[str, Organisation]) -> None:
    """A cycle in deliberation: a drawn panel of 16 and lively threads."""
    from deliberate.deliberation.models import (
        Evidence,
        Panel,
        Post,
        ThreadSummary,
        Volunteer,
    )
    from deliberate.deliberation.models import Thread as DThread

    content = demo_deliberation_content.CYCLE
    if await db.scalar(select(Cycle.id).where(Cycle.title_en == content["title_en"])) is not None:
        return
    people: list[User] = []
    for person in demo_deliberation_content.VOLUNTEERS:
        user = await service.find_user_by_email(db, person["email"])
        if user is None:
            user = await service.create_user(
                db, email=person["email"], display_name=person["name"],
                password=DEMO_PASSWORD, language=person["language"],
            )  # fmt: skip
            user.stakeholder_group = person["group"]
        people.append(user)
    cycle = await _load_cycle(db, content, organisations, people, Stage.DELIBERATION)
    facilitator = await service.find_user_by_email(db, "facilitator@demo.deliberate.cymru")
    panel_content = content["panel"]
    panel = Panel(
        cycle_id=cycle.id,
        size=panel_content["size"],
        attributes=panel_content["attributes"],
        status="drawn",
        seed=panel_content["seed"],
        seed_published_at=utcnow() - dt.timedelta(days=10),
        drawn_at=utcnow() - dt.timedelta(days=9),
        report={"algorithm": "demo data: this panel was set by hand, not drawn", "quotas": []},
    )
    db.add(panel)
    await db.flush()
    for index, (person, user) in enumerate(
        zip(demo_deliberation_content.VOLUNTEERS, people, strict=True)
    ):
        db.add(
            Volunteer(
                panel_id=panel.id, cycle_id=cycle.id, user_id=user.id, name=user.display_name,
                email=user.email, attributes=person["features"], consent_at=utcnow(),
                status="selected" if index < panel.size else "pool", source="form",
            )
        )  # fmt: skip
    proposals = list(
        (
            await db.execute(
                select(Proposal).where(Proposal.cycle_id == cycle.id).order_by(Proposal.created_at)
            )
        ).scalars()
    )
    start = utcnow() - dt.timedelta(days=8)
    for thread_content in demo_deliberation_content.THREADS:
        proposal = (
            proposals[thread_content["proposal"]]
            if thread_content["proposal"] is not None
            else None
        )
        thread = DThread(
            cycle_id=cycle.id,
            proposal_id=proposal.id if proposal else None,
            kind="proposal" if proposal else "general",
            title=proposal.title if proposal else thread_content["title_en"],
            created_by_id=facilitator.id if facilitator else None,
            locked_at=utcnow() if thread_content.get("locked") else None,
            locked_reason=thread_content.get("locked_reason"),
        )
        db.add(thread)
        await db.flush()
        created: list[Post] = []
        for number, item in enumerate(thread_content["posts"]):
            author = facilitator if item["author"] == "facilitator" else people[item["author"]]
            parent = created[item["reply_to"]] if item.get("reply_to") is not None else None
            post = Post(
                thread_id=thread.id, cycle_id=cycle.id, author_id=author.id if author else None,
                parent_id=parent.id if parent else None, depth=parent.depth + 1 if parent else 0,
                body=item["body"], language=item["language"], stance=item["stance"],
                reaction_counts={k: v for k, v in item.get("reactions", {}).items() if v},
                created_at=start + dt.timedelta(hours=3 * number),
            )  # fmt: skip
            if item.get("hide_reason"):
                post.hidden_at = start + dt.timedelta(hours=3 * number + 1)
                post.hidden_by_id = facilitator.id if facilitator else None
                post.hidden_reason = item["hide_reason"]
            db.add(post)
            await db.flush()
            post.path = (f"{parent.path}." if parent else "") + f"{post.id:012d}"
            created.append(post)
        thread.post_count = len(created)
        thread.last_post_at = created[-1].created_at if created else None
        if thread_content.get("summary_en"):
            db.add(
                ThreadSummary(
                    thread_id=thread.id, version=1, body=thread_content["summary_en"],
                    language="en", author_id=facilitator.id if facilitator else None,
                )
            )  # fmt: skip
        for evidence in thread_content.get("evidence", []):
            db.add(
                Evidence(
                    thread_id=thread.id, kind="link", title=evidence["title"],
                    summary=evidence["summary"], url=evidence.get("url"),
                    added_by_id=facilitator.id if facilitator else None,
                )
            )  # fmt: skip
    await db.flush()
