"""Cycles: creating and editing them, who may do what in each stage, and the one guarded function
that moves a cycle between stages (with its audit event, in the same transaction)."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, func, literal, select, text, union
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import selectinload

from deliberate import audit
from deliberate.accounts.models import Organisation, Role
from deliberate.accounts.viewer import Viewer
from deliberate.cycles.models import (
    Cycle,
    CycleFollow,
    StageSchedule,
    StakeholderGroupDef,
)
from deliberate.cycles.stages import (
    ACTION_LABELS,
    ORDER,
    Action,
    Actor,
    Stage,
    enter_effects,
    exit_conditions,
    find_transition,
    on_entering,
    permits,
    permitted_actions,
    transitions_from,
)
from deliberate.db import utcnow
from deliberate.errors import Invalid, NotAllowed, NotFound, SignInRequired, WrongStage
from deliberate.forms import FormInput
from deliberate.i18n import LazyString, lazy_gettext
from deliberate.logging import get_logger
from deliberate.notifications import Notification

log = get_logger("deliberate.cycles")
LONDON = ZoneInfo("Europe/London")
SCHEDULER_LOCK = 0x0DE11BE8  # the advisory lock one app process holds while moving cycles on

SERVICE_AREAS: dict[str, LazyString] = {
    "social_care": lazy_gettext("Social care"),
    "health": lazy_gettext("Health"),
    "transport": lazy_gettext("Transport"),
    "housing": lazy_gettext("Housing"),
    "education": lazy_gettext("Education and skills"),
    "environment": lazy_gettext("Environment"),
    "community": lazy_gettext("Community services"),
}
SCHEDULED_STAGES = (Stage.PROPOSALS, Stage.DELIBERATION, Stage.VOTING, Stage.SPECIFICATION)
GROUP_ROWS = 5
OPEN_STAGES = (Stage.PROPOSALS, Stage.DELIBERATION, Stage.VOTING, Stage.SPECIFICATION)
PAST_STAGES = (Stage.PUBLISHED, Stage.CLOSED)


# --- reading ---------------------------------------------------------------------------------


async def get_cycle(db: AsyncSession, cycle_id: uuid.UUID, viewer: Viewer | None = None) -> Cycle:
    cycle = (
        await db.execute(
            select(Cycle)
            .where(Cycle.id == cycle_id)
            .options(selectinload(Cycle.groups), selectinload(Cycle.schedule))
        )
    ).scalar_one_or_none()
    if cycle is None or (viewer is not None and not can_see(viewer, cycle)):
        raise NotFound(lazy_gettext("There is no such cycle."))
    return cycle


def can_see(viewer: Viewer, cycle: Cycle) -> bool:
    """Drafts are private to their organisation's commissioners, unless announced."""
    if cycle.stage != Stage.DRAFT or cycle.announced:
        return True
    return is_commissioner(viewer, cycle) or viewer.is_admin


def is_commissioner(viewer: Viewer, cycle: Cycle) -> bool:
    return viewer.has_role(Role.COMMISSIONER, cycle.organisation_id)


def is_facilitator(viewer: Viewer, cycle: Cycle) -> bool:
    return viewer.has_role(Role.FACILITATOR, cycle.organisation_id)


ActorResolver = Callable[[AsyncSession, Viewer, Cycle], Awaitable[set[Actor]]]
_actor_resolvers: list[ActorResolver] = []


def register_actor_resolver(resolver: ActorResolver) -> ActorResolver:
    """Later parts add the actors they know about (panel member, eligible voter)."""
    if resolver not in _actor_resolvers:
        _actor_resolvers.append(resolver)
    return resolver


PageContext = Callable[[AsyncSession, Viewer, Cycle, set[Actor]], Awaitable[dict[str, Any]]]
_page_contexts: list[PageContext] = []


def register_page_context(provider: PageContext) -> PageContext:
    """Later parts add what their box on the cycle page needs (e.g. the viewer's ballot), as
    template variables; their template is included by `cycles/detail.html`."""
    if provider not in _page_contexts:
        _page_contexts.append(provider)
    return provider


async def page_context(
    db: AsyncSession, viewer: Viewer, cycle: Cycle, actors: set[Actor]
) -> dict[str, Any]:
    context: dict[str, Any] = {}
    for provider in _page_contexts:
        context.update(await provider(db, viewer, cycle, actors))
    return context


