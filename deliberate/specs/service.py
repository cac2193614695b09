"""The specification: made from the vote's result when voting closes, co-designed (commissioner
edits, panel amendments, versions), signed off by the panel, published and frozen, then reported
against clause by clause ("you said, we did") and rated by the panel.

Every change to the wording makes a new version: a frozen snapshot of the whole document with
its golden-thread links. Endorsements belong to one version. Publishing is the cycle's move from
specification to published, which the sign-off quorum guards (`on_leaving`)."""

from __future__ import annotations

import datetime as dt
import math
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import func, select, text
from sqlalchemy.dialects.postgresql import distinct_on, insert
from sqlalchemy.ext.asyncio import AsyncSession

from deliberate import audit
from deliberate.accounts.models import User
from deliberate.accounts.viewer import Viewer
from deliberate.cycles import service as cycles
from deliberate.cycles.models import Cycle
from deliberate.cycles.stages import Action, Actor, Stage, on_entering, on_leaving, permits
from deliberate.db import utcnow
from deliberate.deliberation.models import (
    MEMBER_STATUSES,
    Panel,
    Thread,
    ThreadSummary,
    Volunteer,
)
from deliberate.errors import Conflict, Invalid, NotAllowed, NotFound, WrongStage
from deliberate.forms import FormInput
from deliberate.i18n import LazyString, lazy_gettext
from deliberate.logging import get_logger
from deliberate.proposals import service as proposals
from deliberate.proposals.models import Proposal
from deliberate.specs.models import (
    DELIVERY_STATUSES,
    Amendment,
    AmendmentComment,
    Clause,
    ClauseProposal,
    ClauseResult,
    ClauseThread,
    DeliveryRating,
    DeliveryUpdate,
    Endorsement,
    Specification,
    SpecSection,
    SpecVersion,
)

# Imported for its hooks: the tally (on entering specification) must be registered before ours,
# so the document is made from the stored result.
from deliberate.voting import service as voting  # noqa: F401  (hook order)
from deliberate.voting.counting import BUDGET_METHODS
from deliberate.voting.models import BallotOption, Tally

log = get_logger("deliberate.specs")

# The template every specification starts from: (key, English title, Welsh title).
SECTION_TEMPLATE: tuple[tuple[str, str, str], ...] = (
    ("outcomes", "Outcomes", "Canlyniadau"),
    ("requirements", "Service requirements", "Gofynion y gwasanaeth"),
    ("quality", "Quality and safeguarding", "Ansawdd a diogelu"),
    ("workforce", "Workforce", "Gweithlu"),
    ("budget", "Budget", "Cyllideb"),
    ("measures", "Measures", "Mesurau"),
)
OUTCOMES = "outcomes"
REQUIREMENTS = "requirements"
MAX_BODY = 10_000

DELIVERY_LABELS: dict[str, LazyString] = {
    "planned": lazy_gettext("Planned"),
    "in_progress": lazy_gettext("In progress"),
    "delivered": lazy_gettext("Delivered"),
    "at_risk": lazy_gettext("At risk"),
    "not_delivered": lazy_gettext("Not delivered"),
}
STANCE_LABELS: dict[str, LazyString] = {
    "endorse": lazy_gettext("I endorse this version"),
    "object": lazy_gettext("I object to this version"),
}
AMENDMENT_LABELS: dict[str, LazyString] = {
    "proposed": lazy_gettext("Proposed"),
    "accepted": lazy_gettext("Accepted"),
    "rejected": lazy_gettext("Rejected"),
}
DECISIONS: dict[str, LazyString] = {
    "accept": lazy_gettext("Accept the amendment"),
    "reject": lazy_gettext("Reject the amendment"),
}


def clause_text(clause: Any, locale: str) -> tuple[str, str]:
    """A clause's text in the reader's language, or the other one when it has not been written
    yet, with the language it is in (for the `lang` attribute)."""
    get = clause.get if isinstance(clause, dict) else lambda name: getattr(clause, name)
    own = get(f"body_{locale}") or ""
    if own.strip():
        return own, locale
    other = "en" if locale == "cy" else "cy"
    return get(f"body_{other}") or "", other


# --- access ------------------------------------------------------------------------------------


def is_participant(viewer: Viewer, actors: set[Actor]) -> bool:
    """Who sees drafts: the panel, the organisation's commissioners and facilitators, admins."""
    return bool({Actor.PANEL, Actor.COMMISSIONER, Actor.FACILITATOR} & actors) or viewer.is_admin


async def get_specification(db: AsyncSession, cycle_id: uuid.UUID) -> Specification | None:
    return (
        await db.execute(select(Specification).where(Specification.cycle_id == cycle_id))
    ).scalar_one_or_none()


