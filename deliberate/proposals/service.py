"""Proposals: proposing, editing and withdrawing, supports (with a per-cycle limit held under
concurrent clicks), official answers, merging duplicates, the shortlist and the list page."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, Text, cast, delete, exists, func, literal, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from deliberate import audit, search
from deliberate.accounts.models import User
from deliberate.accounts.viewer import Viewer
from deliberate.cycles import service as cycles
from deliberate.cycles.models import Cycle
from deliberate.cycles.stages import Action, Actor, Stage, on_leaving
from deliberate.db import utcnow
from deliberate.errors import Conflict, Invalid, NotFound, WrongStage
from deliberate.forms import FormInput
from deliberate.i18n import LOCALES, LazyString, lazy_gettext
from deliberate.notifications import notify
from deliberate.proposals.models import (
    Answer,
    CommunityAsset,
    Proposal,
    ProposalStatus,
    Support,
)

PAGE_SIZE = 20
ASSET_ROWS = 3
TITLE_MAX = 120
BODY_MAX = 6000
ASSET_KINDS: dict[str, LazyString] = {
    "people": lazy_gettext("People"),
    "place": lazy_gettext("A place"),
    "group": lazy_gettext("A group"),
    "skill": lazy_gettext("Skills"),
}
ANSWER_LABELS: dict[str, LazyString] = {
    Answer.UNDER_CONSIDERATION: lazy_gettext("Under consideration"),
    Answer.TAKEN_FORWARD: lazy_gettext("Taken forward to deliberation"),
    Answer.NOT_TAKEN_FORWARD: lazy_gettext("Not taken forward"),
}
STATUS_FILTERS: dict[str, LazyString] = {
    "": lazy_gettext("All open proposals"),
    "unanswered": lazy_gettext("Not answered yet"),
    Answer.UNDER_CONSIDERATION: ANSWER_LABELS[Answer.UNDER_CONSIDERATION],
    Answer.TAKEN_FORWARD: lazy_gettext("Shortlisted"),
    Answer.NOT_TAKEN_FORWARD: ANSWER_LABELS[Answer.NOT_TAKEN_FORWARD],
    "withdrawn": lazy_gettext("Withdrawn"),
}
SORTS: dict[str, LazyString] = {
    "support": lazy_gettext("Most supported"),
    "newest": lazy_gettext("Newest"),
    "random": lazy_gettext("Random order"),
    "relevance": lazy_gettext("Best match"),
}


class Merged(Exception):
    """The proposal was merged: its address leads to the one it joined."""

    def __init__(self, target_id: uuid.UUID) -> None:
        self.target_id = target_id


# --- the stage machine's view of proposals --------------------------------------------------


async def shortlist_size(db: AsyncSession, cycle_id: uuid.UUID) -> int:
    return int(
        await db.scalar(
            select(func.count())
            .select_from(Proposal)
            .where(
                Proposal.cycle_id == cycle_id,
                Proposal.status == ProposalStatus.OPEN,
                Proposal.answer == Answer.TAKEN_FORWARD,
            )
        )
        or 0
    )


@on_leaving(Stage.PROPOSALS)
async def shortlist_must_not_be_empty(db: AsyncSession, cycle: Cycle) -> LazyString | None:
    if await shortlist_size(db, cycle.id) == 0:
        return lazy_gettext(
            "The shortlist is empty: take at least one proposal forward to deliberation first."
        )
    return None


@cycles.register_participants
def authors_and_supporters(cycle_id: uuid.UUID) -> Select[Any]:
    authors = select(Proposal.author_id.label("user_id")).where(
        Proposal.cycle_id == cycle_id, Proposal.author_id.is_not(None)
    )
    supporters = select(Support.user_id.label("user_id")).where(Support.cycle_id == cycle_id)
    return authors.union(supporters)


# --- proposing and editing -------------------------------------------------------------------


@dataclass
class ProposalInput:
    title: str
    body: str
    language: str
    category: str | None
    estimated_cost: int | None
    assets: list[tuple[str, str]] = field(default_factory=list)


def parse_proposal_form(form: FormInput, cycle: Cycle, default_language: str) -> ProposalInput:
    title = form.text("title", max_length=TITLE_MAX, min_length=5)
    body = form.text("body", max_length=BODY_MAX, min_length=20)
    language = form.get("language") or default_language
    if language not in LOCALES:
        form.add_error("language", lazy_gettext("Choose one of the options."))
    keys = [category["key"] for category in cycle.categories]
    category = form.get("category") or None
    if category is not None and category not in keys:
        form.add_error("category", lazy_gettext("Choose one of the options."))
    if keys and category is None:
        form.add_error("category", lazy_gettext("Choose the category that fits best."))
    cost_raw = form.get("estimated_cost").replace(",", "").replace("£", "").strip()
    estimated_cost = None
    if cost_raw:
        if not cost_raw.isdigit() or len(cost_raw) > 12:
            form.add_error(
                "estimated_cost", lazy_gettext("Enter a cost in whole pounds, like 15000.")
            )
        else:
            estimated_cost = int(cost_raw)
    assets = []
    for index in range(ASSET_ROWS):
        kind = form.get(f"asset_{index}_kind")
        description = form.get(f"asset_{index}_description")
        if not description:
            continue
        if kind not in ASSET_KINDS:
            form.add_error(f"asset_{index}_kind", lazy_gettext("Choose what kind of asset it is."))
        elif len(description) > 300:
            form.add_error(
                f"asset_{index}_description",
                lazy_gettext("This must be %(max)s characters or fewer.", max=300),
            )
        else:
            assets.append((kind, description))
    form.raise_if_invalid()
    return ProposalInput(title, body, language, category, estimated_cost, assets)


async def _stage_checked(
    db: AsyncSession, viewer: Viewer, cycle_id: uuid.UUID, action: Action, *extra: Actor
) -> Cycle:
    """Lock the cycle for the rest of the transaction and check `action` against its stage."""
    cycle = await cycles.lock_cycle(db, cycle_id)
    if not cycles.can_see(viewer, cycle):
        raise NotFound(lazy_gettext("There is no such cycle."))
    actors = await cycles.actors_for(db, viewer, cycle) | set(extra)
    cycles.require(viewer, cycle, action, actors)
    return cycle


async def create_proposal(
    db: AsyncSession, viewer: Viewer, cycle_id: uuid.UUID, form: FormInput, locale: str
) -> Proposal:
    cycle = await _stage_checked(db, viewer, cycle_id, Action.PROPOSE)
    data = parse_proposal_form(form, cycle, locale)
    proposal = Proposal(
        cycle_id=cycle.id,
        author_id=viewer.id,
        title=data.title,
        body=data.body,
        language=data.language,
        category=data.category,
        estimated_cost=data.estimated_cost,
    )
    db.add(proposal)
    await db.flush()
    _add_assets(db, proposal, data.assets)
    await audit.record(db, viewer.user, "proposal.created", proposal, {"cycle": str(cycle.id)})
    return proposal


def _add_assets(db: AsyncSession, proposal: Proposal, assets: list[tuple[str, str]]) -> None:
    for position, (kind, description) in enumerate(assets):
        db.add(
            CommunityAsset(
                proposal_id=proposal.id, kind=kind, description=description, position=position
            )
        )


async def _proposal_for_update(db: AsyncSession, proposal_id: uuid.UUID) -> Proposal:
    proposal = (
        await db.execute(
            select(Proposal)
            .where(Proposal.id == proposal_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    ).scalar_one_or_none()
    if proposal is None:
        raise NotFound(lazy_gettext("There is no such proposal."))
    return proposal


def _author_actor(viewer: Viewer, proposal: Proposal) -> tuple[Actor, ...]:
    return (Actor.AUTHOR,) if viewer.id is not None and viewer.id == proposal.author_id else ()


async def update_proposal(
    db: AsyncSession, viewer: Viewer, proposal_id: uuid.UUID, form: FormInput
) -> Proposal:
    proposal = await _proposal_for_update(db, proposal_id)
    cycle = await _stage_checked(
        db, viewer, proposal.cycle_id, Action.EDIT_PROPOSAL, *_author_actor(viewer, proposal)
    )
    if proposal.status != ProposalStatus.OPEN:
        raise WrongStage(lazy_gettext("A withdrawn or merged proposal cannot be changed."))
    data = parse_proposal_form(form, cycle, proposal.language)
    proposal.title, proposal.body = data.title, data.body
    proposal.language, proposal.category = data.language, data.category
    proposal.estimated_cost = data.estimated_cost
    proposal.updated_at = utcnow()
    await db.execute(delete(CommunityAsset).where(CommunityAsset.proposal_id == proposal.id))
    _add_assets(db, proposal, data.assets)
    await audit.record(db, viewer.user, "proposal.edited", proposal)
    return proposal


async def withdraw_proposal(db: AsyncSession, viewer: Viewer, proposal_id: uuid.UUID) -> Proposal:
    proposal = await _proposal_for_update(db, proposal_id)
    await _stage_checked(
        db, viewer, proposal.cycle_id, Action.EDIT_PROPOSAL, *_author_actor(viewer, proposal)
    )
    if proposal.status != ProposalStatus.OPEN:
        raise WrongStage(lazy_gettext("This proposal is already withdrawn or merged."))
    proposal.status = ProposalStatus.WITHDRAWN
    proposal.updated_at = utcnow()
    await audit.record(db, viewer.user, "proposal.withdrawn", proposal)
    return proposal


# --- supports --------------------------------------------------------------------------------


@dataclass
class SupportState:
    proposal: Proposal
    supported: bool
    used: int
    limit: int | None


async def set_support(
    db: AsyncSession, viewer: Viewer, proposal_id: uuid.UUID, *, on: bool
) -> SupportState:
    proposal = await db.get(Proposal, proposal_id)
    if proposal is None:
        raise NotFound(lazy_gettext("There is no such proposal."))
    cycle = await _stage_checked(db, viewer, proposal.cycle_id, Action.SUPPORT)
    if proposal.status != ProposalStatus.OPEN:
        raise WrongStage(
            lazy_gettext("This proposal was withdrawn or merged, so it cannot be supported.")
        )
    assert viewer.id is not None
    # One person's clicks are serialised, so the limit holds however fast they come.
    await db.execute(
        text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"),
        {"key": f"supports:{cycle.id}:{viewer.id}"},
    )
    used = int(
        await db.scalar(
            select(func.count())
            .select_from(Support)
            .where(Support.cycle_id == cycle.id, Support.user_id == viewer.id)
        )
        or 0
    )
    if on:
        if cycle.support_limit is not None and used >= cycle.support_limit:
            already = await db.get(Support, (proposal.id, viewer.id))
            if already is None:
                raise Conflict(
                    lazy_gettext(
                        "You have used all %(limit)s of your supports in this cycle. Remove one "
                        "to support this proposal.",
                        limit=cycle.support_limit,
                    )
                )
        inserted = (
            await db.execute(
                text(
                    "INSERT INTO supports (proposal_id, user_id, cycle_id) VALUES (:p, :u, :c) "
                    "ON CONFLICT DO NOTHING RETURNING 1"
                ),
                {"p": proposal.id, "u": viewer.id, "c": cycle.id},
            )
        ).first()
        if inserted:
            used += 1
            await _bump(db, proposal, 1)
    else:
        removed = (
            await db.execute(
                delete(Support)
                .where(Support.proposal_id == proposal.id, Support.user_id == viewer.id)
                .returning(Support.user_id)
            )
        ).first()
        if removed:
            used -= 1
            await _bump(db, proposal, -1)
    return SupportState(proposal, on, used, cycle.support_limit)


async def _bump(db: AsyncSession, proposal: Proposal, delta: int) -> None:
    count = (
        await db.execute(
            update(Proposal)
            .where(Proposal.id == proposal.id)
            .values(support_count=Proposal.support_count + delta)
            .returning(Proposal.support_count)
        )
    ).scalar_one()
    proposal.support_count = count


# --- commissioners: answers, merges, shortlist ----------------------------------------------


async def answer_proposal(
    db: AsyncSession, viewer: Viewer, proposal_id: uuid.UUID, form: FormInput
) -> Proposal:
    proposal = await _proposal_for_update(db, proposal_id)
    await _stage_checked(db, viewer, proposal.cycle_id, Action.ANSWER)
    answer = form.choice("answer", ANSWER_LABELS)
    reason = form.text("reason", max_length=2000, min_length=10)
    form.raise_if_invalid()
    if proposal.status != ProposalStatus.OPEN:
        raise WrongStage(lazy_gettext("A withdrawn or merged proposal cannot be answered."))
    previous = proposal.answer
    proposal.answer, proposal.answer_reason = answer, reason
    proposal.answered_at, proposal.answered_by_id = utcnow(), viewer.id
    if proposal.author_id and proposal.author_id != viewer.id:
        notify(
            db,
            proposal.author_id,
            "proposal_answered",
            cycle_id=proposal.cycle_id,
            proposal_id=proposal.id,
            details={"proposal_title": proposal.title, "answer": answer},
        )
    await audit.record(
        db, viewer.user, "proposal.answered", proposal, {"answer": answer, "previous": previous}
    )
    return proposal


async def merge_proposals(
    db: AsyncSession, viewer: Viewer, source_id: uuid.UUID, form: FormInput
) -> Proposal:
    """Merge a duplicate into the proposal it repeats. Supports move across; someone who supported
    both counts once."""
    try:
        target_id = uuid.UUID(form.get("target"))
    except ValueError:
        raise Invalid({"target": lazy_gettext("Choose the proposal to merge into.")}) from None
    if target_id == source_id:
        raise Invalid({"target": lazy_gettext("A proposal cannot be merged into itself.")})
    # Lock both in a fixed order so two merges cannot deadlock.
    first, second = sorted([source_id, target_id])
    locked = {
        p.id: p
        for p in [await _proposal_for_update(db, first), await _proposal_for_update(db, second)]
    }
    source, target = locked[source_id], locked[target_id]
    await _stage_checked(db, viewer, source.cycle_id, Action.MERGE)
    if source.cycle_id != target.cycle_id:
        raise Invalid({"target": lazy_gettext("Both proposals must be in the same cycle.")})
    if source.status != ProposalStatus.OPEN or target.status != ProposalStatus.OPEN:
        raise WrongStage(lazy_gettext("Only open proposals can be merged."))
    await db.execute(
        text(
            "INSERT INTO supports (proposal_id, user_id, cycle_id, created_at) "
            "SELECT :target, user_id, cycle_id, created_at FROM supports "
            "WHERE proposal_id = :source ON CONFLICT DO NOTHING"
        ),
        {"target": target.id, "source": source.id},
    )
    supporters = list(
        (
            await db.execute(
                delete(Support).where(Support.proposal_id == source.id).returning(Support.user_id)
            )
        ).scalars()
    )
    count = await db.scalar(
        select(func.count()).select_from(Support).where(Support.proposal_id == target.id)
    )
    target.support_count = int(count or 0)
    source.support_count = 0
    source.status, source.merged_into_id = ProposalStatus.MERGED, target.id
    source.updated_at = target.updated_at = utcnow()
    details = {"proposal_title": source.title, "into_title": target.title, "into": str(target.id)}
    for user_id in {source.author_id, *supporters} - {None, viewer.id}:
        notify(
            db,
            user_id,
            "proposal_merged",
            cycle_id=source.cycle_id,
            proposal_id=source.id,
            details=details,
        )
    await audit.record(
        db,
        viewer.user,
        "proposal.merged",
        source,
        {"into": str(target.id), "supports_moved": len(supporters)},
    )
    return target


async def shortlist(db: AsyncSession, cycle_id: uuid.UUID) -> list[Proposal]:
    return list(
        (
            await db.execute(
                select(Proposal)
                .where(
                    Proposal.cycle_id == cycle_id,
                    Proposal.status == ProposalStatus.OPEN,
                    Proposal.answer == Answer.TAKEN_FORWARD,
                )
                .order_by(Proposal.support_count.desc(), Proposal.created_at)
            )
        ).scalars()
    )


# --- reading ---------------------------------------------------------------------------------


@dataclass
class ProposalRow:
    proposal: Proposal
    author_name: str | None
    supported: bool


@dataclass
class ProposalPage:
    rows: list[ProposalRow]
    total: int
    page: int
    pages: int
    supports_used: int


@dataclass
class ListParams:
    q: str = ""
    status: str = ""
    category: str = ""
    sort: str = "support"
    page: int = 1
    seed: str = ""

    @classmethod
    def parse(cls, params: Any, seed: str) -> ListParams:
        q = (params.get("q") or "").strip()[:200]
        status = params.get("status") or ""
        sort = params.get("sort") or ("relevance" if q else "support")
        try:
            page = max(1, min(int(params.get("page") or 1), 100_000))
        except ValueError:
            page = 1
        return cls(
            q=q,
            status=status if status in STATUS_FILTERS else "",
            category=(params.get("category") or "")[:40],
            sort=sort if sort in SORTS and (sort != "relevance" or q) else "support",
            page=page,
            seed=seed,
        )


async def list_proposals(
    db: AsyncSession, viewer: Viewer, cycle: Cycle, params: ListParams
) -> ProposalPage:
    """Two queries whatever the page number or the number of proposals: the total (an index-only
    count, with the viewer's supports used in this cycle), then the page itself."""
    viewer_id = viewer.id
    conditions = [Proposal.cycle_id == cycle.id]
    if params.status == "withdrawn":
        conditions.append(Proposal.status == ProposalStatus.WITHDRAWN)
    else:
        conditions.append(Proposal.status == ProposalStatus.OPEN)
        if params.status == "unanswered":
            conditions.append(Proposal.answer.is_(None))
        elif params.status in Answer.ALL:
            conditions.append(Proposal.answer == params.status)
    if params.category:
        conditions.append(Proposal.category == params.category)
    tsquery = None
    if params.q:
        tsquery = func.websearch_to_tsquery("english", params.q)
        welsh = search.welsh_tsquery(params.q)
        if welsh:
            tsquery = tsquery.op("||")(func.to_tsquery("simple", welsh))
        conditions.append(Proposal.search.op("@@")(tsquery))

    used = (
        select(func.count())
        .select_from(Support)
        .where(Support.cycle_id == cycle.id, Support.user_id == viewer_id)
        .scalar_subquery()
        if viewer_id
        else literal(0)
    )
    total, supports_used = (
        await db.execute(select(select(func.count()).where(*conditions).scalar_subquery(), used))
    ).one()

    supported = (
        exists().where(Support.proposal_id == Proposal.id, Support.user_id == viewer_id)
        if viewer_id
        else literal(False)
    )
    order: list[Any]
    if params.sort == "relevance" and tsquery is not None:
        order = [
            func.ts_rank(Proposal.search, tsquery).desc(),
            Proposal.support_count.desc(),
            Proposal.id,
        ]
    elif params.sort == "newest":
        order = [Proposal.created_at.desc(), Proposal.id]
    elif params.sort == "random":
        # A stable shuffle per visitor: the same seed gives the same order on every page.
        order = [func.md5(cast(Proposal.id, Text) + params.seed)]
    else:
        order = [Proposal.support_count.desc(), Proposal.created_at.desc(), Proposal.id]
    # The page's ids first (narrow rows, skipped through cheaply), then the 20 whole rows with
    # their authors and the viewer's supports: joining and probing every skipped row made page
    # 250 of a city's list three times slower than page 1.
    page = (
        select(Proposal.id)
        .where(*conditions)
        .order_by(*order)
        .limit(PAGE_SIZE)
        .offset((params.page - 1) * PAGE_SIZE)
        .subquery("page")
    )
    query = (
        select(Proposal, User.display_name, supported.label("supported"))
        .join(page, page.c.id == Proposal.id)
        .outerjoin(User, User.id == Proposal.author_id)
        .order_by(*order)
    )
    rows = [ProposalRow(row[0], row[1], bool(row[2])) for row in await db.execute(query)]
    pages = max(1, -(-int(total) // PAGE_SIZE))
    return ProposalPage(rows, int(total), params.page, pages, int(supports_used or 0))


@dataclass
class ProposalDetail:
    proposal: Proposal
    cycle: Cycle
    author_name: str | None
    assets: list[CommunityAsset]
    supported: bool
    actors: set[Actor]
    merge_candidates: list[Proposal]
    merged_from: list[Proposal]
    extras: dict[str, Any] = field(default_factory=dict)


async def get_proposal(db: AsyncSession, viewer: Viewer, proposal_id: uuid.UUID) -> ProposalDetail:
    row = (
        await db.execute(
            select(Proposal, Cycle, User.display_name)
            .join(Cycle, Cycle.id == Proposal.cycle_id)
            .outerjoin(User, User.id == Proposal.author_id)
            .where(Proposal.id == proposal_id)
        )
    ).first()
    if row is None or not cycles.can_see(viewer, row[1]):
        raise NotFound(lazy_gettext("There is no such proposal."))
    proposal, cycle, author_name = row
    if proposal.status == ProposalStatus.MERGED and proposal.merged_into_id:
        raise Merged(proposal.merged_into_id)
    assets = list(
        (
            await db.execute(
                select(CommunityAsset)
                .where(CommunityAsset.proposal_id == proposal.id)
                .order_by(CommunityAsset.position)
            )
        ).scalars()
    )
    supported = bool(viewer.id and await db.get(Support, (proposal.id, viewer.id)) is not None)
    actors = await cycles.actors_for(db, viewer, cycle) | set(_author_actor(viewer, proposal))
    merge_candidates: list[Proposal] = []
    if Actor.COMMISSIONER in actors and cycle.current_stage == Stage.PROPOSALS:
        merge_candidates = list(
            (
                await db.execute(
                    select(Proposal)
                    .where(
                        Proposal.cycle_id == cycle.id,
                        Proposal.status == ProposalStatus.OPEN,
                        Proposal.id != proposal.id,
                    )
                    .order_by(Proposal.title)
                    .limit(500)
                )
            ).scalars()
        )
    merged_from = list(
        (
            await db.execute(
                select(Proposal)
                .where(Proposal.merged_into_id == proposal.id)
                .order_by(Proposal.title)
            )
        ).scalars()
    )
    detail = ProposalDetail(
        proposal, cycle, author_name, assets, supported, actors, merge_candidates, merged_from
    )
    for provider in _detail_extras:
        detail.extras.update(await provider(db, viewer, proposal))
    return detail


DetailExtra = Callable[[AsyncSession, Viewer, Proposal], Awaitable[dict[str, Any]]]
_detail_extras: list[DetailExtra] = []


def register_detail_extra(provider: DetailExtra) -> DetailExtra:
    """Later parts show what became of a proposal (its threads, the clauses that answer it)."""
    if provider not in _detail_extras:
        _detail_extras.append(provider)
    return provider


async def form_for_edit(
    db: AsyncSession, viewer: Viewer, proposal_id: uuid.UUID
) -> tuple[ProposalDetail, FormInput]:
    detail = await get_proposal(db, viewer, proposal_id)
    cycles.require(viewer, detail.cycle, Action.EDIT_PROPOSAL, detail.actors)
    proposal = detail.proposal
    data = {
        "title": proposal.title,
        "body": proposal.body,
        "language": proposal.language,
        "category": proposal.category or "",
        "estimated_cost": str(proposal.estimated_cost or ""),
    }
    for index, asset in enumerate(detail.assets):
        data[f"asset_{index}_kind"] = asset.kind
        data[f"asset_{index}_description"] = asset.description
    return detail, FormInput(data)