async def actors_for(db: AsyncSession, viewer: Viewer, cycle: Cycle) -> set[Actor]:
    actors: set[Actor] = set()
    if not viewer.is_authenticated:
        return actors
    actors.add(Actor.CITIZEN)
    if is_commissioner(viewer, cycle):
        actors.add(Actor.COMMISSIONER)
    if is_facilitator(viewer, cycle):
        actors.add(Actor.FACILITATOR)
    for resolver in _actor_resolvers:
        actors |= await resolver(db, viewer, cycle)
    return actors


def require(viewer: Viewer, cycle: Cycle, action: Action, actors: Iterable[Actor]) -> None:
    """Raise unless the stage permits `action` to one of `actors`.

    Not at this stage at all: 409 with the stage named. At this stage but not for this person:
    sign in (401) or 403.
    """
    stage = cycle.current_stage
    if not permits(stage, action, set(Actor)):
        raise WrongStage(
            lazy_gettext(
                "%(action)s is not possible while the cycle is at the %(stage)s stage.",
                action=ACTION_LABELS[action],
                stage=stage.label,
            )
        )
    if not permits(stage, action, set(actors)):
        if not viewer.is_authenticated:
            raise SignInRequired()
        raise NotAllowed()


async def lock_cycle(db: AsyncSession, cycle_id: uuid.UUID, *, for_update: bool = False) -> Cycle:
    """Read the cycle under a row lock, so that a stage-dependent action is judged by the stage at
    commit: actions hold a share lock until they commit, and a transition (which takes the update
    lock) waits for them, or they wait for it and then see the new stage."""
    query = select(Cycle).where(Cycle.id == cycle_id).execution_options(populate_existing=True)
    # NO KEY UPDATE, not UPDATE: a new row pointing at the cycle (a ballot, a post) takes a key
    # share lock for its foreign key, and must neither block nor starve a transition.
    query = (
        query.with_for_update(key_share=True) if for_update else query.with_for_update(read=True)
    )
    cycle = (await db.execute(query)).scalar_one_or_none()
    if cycle is None:
        raise NotFound(lazy_gettext("There is no such cycle."))
    return cycle


async def get_cycle_row(db: AsyncSession, cycle_id: uuid.UUID, viewer: Viewer) -> Cycle:
    """The cycle row alone, in one query, for pages that need no groups or schedule."""
    cycle = await db.get(Cycle, cycle_id)
    if cycle is None or not can_see(viewer, cycle):
        raise NotFound(lazy_gettext("There is no such cycle."))
    return cycle


@dataclass
class CycleLists:
    open: list[Cycle]
    upcoming: list[Cycle]
    past: list[Cycle]


async def list_cycles(db: AsyncSession, service_area: str | None) -> CycleLists:
    query = (
        select(Cycle)
        .where((Cycle.stage != Stage.DRAFT.value) | Cycle.announced.is_(True))
        .options(selectinload(Cycle.schedule))
        .order_by(Cycle.stage_changed_at.desc())
    )
    if service_area in SERVICE_AREAS:
        query = query.where(Cycle.service_area == service_area)
    cycles = list((await db.execute(query)).scalars())
    return CycleLists(
        open=[c for c in cycles if c.current_stage in OPEN_STAGES],
        upcoming=[c for c in cycles if c.current_stage == Stage.DRAFT],
        past=[c for c in cycles if c.current_stage in PAST_STAGES],
    )


async def cycles_to_manage(db: AsyncSession, viewer: Viewer) -> list[Cycle]:
    organisations = viewer.organisations_for(Role.COMMISSIONER)
    if not organisations:
        return []
    return list(
        (
            await db.execute(
                select(Cycle)
                .where(Cycle.organisation_id.in_(organisations))
                .order_by(Cycle.updated_at.desc())
            )
        ).scalars()
    )


# --- creating and editing --------------------------------------------------------------------


@dataclass
class CycleForm:
    """The cycle form, parsed: kept apart from the model so a bad form changes nothing."""

    values: dict[str, Any]
    groups: list[dict[str, Any]]
    schedule: dict[Stage, tuple[dt.datetime, dt.datetime]]
    categories: list[dict[str, str]]


def _parse_local(value: str) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(value).replace(tzinfo=LONDON)
    except ValueError:
        return None


def _slug(text_value: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text_value.lower()).strip("_")[:40] or "category"