async def _lock_specification(db: AsyncSession, cycle_id: uuid.UUID) -> Specification:
    spec = (
        await db.execute(
            select(Specification)
            .where(Specification.cycle_id == cycle_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    ).scalar_one_or_none()
    if spec is None:
        raise NotFound(lazy_gettext("This cycle has no specification yet."))
    return spec


async def get_version(db: AsyncSession, spec: Specification, number: int) -> SpecVersion:
    version = (
        await db.execute(
            select(SpecVersion).where(
                SpecVersion.specification_id == spec.id, SpecVersion.number == number
            )
        )
    ).scalar_one_or_none()
    if version is None:
        raise NotFound(lazy_gettext("There is no such version."))
    return version


# --- making the document -----------------------------------------------------------------------


@dataclass
class Ranked:
    proposal: Proposal
    option: BallotOption | None
    rank: int | None


async def ranked_proposals(db: AsyncSession, cycle: Cycle) -> list[Ranked]:
    """The proposals the vote put first, best first: for a budget vote the funded options, for
    any other method the whole ranking; the shortlist order without a stored result."""
    tally = await db.get(Tally, cycle.id)
    options = list(
        (
            await db.execute(
                select(BallotOption, Proposal)
                .join(Proposal, Proposal.id == BallotOption.proposal_id)
                .where(BallotOption.cycle_id == cycle.id)
                .order_by(BallotOption.position)
            )
        ).all()
    )
    if tally is not None and options:
        by_key = {option.key: (option, proposal) for option, proposal in options}
        ranking = [str(key) for key in tally.result.get("ranking", []) if str(key) in by_key]
        selected = {str(key) for key in tally.result.get("selected", [])}
        # Budget methods select what the money funds; the others rank every option and
        # "select" only the winner, so the whole ranking is taken, best first.
        funded = [key for key in ranking if key in selected]
        chosen = funded if tally.method in BUDGET_METHODS and funded else ranking
        return [Ranked(by_key[key][1], by_key[key][0], ranking.index(key) + 1) for key in chosen]
    return [Ranked(p, None, None) for p in await proposals.shortlist(db, cycle.id)]


def _proposal_clause_text(proposal: Proposal) -> dict[str, str]:
    text = f"**{proposal.title.strip()}**\n\n{proposal.body.strip()}"
    return (
        {"body_cy": text, "body_en": ""}
        if proposal.language == "cy"
        else {
            "body_en": text,
            "body_cy": "",
        }
    )


async def create_document(db: AsyncSession, cycle: Cycle, actor: Viewer | None) -> Specification:
    """The document from the template, one service requirement per top-ranked proposal (linked
    to its proposal, thread, latest summary and result), and version 1."""
    spec = Specification(
        cycle_id=cycle.id,
        title_en=f"Service specification: {cycle.title_en}"[:300],
        title_cy=f"Manyleb gwasanaeth: {cycle.title_cy or cycle.title_en}"[:300],
    )
    db.add(spec)
    await db.flush()
    sections: dict[str, SpecSection] = {}
    for position, (key, title_en, title_cy) in enumerate(SECTION_TEMPLATE, start=1):
        sections[key] = SpecSection(
            specification_id=spec.id,
            key=key,
            position=position,
            title_en=title_en,
            title_cy=title_cy,
        )
        db.add(sections[key])
    await db.flush()
    ranked = await ranked_proposals(db, cycle)
    for position, row in enumerate(ranked, start=1):
        clause = Clause(
            specification_id=spec.id,
            cycle_id=cycle.id,
            section_id=sections[REQUIREMENTS].id,
            position=position,
            **_proposal_clause_text(row.proposal),
        )
        db.add(clause)
        await db.flush()
        await _link_proposals(db, cycle, clause, [row.proposal.id])
    if cycle.budget:
        amount = f"{cycle.budget:,}"
        db.add(
            Clause(
                specification_id=spec.id,
                cycle_id=cycle.id,
                section_id=sections["budget"].id,
                position=1,
                body_en=f"The budget for the service is up to £{amount} a year.",
                body_cy=f"Mae'r gyllideb ar gyfer y gwasanaeth hyd at £{amount} y flwyddyn.",
            )
        )
    await db.flush()
    user = actor.user if actor else None
    await _new_version(db, spec, user, "Started from the vote's result.")
    await audit.record(db, user, "specification.created", spec, {"clauses": len(ranked)})
    return spec


async def _link_proposals(
    db: AsyncSession, cycle: Cycle, clause: Clause, proposal_ids: list[uuid.UUID]
) -> None:
    """Link a clause to proposals, and through them to their threads (citing each thread's
    latest summary version) and their ballot options in the stored result."""
    await db.execute(ClauseProposal.__table__.delete().where(ClauseProposal.clause_id == clause.id))
    await db.execute(ClauseThread.__table__.delete().where(ClauseThread.clause_id == clause.id))
    await db.execute(ClauseResult.__table__.delete().where(ClauseResult.clause_id == clause.id))
    if not proposal_ids:
        return
    for proposal_id in dict.fromkeys(proposal_ids):
        db.add(ClauseProposal(clause_id=clause.id, proposal_id=proposal_id))
    threads = (
        await db.execute(
            select(Thread.id).where(
                Thread.cycle_id == cycle.id, Thread.proposal_id.in_(proposal_ids)
            )
        )
    ).scalars()
    for thread_id in threads:
        summary_id = await db.scalar(
            select(ThreadSummary.id)
            .where(ThreadSummary.thread_id == thread_id)
            .order_by(ThreadSummary.version.desc())
            .limit(1)
        )
        db.add(ClauseThread(clause_id=clause.id, thread_id=thread_id, summary_id=summary_id))
    if await db.get(Tally, cycle.id) is not None:
        options = (
            await db.execute(
                select(BallotOption.id).where(
                    BallotOption.cycle_id == cycle.id, BallotOption.proposal_id.in_(proposal_ids)
                )
            )
        ).scalars()
        for option_id in options:
            db.add(ClauseResult(clause_id=clause.id, option_id=option_id, tally_cycle_id=cycle.id))
    await db.flush()


async def snapshot(db: AsyncSession, spec: Specification) -> dict[str, Any]:
    """The whole document with its links, as JSON: what a version freezes. Five queries."""
    sections = list(
        (
            await db.execute(
                select(SpecSection)
                .where(SpecSection.specification_id == spec.id)
                .order_by(SpecSection.position)
            )
        ).scalars()
    )
    clauses = list(
        (
            await db.execute(
                select(Clause)
                .where(Clause.specification_id == spec.id)
                .order_by(Clause.position, Clause.created_at)
            )
        ).scalars()
    )
    clause_ids = [c.id for c in clauses]
    linked_proposals: dict[uuid.UUID, list[dict[str, Any]]] = {}
    for clause_id, proposal in await db.execute(
        select(ClauseProposal.clause_id, Proposal)
        .join(Proposal, Proposal.id == ClauseProposal.proposal_id)
        .where(ClauseProposal.clause_id.in_(clause_ids))
        .order_by(Proposal.title)
    ):
        linked_proposals.setdefault(clause_id, []).append(
            {"id": str(proposal.id), "title": proposal.title, "language": proposal.language}
        )
    linked_threads: dict[uuid.UUID, list[dict[str, Any]]] = {}
    for clause_id, thread, summary in await db.execute(
        select(ClauseThread.clause_id, Thread, ThreadSummary)
        .join(Thread, Thread.id == ClauseThread.thread_id)
        .outerjoin(ThreadSummary, ThreadSummary.id == ClauseThread.summary_id)
        .where(ClauseThread.clause_id.in_(clause_ids))
        .order_by(Thread.title)
    ):
        linked_threads.setdefault(clause_id, []).append(
            {
                "id": str(thread.id),
                "title": thread.title,
                "summary_id": str(summary.id) if summary else None,
                "summary_version": summary.version if summary else None,
            }
        )
    linked_results: dict[uuid.UUID, list[dict[str, Any]]] = {}
    rows = list(
        await db.execute(
            select(ClauseResult.clause_id, BallotOption, Tally)
            .join(BallotOption, BallotOption.id == ClauseResult.option_id)
            .join(Tally, Tally.cycle_id == ClauseResult.tally_cycle_id)
            .where(ClauseResult.clause_id.in_(clause_ids))
            .order_by(BallotOption.position)
        )
    )
    for clause_id, option, tally in rows:
        linked_results.setdefault(clause_id, []).append(result_of(option, tally))
    by_section: dict[uuid.UUID, list[Clause]] = {}
    for clause in clauses:
        by_section.setdefault(clause.section_id, []).append(clause)
    return {
        "specification_id": str(spec.id),
        "cycle_id": str(spec.cycle_id),
        "title_en": spec.title_en,
        "title_cy": spec.title_cy,
        "sections": [
            {
                "key": section.key,
                "title_en": section.title_en,
                "title_cy": section.title_cy,
                "clauses": [
                    {
                        "id": str(clause.id),
                        "number": f"{section.position}.{index}",
                        "body_en": clause.body_en,
                        "body_cy": clause.body_cy,
                        "proposals": linked_proposals.get(clause.id, []),
                        "threads": linked_threads.get(clause.id, []),
                        "results": linked_results.get(clause.id, []),
                    }
                    for index, clause in enumerate(by_section.get(section.id, []), start=1)
                ],
            }
            for section in sections
        ],
    }


def result_of(option: BallotOption, tally: Tally) -> dict[str, Any]:
    """An option's place in the stored result: rank (1 is first), score, whether selected."""
    ranking = [str(key) for key in tally.result.get("ranking", [])]
    selected = {str(key) for key in tally.result.get("selected", [])}
    score = tally.result.get("scores", {}).get(option.key)
    return {
        "option_id": str(option.id),
        "position": option.position,
        "proposal_id": str(option.proposal_id),
        "title": option.title,
        "method": tally.method,
        "rank": ranking.index(option.key) + 1 if option.key in ranking else None,
        "of": len(ranking),
        "score": score if score is None or isinstance(score, int | float) else str(score),
        "selected": option.key in selected,
    }


async def _new_version(
    db: AsyncSession, spec: Specification, user: User | None, reason: str
) -> SpecVersion:
    number = spec.latest_version + 1
    version = SpecVersion(
        specification_id=spec.id,
        cycle_id=spec.cycle_id,
        number=number,
        snapshot=await snapshot(db, spec),
        reason=reason,
        created_by_id=user.id if user else None,
    )
    db.add(version)
    spec.latest_version = number
    spec.updated_at = utcnow()
    await db.flush()
    return version


@on_entering(Stage.SPECIFICATION)
async def start_specification(db: AsyncSession, cycle: Cycle, context: dict[str, Any]) -> None:
    if await get_specification(db, cycle.id) is not None:
        return
    await create_document(db, cycle, context.get("actor"))


# --- sign-off and publication ------------------------------------------------------------------


@dataclass
class Signoff:
    version: int
    members: int
    quorum: int  # per cent
    needed: int
    endorsed: int
    objected: int

    @property
    def met(self) -> bool:
        return self.endorsed >= self.needed


def quorum_of(cycle: Cycle) -> int:
    try:
        value = int((cycle.settings or {}).get("signoff_quorum", 67))
    except (TypeError, ValueError):
        value = 67
    return min(100, max(1, value))


async def signoff(db: AsyncSession, cycle: Cycle, spec: Specification) -> Signoff:
    """Endorsements of the latest version by current panel members only."""
    members = int(
        await db.scalar(
            select(func.count())
            .select_from(Volunteer)
            .where(
                Volunteer.cycle_id == cycle.id,
                Volunteer.status.in_(MEMBER_STATUSES),
                Volunteer.user_id.is_not(None),
            )
        )
        or 0
    )
    counts = dict(
        (
            await db.execute(
                select(Endorsement.stance, func.count())
                .join(SpecVersion, SpecVersion.id == Endorsement.version_id)
                .join(
                    Volunteer,
                    (Volunteer.user_id == Endorsement.user_id)
                    & (Volunteer.cycle_id == Endorsement.cycle_id)
                    & Volunteer.status.in_(MEMBER_STATUSES),
                )
                .where(
                    SpecVersion.specification_id == spec.id,
                    SpecVersion.number == spec.latest_version,
                )
                .group_by(Endorsement.stance)
            )
        ).all()
    )
    quorum = quorum_of(cycle)
    # A percentage of the panel, to the nearest whole member: 67% of 3 is 2 ("two thirds").
    needed = max(1, math.floor(members * quorum / 100 + 0.5))
    return Signoff(
        spec.latest_version,
        members,
        quorum,
        needed,
        int(counts.get("endorse", 0)),
        int(counts.get("object", 0)),
    )


@on_leaving(Stage.SPECIFICATION)
async def signoff_quorum_reached(db: AsyncSession, cycle: Cycle) -> LazyString | None:
    spec = await get_specification(db, cycle.id)
    if spec is None:  # only possible for cycles made by hand in this stage
        log.warning("published_without_specification", cycle_id=str(cycle.id))
        return None
    state = await signoff(db, cycle, spec)
    if state.met:
        return None
    return lazy_gettext(
        "The specification cannot be published yet: version %(version)s needs endorsements from "
        "%(quorum)s%% of the panel (%(needed)s of %(members)s members) and has %(count)s. "
        "Endorsements of earlier versions do not count.",
        version=state.version,
        quorum=state.quorum,
        needed=state.needed,
        members=state.members,
        count=state.endorsed,
    )


@on_entering(Stage.PUBLISHED)
async def publish(db: AsyncSession, cycle: Cycle, context: dict[str, Any]) -> None:
    """Freeze the latest version: it is the published one, for ever, at its own address."""
    spec = await _lock_specification_or_none(db, cycle.id)
    if spec is None or spec.published_version is not None:
        return
    version = await get_version(db, spec, spec.latest_version)
    actor = context.get("actor")
    version.published_at = utcnow()
    version.published_by_id = actor.id if actor else None
    spec.published_version = version.number
    await db.flush()
    await audit.record(
        db,
        actor.user if actor else None,
        "specification.published",
        spec,
        {"version": version.number, "cycle_id": str(cycle.id)},
    )


async def _lock_specification_or_none(
    db: AsyncSession, cycle_id: uuid.UUID
) -> Specification | None:
    try:
        return await _lock_specification(db, cycle_id)
    except NotFound:
        return None


@on_leaving(Stage.PUBLISHED)
async def every_clause_reported(db: AsyncSession, cycle: Cycle) -> LazyString | None:
    """The cycle closes after review: every clause needs at least one delivery update first."""
    spec = await get_specification(db, cycle.id)
    if spec is None or spec.published_version is None:
        return None
    missing = int(
        await db.scalar(
            select(func.count())
            .select_from(Clause)
            .where(
                Clause.specification_id == spec.id,
                ~select(DeliveryUpdate.id).where(DeliveryUpdate.clause_id == Clause.id).exists(),
            )
        )
        or 0
    )
    if not missing:
        return None
    return lazy_gettext(
        "Report on the delivery of every clause before closing the cycle (%(count)s without a "
        "report).",
        count=missing,
    )


# --- the pages' data ---------------------------------------------------------------------------


@dataclass
class DocumentPage:
    cycle: Cycle
    spec: Specification
    version: SpecVersion
    actors: set[Actor]
    participant: bool
    can_edit: bool
    can_amend: bool
    can_endorse: bool
    can_decide: bool
    can_report: bool
    can_rate: bool
    signoff: Signoff | None
    my_endorsement: Endorsement | None
    endorsements: list[tuple[Endorsement, str]]
    amendments: dict[str, list[Amendment]]
    delivery: dict[str, list[DeliveryUpdate]] = field(default_factory=dict)
    ratings: dict[str, dict[str, Any]] = field(default_factory=dict)
    my_ratings: dict[str, DeliveryRating] = field(default_factory=dict)
    proposals: list[Proposal] = field(default_factory=list)

    @property
    def published(self) -> bool:
        return self.version.published_at is not None

    @property
    def is_latest(self) -> bool:
        return self.version.number == self.spec.latest_version


async def _cycle_and_spec(
    db: AsyncSession, viewer: Viewer, cycle_id: uuid.UUID
) -> tuple[Cycle, Specification, set[Actor]]:
    cycle = await cycles.get_cycle_row(db, cycle_id, viewer)
    spec = await get_specification(db, cycle.id)
    if spec is None:
        raise NotFound(lazy_gettext("This cycle has no specification yet."))
    return cycle, spec, await cycles.actors_for(db, viewer, cycle)


async def document_page(
    db: AsyncSession, viewer: Viewer, cycle_id: uuid.UUID, number: int | None = None
) -> DocumentPage:
    """A version of the document: the latest one (participants) or the published one (everyone)
    when `number` is None."""
    cycle, spec, actors = await _cycle_and_spec(db, viewer, cycle_id)
    participant = is_participant(viewer, actors)
    if number is None:
        number = spec.latest_version if participant else spec.published_version
        if number is None:
            raise NotFound(
                lazy_gettext(
                    "The specification is being written by the commissioner and the panel. It "
                    "is published here once the panel has signed it off."
                )
            )
    version = await get_version(db, spec, number)
    if version.published_at is None and not participant:
        raise NotFound(lazy_gettext("There is no such version."))
    stage = cycle.current_stage
    latest = version.number == spec.latest_version
    page = DocumentPage(
        cycle=cycle,
        spec=spec,
        version=version,
        actors=actors,
        participant=participant,
        can_edit=latest and _may(stage, Action.EDIT_SPECIFICATION, actors),
        can_amend=latest and _may(stage, Action.AMEND, actors),
        can_endorse=latest and _may(stage, Action.ENDORSE, actors),
        can_decide=_may(stage, Action.MODERATE, actors) and stage == Stage.SPECIFICATION,
        can_report=version.published_at is not None and _may(stage, Action.REPORT_DELIVERY, actors),
        can_rate=version.published_at is not None and _may(stage, Action.RATE_DELIVERY, actors),
        signoff=None,
        my_endorsement=None,
        endorsements=[],
        amendments={},
    )
    if stage == Stage.SPECIFICATION and latest:
        page.signoff = await signoff(db, cycle, spec)
    if participant:
        page.endorsements = [
            (row, name)
            for row, name in await db.execute(
                select(Endorsement, User.display_name)
                .join(User, User.id == Endorsement.user_id)
                .where(Endorsement.version_id == version.id)
                .order_by(Endorsement.created_at)
            )
        ]
        page.my_endorsement = next(
            (row for row, _name in page.endorsements if row.user_id == viewer.id), None
        )
        for amendment in (
            await db.execute(
                select(Amendment)
                .where(Amendment.cycle_id == cycle.id)
                .order_by(Amendment.created_at)
            )
        ).scalars():
            page.amendments.setdefault(str(amendment.clause_id), []).append(amendment)
    if version.published_at is not None:
        page.delivery = await delivery_updates(db, spec)
        page.ratings = await rating_summary(db, spec)
        if viewer.is_authenticated:
            page.my_ratings = {
                str(r.clause_id): r
                for r in (
                    await db.execute(
                        select(DeliveryRating).where(
                            DeliveryRating.cycle_id == cycle.id,
                            DeliveryRating.user_id == viewer.id,
                        )
                    )
                ).scalars()
            }
    if page.can_edit:
        page.proposals = await proposals.shortlist(db, cycle.id)
    return page


def _may(stage: Stage, action: Action, actors: set[Actor]) -> bool:
    return permits(stage, action, actors)


async def delivery_updates(
    db: AsyncSession, spec: Specification
) -> dict[str, list[DeliveryUpdate]]:
    """Every clause's delivery updates, newest first."""
    out: dict[str, list[DeliveryUpdate]] = {}
    for update in (
        await db.execute(
            select(DeliveryUpdate)
            .join(Clause, Clause.id == DeliveryUpdate.clause_id)
            .where(Clause.specification_id == spec.id)
            .order_by(DeliveryUpdate.reported_on.desc(), DeliveryUpdate.created_at.desc())
        )
    ).scalars():
        out.setdefault(str(update.clause_id), []).append(update)
    return out


async def rating_summary(db: AsyncSession, spec: Specification) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for clause_id, count, average in await db.execute(
        select(DeliveryRating.clause_id, func.count(), func.avg(DeliveryRating.rating))
        .join(Clause, Clause.id == DeliveryRating.clause_id)
        .where(Clause.specification_id == spec.id)
        .group_by(DeliveryRating.clause_id)
    ):
        out[str(clause_id)] = {"count": int(count), "average": round(float(average), 1)}
    return out


async def versions(db: AsyncSession, viewer: Viewer, cycle_id: uuid.UUID):
    """The version history: every version for participants, the published one for others."""
    cycle, spec, actors = await _cycle_and_spec(db, viewer, cycle_id)
    query = (
        select(SpecVersion, User.display_name)
        .outerjoin(User, User.id == SpecVersion.created_by_id)
        .where(SpecVersion.specification_id == spec.id)
        .order_by(SpecVersion.number.desc())
    )
    if not is_participant(viewer, actors):
        query = query.where(SpecVersion.published_at.is_not(None))
    return cycle, spec, list(await db.execute(query))


async def compare(
    db: AsyncSession, viewer: Viewer, cycle_id: uuid.UUID, old: int, new: int
) -> tuple[Cycle, Specification, SpecVersion, SpecVersion]:
    cycle, spec, actors = await _cycle_and_spec(db, viewer, cycle_id)
    first, second = await get_version(db, spec, old), await get_version(db, spec, new)
    if not is_participant(viewer, actors) and (
        first.published_at is None or second.published_at is None
    ):
        raise NotFound(lazy_gettext("There is no such version."))
    return cycle, spec, first, second


async def published_version(
    db: AsyncSession, viewer: Viewer, cycle_id: uuid.UUID, number: int
) -> tuple[Cycle, Specification, SpecVersion]:
    """A published version, for the exports (drafts are never exported)."""
    cycle = await cycles.get_cycle_row(db, cycle_id, viewer)
    spec = await get_specification(db, cycle.id)
    if spec is None or spec.published_version != number:
        raise NotFound(lazy_gettext("Only the published version can be downloaded."))
    return cycle, spec, await get_version(db, spec, number)


PUBLIC_FINGERPRINT = text(
    """
    SELECT c.stage, c.announced, c.updated_at, c.stage_changed_at,
           s.latest_version, s.published_version, s.updated_at,
           v.number, v.published_at,
           (SELECT count(*) || '/' || coalesce(max(d.created_at)::text, '')
              FROM delivery_updates d WHERE d.cycle_id = c.id) AS updates,
           (SELECT count(*) || '/' || coalesce(sum(r.rating), 0) || '/'
                   || coalesce(max(r.updated_at)::text, '')
              FROM delivery_ratings r WHERE r.cycle_id = c.id) AS ratings
      FROM specifications s
      JOIN cycles c ON c.id = s.cycle_id
      JOIN spec_versions v
        ON v.specification_id = s.id AND v.number = coalesce(:number, s.published_version)
     WHERE s.cycle_id = :cycle_id AND v.published_at IS NOT NULL
       AND (c.stage <> 'draft' OR c.announced)
    """
)


async def public_fingerprint(
    db: AsyncSession, cycle_id: uuid.UUID, number: int | None
) -> tuple[Any, ...] | None:
    """Everything a signed-out reader's page of a published version depends on, in one cheap
    query (primary keys, and the `cycle_id` indexes of delivery reports and ratings): the
    cycle's stage and last change, the specification's versions, the version's publication,
    and the count and latest change of delivery reports and ratings. The snapshot is frozen once
    published, so it needs no digest. None when the version asked for (the published one when
    `number` is None) is not published: the full page then answers, with its 404."""
    row = (
        await db.execute(PUBLIC_FINGERPRINT, {"cycle_id": cycle_id, "number": number})
    ).one_or_none()
    return tuple(row) if row is not None else None


async def threads_private(db: AsyncSession, cycle_id: uuid.UUID) -> bool:
    """Whether the panel's threads are private: then exports leave the thread links out."""
    return bool(await db.scalar(select(Panel.threads_private).where(Panel.cycle_id == cycle_id)))


# --- the commissioner's edits ------------------------------------------------------------------


async def _clause_for_action(
    db: AsyncSession, viewer: Viewer, clause_id: uuid.UUID, action: Action
) -> tuple[Clause, Cycle, set[Actor]]:
    clause = await db.get(Clause, clause_id)
    if clause is None:
        raise NotFound(lazy_gettext("There is no such clause."))
    cycle = await cycles.lock_cycle(db, clause.cycle_id)
    actors = await cycles.actors_for(db, viewer, cycle)
    cycles.require(viewer, cycle, action, actors)
    return clause, cycle, actors


def _bodies(form: FormInput) -> tuple[str, str]:
    body_en = form.text("body_en", required=False, max_length=MAX_BODY)
    body_cy = form.text("body_cy", required=False, max_length=MAX_BODY)
    if not body_en and not body_cy and "body_en" not in form.errors:
        form.add_error("body_en", lazy_gettext("Write the clause in English, Welsh or both."))
    return body_en, body_cy


def _reason(form: FormInput, name: str = "reason") -> str:
    return form.text(name, max_length=1000)


def _proposal_ids(form: FormInput, allowed: list[Proposal]) -> list[uuid.UUID] | None:
    """The proposals ticked on the form (None when the form has no such list)."""
    raw = form._raw
    if raw is None or form.get("links") != "1":
        return None
    values = raw.getlist("proposals") if hasattr(raw, "getlist") else raw.get("proposals", [])
    if isinstance(values, str):
        values = [values]
    known = {str(p.id): p.id for p in allowed}
    return [known[v] for v in values if v in known]


async def edit_clause(
    db: AsyncSession, viewer: Viewer, clause_id: uuid.UUID, form: FormInput
) -> SpecVersion:
    clause, cycle, _actors = await _clause_for_action(
        db, viewer, clause_id, Action.EDIT_SPECIFICATION
    )
    spec = await _lock_specification(db, cycle.id)
    body_en, body_cy = _bodies(form)
    reason = _reason(form)
    linked = _proposal_ids(form, await proposals.shortlist(db, cycle.id))
    form.raise_if_invalid()
    old_links = set(
        (
            await db.execute(
                select(ClauseProposal.proposal_id).where(ClauseProposal.clause_id == clause.id)
            )
        ).scalars()
    )
    if (body_en, body_cy) == (clause.body_en, clause.body_cy) and (
        linked is None or set(linked) == old_links
    ):
        raise Invalid({"body_en": lazy_gettext("Nothing has changed.")})
    clause.body_en, clause.body_cy, clause.updated_at = body_en, body_cy, utcnow()
    if linked is not None and set(linked) != old_links:
        await _link_proposals(db, cycle, clause, linked)
    await db.flush()
    version = await _new_version(db, spec, viewer.user, reason)
    await audit.record(
        db, viewer.user, "clause.edited", clause, {"version": version.number, "reason": reason}
    )
    return version


async def add_clause(
    db: AsyncSession, viewer: Viewer, cycle_id: uuid.UUID, form: FormInput
) -> SpecVersion:
    cycle = await cycles.lock_cycle(db, cycle_id)
    cycles.require(
        viewer, cycle, Action.EDIT_SPECIFICATION, await cycles.actors_for(db, viewer, cycle)
    )
    spec = await _lock_specification(db, cycle.id)
    sections = {
        s.key: s
        for s in (
            await db.execute(select(SpecSection).where(SpecSection.specification_id == spec.id))
        ).scalars()
    }
    key = form.choice("section", sections)
    body_en, body_cy = _bodies(form)
    reason = _reason(form)
    linked = _proposal_ids(form, await proposals.shortlist(db, cycle.id))
    form.raise_if_invalid()
    assert key is not None
    section = sections[key]
    position = (
        await db.scalar(select(func.max(Clause.position)).where(Clause.section_id == section.id))
        or 0
    ) + 1
    clause = Clause(
        specification_id=spec.id,
        cycle_id=cycle.id,
        section_id=section.id,
        position=position,
        body_en=body_en,
        body_cy=body_cy,
    )
    db.add(clause)
    await db.flush()
    if linked:
        await _link_proposals(db, cycle, clause, linked)
    version = await _new_version(db, spec, viewer.user, reason)
    await audit.record(
        db, viewer.user, "clause.added", clause, {"version": version.number, "section": key}
    )
    return version


async def remove_clause(
    db: AsyncSession, viewer: Viewer, clause_id: uuid.UUID, form: FormInput
) -> SpecVersion:
    clause, cycle, _actors = await _clause_for_action(
        db, viewer, clause_id, Action.EDIT_SPECIFICATION
    )
    spec = await _lock_specification(db, cycle.id)
    reason = _reason(form)
    form.raise_if_invalid()
    await db.delete(clause)
    await db.flush()
    version = await _new_version(db, spec, viewer.user, reason)
    await audit.record(
        db, viewer.user, "clause.removed", ("clauses", clause_id), {"version": version.number}
    )
    return version


async def edit_form(db: AsyncSession, viewer: Viewer, clause_id: uuid.UUID):
    clause, cycle, _actors = await _clause_for_action(
        db, viewer, clause_id, Action.EDIT_SPECIFICATION
    )
    linked = set(
        (
            await db.execute(
                select(ClauseProposal.proposal_id).where(ClauseProposal.clause_id == clause.id)
            )
        ).scalars()
    )
    return clause, cycle, await proposals.shortlist(db, cycle.id), {str(i) for i in linked}


# --- amendments --------------------------------------------------------------------------------


async def propose_amendment(
    db: AsyncSession, viewer: Viewer, clause_id: uuid.UUID, form: FormInput
) -> Amendment:
    clause, cycle, _actors = await _clause_for_action(db, viewer, clause_id, Action.AMEND)
    spec = await get_specification(db, cycle.id)
    assert spec is not None
    body_en, body_cy = _bodies(form)
    explanation = form.text("explanation", required=False, max_length=2000)
    form.raise_if_invalid()
    if (body_en, body_cy) == (clause.body_en, clause.body_cy):
        raise Invalid({"body_en": lazy_gettext("The amendment does not change the clause.")})
    amendment = Amendment(
        clause_id=clause.id,
        cycle_id=cycle.id,
        proposer_id=viewer.id,
        base_version=spec.latest_version,
        base_en=clause.body_en,
        base_cy=clause.body_cy,
        body_en=body_en,
        body_cy=body_cy,
        explanation=explanation,
    )
    db.add(amendment)
    await db.flush()
    await audit.record(db, viewer.user, "amendment.proposed", amendment, {"clause": str(clause.id)})
    return amendment


async def amend_form(db: AsyncSession, viewer: Viewer, clause_id: uuid.UUID) -> Clause:
    clause, _cycle, _actors = await _clause_for_action(db, viewer, clause_id, Action.AMEND)
    return clause


@dataclass
class AmendmentPage:
    amendment: Amendment
    clause: Clause | None
    cycle: Cycle
    proposer: str | None
    decider: str | None
    comments: list[tuple[AmendmentComment, str | None]]
    can_comment: bool
    can_decide: bool
    stale: bool


async def amendment_page(
    db: AsyncSession, viewer: Viewer, amendment_id: uuid.UUID
) -> AmendmentPage:
    amendment = await db.get(Amendment, amendment_id)
    if amendment is None:
        raise NotFound(lazy_gettext("There is no such amendment."))
    cycle = await cycles.get_cycle_row(db, amendment.cycle_id, viewer)
    actors = await cycles.actors_for(db, viewer, cycle)
    if not is_participant(viewer, actors):
        spec = await get_specification(db, cycle.id)
        if spec is None or spec.published_version is None:
            raise NotFound(lazy_gettext("There is no such amendment."))
    clause = await db.get(Clause, amendment.clause_id)
    names = dict(
        (
            await db.execute(
                select(User.id, User.display_name).where(
                    User.id.in_([i for i in (amendment.proposer_id, amendment.decided_by_id) if i])
                )
            )
        ).all()
    )
    comments = [
        (comment, name)
        for comment, name in await db.execute(
            select(AmendmentComment, User.display_name)
            .outerjoin(User, User.id == AmendmentComment.author_id)
            .where(AmendmentComment.amendment_id == amendment.id)
            .order_by(AmendmentComment.id)
        )
    ]
    stage = cycle.current_stage
    open_ = amendment.status == "proposed" and stage == Stage.SPECIFICATION
    return AmendmentPage(
        amendment=amendment,
        clause=clause,
        cycle=cycle,
        proposer=names.get(amendment.proposer_id),
        decider=names.get(amendment.decided_by_id),
        comments=comments,
        can_comment=open_
        and (_may(stage, Action.AMEND, actors) or _may(stage, Action.MODERATE, actors)),
        can_decide=open_ and _may(stage, Action.MODERATE, actors),
        stale=bool(
            clause
            and amendment.status == "proposed"
            and (clause.body_en, clause.body_cy) != (amendment.base_en, amendment.base_cy)
        ),
    )


async def _amendment_for_action(
    db: AsyncSession, viewer: Viewer, amendment_id: uuid.UUID
) -> tuple[Amendment, Cycle, set[Actor]]:
    amendment = await db.get(Amendment, amendment_id)
    if amendment is None:
        raise NotFound(lazy_gettext("There is no such amendment."))
    cycle = await cycles.lock_cycle(db, amendment.cycle_id)
    return amendment, cycle, await cycles.actors_for(db, viewer, cycle)


async def comment_on_amendment(
    db: AsyncSession, viewer: Viewer, amendment_id: uuid.UUID, form: FormInput
) -> AmendmentComment:
    amendment, cycle, actors = await _amendment_for_action(db, viewer, amendment_id)
    action = Action.AMEND if Actor.PANEL in actors else Action.MODERATE
    cycles.require(viewer, cycle, action, actors)
    if amendment.status != "proposed":
        raise WrongStage(lazy_gettext("This amendment has been decided."))
    body = form.text("body", max_length=4000)
    form.raise_if_invalid()
    comment = AmendmentComment(amendment_id=amendment.id, author_id=viewer.id, body=body)
    db.add(comment)
    await db.flush()
    return comment


async def decide_amendment(
    db: AsyncSession, viewer: Viewer, amendment_id: uuid.UUID, form: FormInput
) -> Amendment:
    """Accept (a new version with the amended wording) or reject, with a reason either way."""
    amendment, cycle, actors = await _amendment_for_action(db, viewer, amendment_id)
    cycles.require(viewer, cycle, Action.MODERATE, actors)
    spec = await _lock_specification(db, cycle.id)
    amendment = await db.get(Amendment, amendment_id, with_for_update=True, populate_existing=True)
    assert amendment is not None
    if amendment.status != "proposed":
        raise WrongStage(lazy_gettext("This amendment has already been decided."))
    decision = form.choice("decision", DECISIONS)
    reason = _reason(form)
    form.raise_if_invalid()
    clause = await db.get(Clause, amendment.clause_id)
    assert clause is not None
    if decision == "accept":
        if (clause.body_en, clause.body_cy) != (amendment.base_en, amendment.base_cy):
            raise Conflict(
                lazy_gettext(
                    "The clause has changed since this amendment was proposed. Reject it with "
                    "that reason and ask for a new amendment to the current wording."
                )
            )
        clause.body_en, clause.body_cy, clause.updated_at = (
            amendment.body_en,
            amendment.body_cy,
            utcnow(),
        )
        await db.flush()
        version = await _new_version(db, spec, viewer.user, f"Amendment accepted: {reason}")
        amendment.result_version = version.number
    amendment.status = "accepted" if decision == "accept" else "rejected"
    amendment.decided_by_id = viewer.id
    amendment.decided_at = utcnow()
    amendment.reason = reason
    await db.flush()
    await audit.record(
        db,
        viewer.user,
        f"amendment.{amendment.status}",
        amendment,
        {"reason": reason, "version": amendment.result_version},
    )
    return amendment


# --- endorsements ------------------------------------------------------------------------------


async def endorse(
    db: AsyncSession, viewer: Viewer, cycle_id: uuid.UUID, form: FormInput
) -> Endorsement:
    """A panel member endorses or objects to the latest version (one stance per member per
    version; a second answer replaces the first)."""
    cycle = await cycles.lock_cycle(db, cycle_id)
    cycles.require(viewer, cycle, Action.ENDORSE, await cycles.actors_for(db, viewer, cycle))
    spec = await get_specification(db, cycle.id)
    if spec is None:
        raise NotFound(lazy_gettext("This cycle has no specification yet."))
    try:
        number = int(form.get("version"))
    except ValueError:
        raise NotFound(lazy_gettext("There is no such version.")) from None
    if number != spec.latest_version:
        raise WrongStage(
            lazy_gettext(
                "Version %(number)s is no longer the latest: the specification has changed "
                "since. Read version %(latest)s and endorse that one.",
                number=number,
                latest=spec.latest_version,
            )
        )
    version = await get_version(db, spec, number)
    stance = form.choice("stance", STANCE_LABELS)
    reason = form.text("reason", required=stance == "object", max_length=2000)
    form.raise_if_invalid()
    assert stance is not None
    values = {"stance": stance, "reason": reason, "updated_at": utcnow()}
    await db.execute(
        insert(Endorsement)
        .values(
            id=uuid.uuid4(), version_id=version.id, cycle_id=cycle.id, user_id=viewer.id, **values
        )
        .on_conflict_do_update(index_elements=["version_id", "user_id"], set_=values)
    )
    row = (
        await db.execute(
            select(Endorsement)
            .where(Endorsement.version_id == version.id, Endorsement.user_id == viewer.id)
            .execution_options(populate_existing=True)
        )
    ).scalar_one()
    await audit.record(
        db,
        viewer.user,
        "specification.endorsed" if stance == "endorse" else "specification.objected",
        row,
        {"version": number, "reason": reason},
    )
    return row


# --- the golden thread -------------------------------------------------------------------------


@dataclass
class Origin:
    clause: Clause
    section: SpecSection
    spec: Specification
    cycle: Cycle
    proposals: list[Proposal]
    threads: list[tuple[Thread, ThreadSummary | None]]
    threads_visible: bool
    results: list[dict[str, Any]]
    number: str


async def clause_origin(db: AsyncSession, viewer: Viewer, clause_id: uuid.UUID) -> Origin:
    """Where a clause came from, read through its foreign keys."""
    clause = await db.get(Clause, clause_id)
    if clause is None:
        raise NotFound(lazy_gettext("There is no such clause."))
    cycle = await cycles.get_cycle_row(db, clause.cycle_id, viewer)
    spec = await db.get(Specification, clause.specification_id)
    section = await db.get(SpecSection, clause.section_id)
    assert spec is not None and section is not None
    actors = await cycles.actors_for(db, viewer, cycle)
    if spec.published_version is None and not is_participant(viewer, actors):
        raise NotFound(lazy_gettext("There is no such clause."))
    linked = list(
        (
            await db.execute(
                select(Proposal)
                .join(ClauseProposal, ClauseProposal.proposal_id == Proposal.id)
                .where(ClauseProposal.clause_id == clause.id)
                .order_by(Proposal.support_count.desc())
            )
        ).scalars()
    )
    threads = [
        (thread, summary)
        for thread, summary in await db.execute(
            select(Thread, ThreadSummary)
            .join(ClauseThread, ClauseThread.thread_id == Thread.id)
            .outerjoin(ThreadSummary, ThreadSummary.id == ClauseThread.summary_id)
            .where(ClauseThread.clause_id == clause.id)
            .order_by(Thread.title)
        )
    ]
    panel = (await db.execute(select(Panel).where(Panel.cycle_id == cycle.id))).scalar_one_or_none()
    threads_visible = not (panel and panel.threads_private) or is_participant(viewer, actors)
    results = [
        result_of(option, tally)
        for option, tally in await db.execute(
            select(BallotOption, Tally)
            .join(ClauseResult, ClauseResult.option_id == BallotOption.id)
            .join(Tally, Tally.cycle_id == ClauseResult.tally_cycle_id)
            .where(ClauseResult.clause_id == clause.id)
        )
    ]
    position = (
        await db.scalar(
            select(func.count())
            .select_from(Clause)
            .where(
                Clause.section_id == clause.section_id,
                (Clause.position < clause.position)
                | ((Clause.position == clause.position) & (Clause.created_at <= clause.created_at)),
            )
        )
        or 1
    )
    return Origin(
        clause,
        section,
        spec,
        cycle,
        linked,
        threads,
        threads_visible,
        results,
        f"{section.position}.{position}",
    )


# --- delivery ----------------------------------------------------------------------------------


def _parse_date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


async def report_delivery(
    db: AsyncSession, viewer: Viewer, clause_id: uuid.UUID, form: FormInput
) -> DeliveryUpdate:
    clause, cycle, _actors = await _clause_for_action(db, viewer, clause_id, Action.REPORT_DELIVERY)
    status = form.choice("status", DELIVERY_LABELS)
    note = form.text("note", max_length=4000)
    evidence_url = form.text("evidence_url", required=False, max_length=2000)
    if evidence_url:
        parts = urlsplit(evidence_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            form.add_error(
                "evidence_url", lazy_gettext("Enter a web address starting with https://.")
            )
    raw_date = form.get("reported_on")
    reported_on = _parse_date(raw_date) if raw_date else dt.date.today()
    if reported_on is None:
        form.add_error("reported_on", lazy_gettext("Enter a date, like 2027-03-31."))
    elif reported_on > dt.date.today() + dt.timedelta(days=1):
        form.add_error("reported_on", lazy_gettext("The date cannot be in the future."))
    form.raise_if_invalid()
    assert status is not None and reported_on is not None
    update = DeliveryUpdate(
        clause_id=clause.id,
        cycle_id=cycle.id,
        status=status,
        note=note,
        evidence_url=evidence_url or None,
        reported_on=reported_on,
        author_id=viewer.id,
    )
    db.add(update)
    await db.flush()
    await audit.record(
        db, viewer.user, "delivery.reported", update, {"clause": str(clause.id), "status": status}
    )
    return update


async def rate_delivery(
    db: AsyncSession, viewer: Viewer, clause_id: uuid.UUID, form: FormInput
) -> DeliveryRating:
    clause, cycle, _actors = await _clause_for_action(db, viewer, clause_id, Action.RATE_DELIVERY)
    section = await db.get(SpecSection, clause.section_id)
    if section is None or section.key != OUTCOMES:
        raise WrongStage(lazy_gettext("Delivery is rated against the outcomes only."))
    rating = form.choice("rating", [str(n) for n in range(1, 6)])
    comment = form.text("comment", required=False, max_length=2000)
    form.raise_if_invalid()
    assert rating is not None
    values = {"rating": int(rating), "comment": comment, "updated_at": utcnow()}
    await db.execute(
        insert(DeliveryRating)
        .values(
            id=uuid.uuid4(), clause_id=clause.id, cycle_id=cycle.id, user_id=viewer.id, **values
        )
        .on_conflict_do_update(index_elements=["clause_id", "user_id"], set_=values)
    )
    row = (
        await db.execute(
            select(DeliveryRating)
            .where(DeliveryRating.clause_id == clause.id, DeliveryRating.user_id == viewer.id)
            .execution_options(populate_existing=True)
        )
    ).scalar_one()
    await audit.record(db, viewer.user, "delivery.rated", row, {"rating": int(rating)})
    return row


# --- what other pages show ---------------------------------------------------------------------


async def latest_statuses(db: AsyncSession, spec: Specification) -> dict[uuid.UUID, DeliveryUpdate]:
    """Each clause's latest delivery update (one query: DISTINCT ON)."""
    rows = (
        await db.execute(
            select(DeliveryUpdate)
            .join(Clause, Clause.id == DeliveryUpdate.clause_id)
            .where(Clause.specification_id == spec.id)
            .order_by(
                DeliveryUpdate.clause_id,
                DeliveryUpdate.reported_on.desc(),
                DeliveryUpdate.created_at.desc(),
            )
            .ext(distinct_on(DeliveryUpdate.clause_id))
        )
    ).scalars()
    return {row.clause_id: row for row in rows}


@cycles.register_page_context
async def cycle_page_context(
    db: AsyncSession, viewer: Viewer, cycle: Cycle, actors: set[Actor]
) -> dict[str, Any]:
    stage = cycle.current_stage
    if stage.index < Stage.SPECIFICATION.index:
        return {"specs": None}
    spec = await get_specification(db, cycle.id)
    if spec is None:
        return {"specs": None}
    context: dict[str, Any] = {
        "spec": spec,
        "participant": is_participant(viewer, actors),
        "signoff": await signoff(db, cycle, spec) if stage == Stage.SPECIFICATION else None,
        "progress": None,
        "clauses": 0,
        "labels": DELIVERY_LABELS,
    }
    if spec.published_version is not None:
        latest = await latest_statuses(db, spec)
        clauses = int(
            await db.scalar(
                select(func.count()).select_from(Clause).where(Clause.specification_id == spec.id)
            )
            or 0
        )
        counts = Counter(update.status for update in latest.values())
        context["clauses"] = clauses
        context["progress"] = [
            (status, DELIVERY_LABELS[status], counts.get(status, 0)) for status in DELIVERY_STATUSES
        ] + [("none", lazy_gettext("No report yet"), clauses - len(latest))]
    return {"specs": context}


@dataclass
class ClauseAnswer:
    clause: Clause
    section: SpecSection
    latest: DeliveryUpdate | None

    @property
    def status_label(self) -> LazyString | None:
        return DELIVERY_LABELS[self.latest.status] if self.latest else None


@proposals.register_detail_extra
async def proposal_clauses(db: AsyncSession, viewer: Viewer, proposal: Proposal) -> dict[str, Any]:
    """ "You said, we did": the published clauses that answer a proposal, with their latest
    delivery status; or, once published, that none does (the page then shows why)."""
    spec = await get_specification(db, proposal.cycle_id)
    if spec is None or spec.published_version is None:
        return {"clauses": [], "spec_published": None, "vote_result": None}
    rows = list(
        await db.execute(
            select(Clause, SpecSection)
            .join(ClauseProposal, ClauseProposal.clause_id == Clause.id)
            .join(SpecSection, SpecSection.id == Clause.section_id)
            .where(ClauseProposal.proposal_id == proposal.id)
            .order_by(SpecSection.position, Clause.position)
        )
    )
    latest = await latest_statuses(db, spec) if rows else {}
    vote_result = None
    if not rows:
        found = (
            await db.execute(
                select(BallotOption, Tally)
                .join(Tally, Tally.cycle_id == BallotOption.cycle_id)
                .where(BallotOption.proposal_id == proposal.id)
            )
        ).first()
        vote_result = result_of(*found) if found else None
    return {
        "clauses": [
            ClauseAnswer(clause, section, latest.get(clause.id)) for clause, section in rows
        ],
        "spec_published": spec.published_version,
        "vote_result": vote_result,
    }


def require_participant(viewer: Viewer, actors: set[Actor]) -> None:
    if not is_participant(viewer, actors):
        raise NotAllowed()