def parse_cycle_form(form: FormInput, organisations: dict[str, Organisation]) -> CycleForm:
    values: dict[str, Any] = {
        "organisation": form.choice("organisation", organisations),
        "title_en": form.text("title_en", max_length=200, min_length=5),
        "title_cy": form.text("title_cy", max_length=200, required=False),
        "summary_en": form.text("summary_en", max_length=5000),
        "summary_cy": form.text("summary_cy", max_length=5000, required=False),
        "easy_read_en": form.text("easy_read_en", max_length=3000, required=False),
        "easy_read_cy": form.text("easy_read_cy", max_length=3000, required=False),
        "service_area": form.choice("service_area", SERVICE_AREAS),
        "announced": form.get("announced") == "on",
    }
    budget = form.get("budget").replace(",", "").replace("£", "")
    if not budget.isdigit() or len(budget) > 12:
        form.add_error("budget", lazy_gettext("Enter the budget in whole pounds, like 250000."))
    values["budget"] = int(budget) if budget.isdigit() and len(budget) <= 12 else 0
    limit = form.get("support_limit")
    if limit and (not limit.isdigit() or not 1 <= int(limit) <= 1000):
        form.add_error(
            "support_limit", lazy_gettext("Enter a number from 1 to 1000, or leave it blank.")
        )
    values["support_limit"] = int(limit) if limit.isdigit() else None
    quorum = form.get("signoff_quorum") or "67"
    if not quorum.isdigit() or not 1 <= int(quorum) <= 100:
        form.add_error("signoff_quorum", lazy_gettext("Enter a percentage from 1 to 100."))
    panel_size = form.get("panel_size") or "24"
    if not panel_size.isdigit() or not 3 <= int(panel_size) <= 500:
        form.add_error("panel_size", lazy_gettext("Enter a panel size from 3 to 500."))
    values["settings"] = {
        "signoff_quorum": int(quorum) if quorum.isdigit() else 67,
        "panel_size": int(panel_size) if panel_size.isdigit() else 24,
    }

    groups: list[dict[str, Any]] = []
    total = Decimal(0)
    for index in range(GROUP_ROWS):
        name_en = form.get(f"group_{index}_name_en")
        name_cy = form.get(f"group_{index}_name_cy")
        share = form.get(f"group_{index}_share")
        if not (name_en or name_cy or share):
            continue
        if not name_en or len(name_en) > 120 or len(name_cy) > 120:
            form.add_error(
                f"group_{index}_name_en",
                lazy_gettext("Give the group a name (up to 120 characters)."),
            )
            continue
        try:
            percent = Decimal(share)
            if not 0 < percent <= 100:
                raise InvalidOperation
        except InvalidOperation:
            form.add_error(
                f"group_{index}_share", lazy_gettext("Enter a share between 1 and 100 per cent.")
            )
            continue
        total += percent
        groups.append(
            {
                "key": _slug(name_en),
                "name_en": name_en,
                "name_cy": name_cy or name_en,
                "target_share": percent / 100,
                "position": index,
            }
        )
    if groups and abs(total - 100) > Decimal("0.01") and "groups" not in form.errors:
        form.add_error(
            "group_0_share",
            lazy_gettext(
                "The groups' shares must add up to 100 per cent (they add up to %(total)s).",
                total=total,
            ),
        )
    if len({group["key"] for group in groups}) != len(groups):
        form.add_error("group_0_name_en", lazy_gettext("Each group needs a different name."))

    categories = []
    for line in form.get("categories").splitlines():
        if not line.strip():
            continue
        name_en, _sep, name_cy = line.partition("|")
        name_en, name_cy = name_en.strip(), name_cy.strip()
        if not name_en or len(name_en) > 80:
            form.add_error(
                "categories", lazy_gettext("Write one category per line, up to 80 characters each.")
            )
            break
        categories.append(
            {"key": _slug(name_en), "name_en": name_en, "name_cy": name_cy or name_en}
        )
    if len(categories) > 20:
        form.add_error("categories", lazy_gettext("Use at most 20 categories."))

    schedule: dict[Stage, tuple[dt.datetime, dt.datetime]] = {}
    previous_end: dt.datetime | None = None
    for stage in SCHEDULED_STAGES:
        start_raw = form.get(f"{stage.value}_starts_at")
        end_raw = form.get(f"{stage.value}_ends_at")
        if not start_raw and not end_raw:
            continue
        start, end = _parse_local(start_raw), _parse_local(end_raw)
        if start is None or end is None:
            form.add_error(
                f"{stage.value}_starts_at",
                lazy_gettext("Enter both a start and an end date and time."),
            )
            continue
        if end <= start:
            form.add_error(
                f"{stage.value}_ends_at", lazy_gettext("The end must be after the start.")
            )
            continue
        if previous_end is not None and start < previous_end:
            form.add_error(
                f"{stage.value}_starts_at",
                lazy_gettext("A stage cannot start before the previous one ends."),
            )
        previous_end = end
        schedule[stage] = (start, end)
    form.raise_if_invalid()
    return CycleForm(values=values, groups=groups, schedule=schedule, categories=categories)


async def commissioner_organisations(db: AsyncSession, viewer: Viewer) -> dict[str, Organisation]:
    ids = viewer.organisations_for(Role.COMMISSIONER)
    if not ids:
        return {}
    rows = await db.execute(
        select(Organisation).where(Organisation.id.in_(ids)).order_by(Organisation.name_en)
    )
    return {org.slug: org for org in rows.scalars()}


async def create_cycle(db: AsyncSession, viewer: Viewer, form: FormInput) -> Cycle:
    organisations = await commissioner_organisations(db, viewer)
    if not organisations:
        raise NotAllowed(lazy_gettext("Only commissioners can create cycles."))
    parsed = parse_cycle_form(form, organisations)
    organisation = organisations[parsed.values.pop("organisation")]
    cycle = Cycle(organisation_id=organisation.id, created_by_id=viewer.id, stage=Stage.DRAFT.value)
    _apply(cycle, parsed)
    db.add(cycle)
    await db.flush()
    _replace_children(db, cycle, parsed)
    await db.flush()
    await audit.record(db, viewer.user, "cycle.created", cycle, {"title": cycle.title_en})
    return cycle


async def update_cycle(
    db: AsyncSession, viewer: Viewer, cycle_id: uuid.UUID, form: FormInput
) -> Cycle:
    cycle = await lock_cycle(db, cycle_id, for_update=True)
    actors = await actors_for(db, viewer, cycle)
    require(viewer, cycle, Action.EDIT_CYCLE, actors)
    organisations = await commissioner_organisations(db, viewer)
    parsed = parse_cycle_form(form, organisations)
    organisation = organisations[parsed.values.pop("organisation")]
    cycle = await get_cycle(db, cycle_id)
    cycle.organisation_id = organisation.id
    _apply(cycle, parsed)
    cycle.updated_at = utcnow()
    await db.execute(
        StakeholderGroupDef.__table__.delete().where(StakeholderGroupDef.cycle_id == cycle.id)
    )
    await db.execute(StageSchedule.__table__.delete().where(StageSchedule.cycle_id == cycle.id))
    _replace_children(db, cycle, parsed)
    await db.flush()
    await audit.record(db, viewer.user, "cycle.edited", cycle)
    return cycle


def _apply(cycle: Cycle, parsed: CycleForm) -> None:
    settings = dict(cycle.settings or {})
    settings.update(parsed.values.pop("settings"))
    for name, value in parsed.values.items():
        setattr(cycle, name, value)
    cycle.settings = settings
    cycle.categories = parsed.categories


def _replace_children(db: AsyncSession, cycle: Cycle, parsed: CycleForm) -> None:
    for group in parsed.groups:
        db.add(StakeholderGroupDef(cycle_id=cycle.id, **group))
    for stage, (start, end) in parsed.schedule.items():
        db.add(StageSchedule(cycle_id=cycle.id, stage=stage.value, starts_at=start, ends_at=end))


def form_from_cycle(cycle: Cycle, organisation_slug: str) -> FormInput:
    data: dict[str, str] = {
        "organisation": organisation_slug,
        "title_en": cycle.title_en,
        "title_cy": cycle.title_cy,
        "summary_en": cycle.summary_en,
        "summary_cy": cycle.summary_cy,
        "easy_read_en": cycle.easy_read_en,
        "easy_read_cy": cycle.easy_read_cy,
        "service_area": cycle.service_area,
        "budget": str(cycle.budget),
        "support_limit": str(cycle.support_limit or ""),
        "signoff_quorum": str(cycle.settings.get("signoff_quorum", 67)),
        "panel_size": str(cycle.settings.get("panel_size", 24)),
        "categories": "\n".join(f"{c['name_en']} | {c['name_cy']}" for c in cycle.categories),
        "announced": "on" if cycle.announced else "",
    }
    for index, group in enumerate(cycle.groups):
        data[f"group_{index}_name_en"] = group.name_en
        data[f"group_{index}_name_cy"] = group.name_cy
        data[f"group_{index}_share"] = f"{Decimal(group.target_share) * 100:g}"
    for entry in cycle.schedule:
        data[f"{entry.stage}_starts_at"] = entry.starts_at.astimezone(LONDON).strftime(
            "%Y-%m-%dT%H:%M"
        )
        data[f"{entry.stage}_ends_at"] = entry.ends_at.astimezone(LONDON).strftime("%Y-%m-%dT%H:%M")
    return FormInput(data)


# --- moving between stages -------------------------------------------------------------------


async def move_cycle(
    db: AsyncSession,
    actor: Viewer | None,
    cycle_id: uuid.UUID,
    target: Stage,
    *,
    reason: str = "",
) -> Cycle:
    """The one guarded function that changes a cycle's stage.

    `actor` None is the scheduler. Checks the transition table, the actor's permission, a reason
    for going back, and every condition registered for leaving the stage; then changes the stage,
    runs the registered effects and writes the audit event, all in the caller's transaction.
    """
    cycle = await lock_cycle(db, cycle_id, for_update=True)
    source = cycle.current_stage
    transition = find_transition(source, target)
    if transition is None:
        raise WrongStage(
            lazy_gettext(
                "A cycle cannot move from %(source)s to %(target)s.",
                source=source.label,
                target=target.label,
            )
        )
    if actor is not None:
        require(actor, cycle, Action.MOVE_CYCLE, await actors_for(db, actor, cycle))
    elif not transition.scheduled:
        raise WrongStage(lazy_gettext("This move needs a commissioner."))
    reason = reason.strip()
    if transition.backwards and not reason:
        raise Invalid({"reason": lazy_gettext("Say why the cycle is going back a stage.")})
    if len(reason) > 1000:
        raise Invalid({"reason": lazy_gettext("Keep the reason under 1000 characters.")})
    if not transition.backwards:
        problems = [p for p in [await check(db, cycle) for check in exit_conditions(source)] if p]
        if problems:
            raise WrongStage(problems[0])
    cycle.stage = target.value
    cycle.stage_changed_at = utcnow()
    await db.flush()
    for effect in enter_effects(target):
        await effect(db, cycle, {"source": source, "actor": actor})
    await audit.record(
        db,
        actor.user if actor else None,
        "cycle.stage_changed",
        cycle,
        {
            "from": source.value,
            "to": target.value,
            "reason": reason or None,
            "scheduled": actor is None,
        },
    )
    log.info(
        "cycle_stage_changed", cycle_id=str(cycle.id), source=source.value, target=target.value
    )
    return cycle


async def extend_stage(
    db: AsyncSession, viewer: Viewer, cycle_id: uuid.UUID, form: FormInput
) -> Cycle:
    """Move the end of the current stage later (or earlier), with a reason, audited."""
    cycle = await lock_cycle(db, cycle_id, for_update=True)
    require(viewer, cycle, Action.MOVE_CYCLE, await actors_for(db, viewer, cycle))
    new_end = _parse_local(form.get("ends_at"))
    reason = form.text("reason", max_length=1000)
    if new_end is None:
        form.add_error("ends_at", lazy_gettext("Enter the new end date and time."))
    elif new_end <= utcnow():
        form.add_error("ends_at", lazy_gettext("The new end must be in the future."))
    form.raise_if_invalid()
    assert new_end is not None
    entry = (
        await db.execute(
            select(StageSchedule).where(
                StageSchedule.cycle_id == cycle.id, StageSchedule.stage == cycle.stage
            )
        )
    ).scalar_one_or_none()
    old_end = entry.ends_at if entry else None
    if entry is None:
        entry = StageSchedule(
            cycle_id=cycle.id, stage=cycle.stage, starts_at=cycle.stage_changed_at, ends_at=new_end
        )
        db.add(entry)
    else:
        if new_end <= entry.starts_at:
            raise Invalid({"ends_at": lazy_gettext("The end must be after the start.")})
        entry.ends_at = new_end
    await db.flush()
    await audit.record(
        db,
        viewer.user,
        "cycle.stage_extended",
        cycle,
        {
            "stage": cycle.stage,
            "from": old_end.isoformat() if old_end else None,
            "to": new_end.isoformat(),
            "reason": reason,
        },
    )
    return cycle


async def run_due_transitions(sessionmaker: async_sessionmaker[AsyncSession]) -> int:
    """Move on every cycle whose current stage's end date has passed. Safe to call from every app
    process at once: the advisory lock lets one of them do the work, the others return 0."""
    moved = 0
    async with sessionmaker() as db, db.begin():
        got_lock = (
            await db.execute(
                text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": SCHEDULER_LOCK}
            )
        ).scalar()
        if not got_lock:
            return 0
        due = (
            await db.execute(
                select(Cycle.id, Cycle.stage)
                .join(
                    StageSchedule,
                    (StageSchedule.cycle_id == Cycle.id) & (StageSchedule.stage == Cycle.stage),
                )
                .where(StageSchedule.ends_at <= func.now())
                .order_by(StageSchedule.ends_at)
            )
        ).all()
        for cycle_id, stage in due:
            forward = [t for t in transitions_from(Stage(stage)) if t.scheduled and not t.backwards]
            if not forward:
                continue
            try:
                async with db.begin_nested():
                    await move_cycle(db, None, cycle_id, forward[0].target)
                moved += 1
            except (WrongStage, Invalid) as error:
                log.warning(
                    "scheduled_move_blocked", cycle_id=str(cycle_id), reason=str(error.message)
                )
    return moved


# --- what a person can do now, notifications, following --------------------------------------


@dataclass
class Timeline:
    stage: Stage
    label: LazyString
    starts_at: dt.datetime | None
    ends_at: dt.datetime | None
    state: str  # "done", "current" or "upcoming"


def timeline(cycle: Cycle) -> list[Timeline]:
    current = cycle.current_stage.index
    dates = {entry.stage: entry for entry in cycle.schedule}
    rows = []
    for stage in ORDER:
        entry = dates.get(stage.value)
        state = (
            "done" if stage.index < current else "current" if stage.index == current else "upcoming"
        )
        rows.append(
            Timeline(
                stage,
                stage.label,
                entry.starts_at if entry else None,
                entry.ends_at if entry else None,
                state,
            )
        )
    return rows


def what_you_can_do(cycle: Cycle, actors: set[Actor]) -> list[Action]:
    return permitted_actions(cycle.current_stage, actors)


async def follow(db: AsyncSession, viewer: Viewer, cycle_id: uuid.UUID, *, on: bool) -> Cycle:
    cycle = await get_cycle(db, cycle_id, viewer)
    if not viewer.is_authenticated:
        raise SignInRequired()
    if on:
        await db.execute(
            text(
                "INSERT INTO cycle_follows (cycle_id, user_id) VALUES (:c, :u) "
                "ON CONFLICT DO NOTHING"
            ),
            {"c": cycle.id, "u": viewer.id},
        )
    else:
        await db.execute(
            CycleFollow.__table__.delete().where(
                CycleFollow.cycle_id == cycle.id, CycleFollow.user_id == viewer.id
            )
        )
    return cycle


async def is_following(db: AsyncSession, viewer: Viewer, cycle: Cycle) -> bool:
    if not viewer.is_authenticated:
        return False
    found = await db.scalar(
        select(literal(1)).where(CycleFollow.cycle_id == cycle.id, CycleFollow.user_id == viewer.id)
    )
    return found is not None


ParticipantQuery = Callable[[uuid.UUID], Select[Any]]
_participant_queries: list[ParticipantQuery] = []


def register_participants(query: ParticipantQuery) -> ParticipantQuery:
    """Later parts say who took part in a cycle (authors, supporters, panel members...), as a
    SELECT of user ids, so stage-change notices reach them without a query per person."""
    if query not in _participant_queries:
        _participant_queries.append(query)
    return query


@on_entering(None)
async def notify_stage_change(db: AsyncSession, cycle: Cycle, context: dict[str, Any]) -> None:
    followers = select(CycleFollow.user_id.label("user_id")).where(CycleFollow.cycle_id == cycle.id)
    audience = union(followers, *[query(cycle.id) for query in _participant_queries]).subquery()
    details = {"from": str(context["source"].value), "to": cycle.stage}
    await db.execute(
        Notification.__table__.insert().from_select(
            ["user_id", "kind", "cycle_id", "details"],
            select(
                audience.c.user_id,
                literal("stage_changed"),
                literal(cycle.id),
                literal(details, type_=Notification.__table__.c.details.type),
            ),
        )
    )
