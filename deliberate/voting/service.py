"""The vote: ballot definitions (set in draft, frozen when voting opens), who may vote, voters'
stakeholder groups, casting (one ballot per voter, replaceable until the close, judged by the
stage at commit), receipts and the public bulletin chain, and the tally computed in the
transaction that closes the vote.

Weights come only from the server's record (`voter_groups` and the definition), read at tally
time; nothing a voter posts can change them. Choices are never logged or audited.
"""

from __future__ import annotations

import csv
import datetime as dt
import gc
import io
import json
import os
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from sqlalchemy import func, select, text, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from deliberate import audit, ratelimit
from deliberate.accounts.models import Organisation
from deliberate.accounts.viewer import Viewer
from deliberate.cycles import service as cycles
from deliberate.cycles.models import Cycle, StakeholderGroupDef
from deliberate.cycles.stages import Action, Actor, Stage, on_entering, on_leaving
from deliberate.db import utcnow
from deliberate.deliberation.models import MEMBER_STATUSES, Volunteer
from deliberate.errors import Invalid, NotAllowed, NotFound, SignInRequired, WrongStage
from deliberate.forms import EMAIL_RE, FormInput
from deliberate.i18n import LazyString, format_datetime_local, lazy_gettext
from deliberate.logging import get_logger, request_id_var
from deliberate.proposals import service as proposals
from deliberate.voting import chain, exports
from deliberate.voting.counting import (
    BUDGET_METHODS,
    RANKED_METHODS,
    CountingError,
    GroupSums,
    group_weights,
    tally,
    validate_ballot,
)
from deliberate.voting.models import (
    BallotDefinition,
    BallotOption,
    BulletinEntry,
    CastBallot,
    EligibleVoter,
    Tally,
    VoterGroup,
)

log = get_logger("deliberate.voting")
# Sent when a tally is stored, with the cycle's id: the export writers wake.
EXPORTS_CHANNEL = "deliberate_exports"
BULLETIN_LOCK = 0x0B0110  # advisory lock namespace: one appender per cycle at a time

METHOD_LABELS: dict[str, LazyString] = {
    "approval": lazy_gettext("Approval: tick every option you support"),
    "score": lazy_gettext("Score: give each option a score"),
    "cumulative": lazy_gettext("Cumulative: share out your points"),
    "quadratic": lazy_gettext("Quadratic: spend credits, each extra vote costs more"),
    "borda": lazy_gettext("Borda count: rank the options"),
    "irv": lazy_gettext("Instant runoff: rank the options"),
    "schulze": lazy_gettext("Schulze: rank the options, compared in pairs"),
    "greedy": lazy_gettext("Participatory budget, most supported first"),
    "mes": lazy_gettext("Participatory budget, Method of Equal Shares"),
}
METHOD_EXPLANATIONS: dict[str, LazyString] = {
    "approval": lazy_gettext(
        "Each voter ticked the options they support. An option's score is the total voice of "
        "the people who ticked it, and the options are ranked by that score."
    ),
    "score": lazy_gettext(
        "Each voter gave every option a score. An option's score is the total of the scores it "
        "received, each counted with the voter's voice; the highest total comes first."
    ),
    "cumulative": lazy_gettext(
        "Each voter shared out a fixed number of points among the options, putting more points "
        "on what matters most to them. Options are ranked by the points they received."
    ),
    "quadratic": lazy_gettext(
        "Each voter had a number of credits. One vote for an option cost 1 credit, two votes "
        "cost 4, three cost 9, so strong feelings cost more. Options are ranked by their votes."
    ),
    "borda": lazy_gettext(
        "Each voter ranked the options. An option gets one point for every option a voter "
        "ranked below it; options left unranked get none. The most points comes first."
    ),
    "irv": lazy_gettext(
        "Each voter ranked the options. Everyone's first choices are counted; if no option has "
        "more than half, the last one is removed and its votes go to each voter's next choice, "
        "until one option has a majority."
    ),
    "schulze": lazy_gettext(
        "Each voter ranked the options. Every pair of options is compared: how many voters put "
        "one above the other. The winner is the option that beats every other one, directly or "
        "through a chain of stronger wins."
    ),
    "greedy": lazy_gettext(
        "Each voter chose the projects they support. The projects are funded in order of "
        "support, skipping any that no longer fit in what is left of the budget."
    ),
    "mes": lazy_gettext(
        "Each voter chose the projects they support. The budget is split into equal shares, "
        "one per voter. A project is funded when the people who support it can pay for it "
        "together from their shares, cheapest per supporter first, so every group's share of "
        "the budget goes to what that group wants."
    ),
}
ELIGIBILITY_LABELS: dict[str, LazyString] = {
    "citizens": lazy_gettext("Everyone signed in"),
    "list": lazy_gettext("Only the eligible residents on an imported list"),
    "panel": lazy_gettext("Only the citizens' panel"),
}
WEIGHTING_LABELS: dict[str, LazyString] = {
    "none": lazy_gettext("Every vote counts the same"),
    "multiplier": lazy_gettext("A multiplier for each stakeholder group"),
    "equal_voice": lazy_gettext(
        "Each group's voice matches its share, however many of the group vote"
    ),
}
VISIBILITY_LABELS: dict[str, LazyString] = {
    "sealed": lazy_gettext("Sealed until voting closes"),
    "live": lazy_gettext("Shown live while voting is open"),
}
POINTS_METHODS = exports.POINTS_METHODS

# The parameters each method's ballot page and checks use: (name, default, minimum, maximum).
PARAMS: dict[str, tuple[tuple[str, int | None, int, int], ...]] = {
    "approval": (("max_approvals", None, 1, 100),),
    "score": (("max_score", 5, 1, 100),),
    "cumulative": (("max_total", 10, 1, 10_000), ("max_per_option", None, 1, 10_000)),
    "quadratic": (("credits", 25, 1, 10_000),),
    "borda": (("max_rank", None, 1, 100),),
    "irv": (("max_rank", None, 1, 100),),
    "schulze": (("max_rank", None, 1, 100),),
    "greedy": (("budget", None, 1, 10**12), ("max_approvals", None, 1, 100)),
    "mes": (("budget", None, 1, 10**12), ("max_approvals", None, 1, 100)),
}
PARAM_LABELS: dict[str, LazyString] = {
    "max_approvals": lazy_gettext("Most options a voter may choose (leave empty for no limit)"),
    "max_score": lazy_gettext("Highest score (scores run from 0)"),
    "max_total": lazy_gettext("Points each voter shares out"),
    "max_per_option": lazy_gettext("Most points on one option (leave empty for no limit)"),
    "credits": lazy_gettext("Credits each voter has"),
    "max_rank": lazy_gettext("Most options a voter may rank (leave empty to rank them all)"),
    "budget": lazy_gettext("Budget to share out, in pounds (empty: the cycle's budget)"),
}


def method_kind(method: str) -> str:
    if method in RANKED_METHODS:
        return "ranking"
    if method in POINTS_METHODS:
        return "points"
    return "approvals"


# --- reading ---------------------------------------------------------------------------------


async def get_definition(db: AsyncSession, cycle_id: uuid.UUID) -> BallotDefinition | None:
    """The cycle's definition; found ones are kept for the session (one request), since the
    eligibility check asks for it on every page of the cycle."""
    cache = db.info.setdefault("ballot_definitions", {})
    if cycle_id not in cache:
        found = await db.scalar(
            select(BallotDefinition).where(BallotDefinition.cycle_id == cycle_id)
        )
        if found is None:
            return None
        cache[cycle_id] = found
    return cache[cycle_id]


async def get_options(db: AsyncSession, cycle_id: uuid.UUID) -> list[BallotOption]:
    return list(
        (
            await db.execute(
                select(BallotOption)
                .where(BallotOption.cycle_id == cycle_id)
                .order_by(BallotOption.position)
            )
        ).scalars()
    )


async def cycle_groups(db: AsyncSession, cycle_id: uuid.UUID) -> list[StakeholderGroupDef]:
    return list(
        (
            await db.execute(
                select(StakeholderGroupDef)
                .where(StakeholderGroupDef.cycle_id == cycle_id)
                .order_by(StakeholderGroupDef.position)
            )
        ).scalars()
    )


def effective_params(definition: BallotDefinition, cycle_budget: int) -> dict[str, Any]:
    params = {
        name: definition.params.get(name, default)
        for name, default, *_ in PARAMS[definition.method]
    }
    if definition.method in BUDGET_METHODS and not params.get("budget"):
        params["budget"] = cycle_budget
    return params


# --- the commissioner's ballot definition ------------------------------------------------------


@dataclass
class DefinitionPage:
    cycle: Cycle
    definition: BallotDefinition | None
    groups: list[StakeholderGroupDef]
    eligible_count: int
    editable: bool


async def definition_page(db: AsyncSession, viewer: Viewer, cycle_id: uuid.UUID) -> DefinitionPage:
    cycle = await cycles.get_cycle(db, cycle_id, viewer)
    actors = await cycles.actors_for(db, viewer, cycle)
    if Actor.COMMISSIONER not in actors:
        if not viewer.is_authenticated:
            raise SignInRequired()
        raise NotAllowed()
    definition = await get_definition(db, cycle.id)
    eligible = int(
        await db.scalar(
            select(func.count())
            .select_from(EligibleVoter)
            .where(EligibleVoter.cycle_id == cycle.id)
        )
        or 0
    )
    return DefinitionPage(
        cycle=cycle,
        definition=definition,
        groups=list(cycle.groups),
        eligible_count=eligible,
        editable=cycle.current_stage == Stage.DRAFT,
    )


def form_from_definition(definition: BallotDefinition | None) -> FormInput:
    if definition is None:
        return FormInput(
            {
                "method": "mes",
                "eligibility": "citizens",
                "weighting": "none",
                "results_visibility": "sealed",
            }
        )
    data = {
        "method": definition.method,
        "eligibility": definition.eligibility,
        "weighting": definition.weighting,
        "results_visibility": definition.results_visibility,
    }
    for name, value in definition.params.items():
        data[f"{definition.method}_{name}"] = "" if value is None else str(value)
    for key, value in definition.multipliers.items():
        data[f"multiplier_{key}"] = value
    return FormInput(data)


def _int_field(form: FormInput, name: str, low: int, high: int) -> int | None:
    raw = form.get(name).replace(",", "").replace("£", "")
    if not raw:
        return None
    try:
        value = int(raw)
    except ValueError:
        form.add_error(name, lazy_gettext("Enter a whole number."))
        return None
    if not low <= value <= high:
        form.add_error(
            name, lazy_gettext("Enter a number from %(low)s to %(high)s.", low=low, high=high)
        )
        return None
    return value


async def save_definition(
    db: AsyncSession, viewer: Viewer, cycle_id: uuid.UUID, form: FormInput
) -> BallotDefinition:
    cycle = await cycles.lock_cycle(db, cycle_id, for_update=True)
    cycles.require(viewer, cycle, Action.EDIT_CYCLE, await cycles.actors_for(db, viewer, cycle))
    groups = await cycle_groups(db, cycle.id)
    method = form.choice("method", METHOD_LABELS)
    eligibility = form.choice("eligibility", ELIGIBILITY_LABELS)
    weighting = form.choice("weighting", WEIGHTING_LABELS)
    visibility = form.choice("results_visibility", VISIBILITY_LABELS)
    params: dict[str, Any] = {}
    if method:
        for name, default, low, high in PARAMS[method]:
            value = _int_field(form, f"{method}_{name}", low, high)
            params[name] = value if value is not None else default
        if method == "cumulative" and params.get("max_per_option"):
            if params["max_per_option"] > params["max_total"]:
                form.add_error(
                    "cumulative_max_per_option",
                    lazy_gettext("This cannot be more than the points each voter shares out."),
                )
    multipliers: dict[str, str] = {}
    if weighting in ("multiplier", "equal_voice") and not groups:
        form.add_error(
            "weighting",
            lazy_gettext("This cycle has no stakeholder groups: add them to the cycle first."),
        )
    if weighting == "multiplier":
        for group in groups:
            name = f"multiplier_{group.key}"
            raw = form.get(name) or "1"
            try:
                value = Fraction(raw.replace(",", "."))
            except (ValueError, ZeroDivisionError):
                form.add_error(name, lazy_gettext("Enter a number, like 1 or 1.5."))
                continue
            if not 0 < value <= 100:
                form.add_error(name, lazy_gettext("Enter a number above 0 and up to 100."))
                continue
            multipliers[group.key] = raw.replace(",", ".")
    form.raise_if_invalid()
    definition = await get_definition(db, cycle.id)
    created = definition is None
    if definition is None:
        definition = BallotDefinition(cycle_id=cycle.id)
        db.add(definition)
        db.info.setdefault("ballot_definitions", {})[cycle.id] = definition
    definition.method = str(method)
    definition.params = params
    definition.eligibility = str(eligibility)
    definition.weighting = str(weighting)
    definition.multipliers = multipliers
    definition.results_visibility = str(visibility)
    definition.updated_by_id = viewer.id
    definition.updated_at = utcnow()
    await db.flush()
    await audit.record(
        db,
        viewer.user,
        "ballot.defined" if created else "ballot.definition_changed",
        definition,
        {
            "cycle_id": str(cycle.id),
            "method": definition.method,
            "params": params,
            "eligibility": definition.eligibility,
            "weighting": definition.weighting,
            "multipliers": multipliers,
            "results_visibility": definition.results_visibility,
        },
    )
    return definition


async def import_eligible(
    db: AsyncSession, viewer: Viewer, cycle_id: uuid.UUID, content: str
) -> int:
    """Replace the list of eligible residents from CSV: an `email` column and, optionally, a
    `group` column whose value (a group key of this cycle) verifies the voter's group."""
    cycle = await cycles.lock_cycle(db, cycle_id, for_update=True)
    cycles.require(viewer, cycle, Action.EDIT_CYCLE, await cycles.actors_for(db, viewer, cycle))
    group_keys = {group.key for group in await cycle_groups(db, cycle.id)}
    reader = csv.reader(io.StringIO(content.lstrip("\ufeff")))
    rows: dict[str, str | None] = {}
    header: list[str] | None = None
    for line, row in enumerate(reader, start=1):
        if not row or not any(cell.strip() for cell in row):
            continue
        cells = [cell.strip() for cell in row]
        if header is None and "email" in [c.lower() for c in cells]:
            header = [c.lower() for c in cells]
            continue
        header = header or ["email", "group"]
        record = dict(zip(header, cells, strict=False))
        email = (record.get("email") or "").lower()
        group = record.get("group") or None
        if not EMAIL_RE.match(email):
            raise Invalid(
                {"file": lazy_gettext("Line %(line)s: not an e-mail address.", line=line)}
            )
        if group and group not in group_keys:
            raise Invalid(
                {
                    "file": lazy_gettext(
                        "Line %(line)s: %(group)s is not one of this cycle's groups.",
                        line=line,
                        group=group,
                    )
                }
            )
        rows[email] = group
    if not rows:
        raise Invalid({"file": lazy_gettext("The file has no e-mail addresses.")})
    if len(rows) > 500_000:
        raise Invalid({"file": lazy_gettext("The list is too long.")})
    await db.execute(EligibleVoter.__table__.delete().where(EligibleVoter.cycle_id == cycle.id))
    items = [{"cycle_id": cycle.id, "email": e, "group_key": g} for e, g in rows.items()]
    for start in range(0, len(items), 5000):
        await db.execute(insert(EligibleVoter), items[start : start + 5000])
    await audit.record(db, viewer.user, "ballot.eligible_imported", cycle, {"count": len(rows)})
    return len(rows)


# --- the stage machine's view of the vote ------------------------------------------------------


@on_leaving(Stage.DELIBERATION)
async def ballot_must_be_set_up(db: AsyncSession, cycle: Cycle) -> LazyString | None:
    definition = await get_definition(db, cycle.id)
    if definition is None:
        return lazy_gettext(
            "Set up the ballot before voting opens: choose the voting method on the ballot page."
        )
    if definition.method in BUDGET_METHODS:
        shortlist = await proposals.shortlist(db, cycle.id)
        missing = [p.title for p in shortlist if p.estimated_cost is None]
        if missing:
            return lazy_gettext(
                "Every shortlisted proposal needs an estimated cost for a budget vote "
                "(missing: %(titles)s).",
                titles=", ".join(missing[:5]),
            )
    return None


@on_entering(Stage.VOTING)
async def freeze_ballot(db: AsyncSession, cycle: Cycle, context: dict[str, Any]) -> None:
    """Snapshot the shortlist into the ballot's options and freeze the definition. Reopening the
    vote after going back to deliberation keeps the options once anyone has voted."""
    definition = await get_definition(db, cycle.id)
    if definition is None:  # the exit condition refuses this; backwards moves skip it
        raise WrongStage(lazy_gettext("Set up the ballot before voting opens."))
    has_ballots = await db.scalar(
        select(func.count()).select_from(CastBallot).where(CastBallot.cycle_id == cycle.id)
    )
    if not has_ballots:
        await db.execute(BallotOption.__table__.delete().where(BallotOption.cycle_id == cycle.id))
        shortlist = await proposals.shortlist(db, cycle.id)
        for position, proposal in enumerate(shortlist, start=1):
            db.add(
                BallotOption(
                    cycle_id=cycle.id,
                    proposal_id=proposal.id,
                    position=position,
                    title=proposal.title,
                    language=proposal.language,
                    cost=proposal.estimated_cost,
                )
            )
    definition.frozen_at = utcnow()
    await db.flush()
    actor = context.get("actor")
    await audit.record(
        db,
        actor.user if actor else None,
        "ballot.frozen",
        definition,
        {"cycle_id": str(cycle.id), "options": len(await get_options(db, cycle.id))},
    )


@on_entering(Stage.SPECIFICATION)
async def close_and_tally(db: AsyncSession, cycle: Cycle, context: dict[str, Any]) -> None:
    """The tally, inside the transaction that closes the vote: the closing move holds the cycle
    row FOR UPDATE, so every ballot acknowledged before it is here, and none can follow."""
    if context.get("source") != Stage.VOTING:
        return
    if await get_definition(db, cycle.id) is None:  # only possible for rows made by hand
        log.warning("closed_without_ballot", cycle_id=str(cycle.id))
        return
    await store_tally(db, cycle)
    actor = context.get("actor")
    await audit.record(db, actor.user if actor else None, "ballot.tallied", cycle)


@cycles.register_actor_resolver
async def voter_actor(db: AsyncSession, viewer: Viewer, cycle: Cycle) -> set[Actor]:
    if cycle.stage != Stage.VOTING.value or not viewer.is_authenticated:
        return set()
    return {Actor.VOTER} if await may_vote(db, viewer, cycle) else set()


async def may_vote(db: AsyncSession, viewer: Viewer, cycle: Cycle) -> bool:
    definition = await get_definition(db, cycle.id)
    if definition is None or viewer.user is None:
        return False
    if definition.eligibility == "citizens":
        return True
    if definition.eligibility == "list":
        found = await db.scalar(
            select(EligibleVoter.email).where(
                EligibleVoter.cycle_id == cycle.id,
                EligibleVoter.email == viewer.user.email.lower(),
            )
        )
        return found is not None and viewer.user.email_verified
    found = await db.scalar(
        select(Volunteer.id).where(
            Volunteer.cycle_id == cycle.id,
            Volunteer.user_id == viewer.id,
            Volunteer.status.in_(MEMBER_STATUSES),
        )
    )
    return found is not None


# --- voters' groups ----------------------------------------------------------------------------


async def voter_group(db: AsyncSession, viewer: Viewer, cycle_id: uuid.UUID) -> VoterGroup | None:
    if not viewer.is_authenticated:
        return None
    return await db.get(VoterGroup, (cycle_id, viewer.id))


async def _verified_group(db: AsyncSession, viewer: Viewer, cycle_id: uuid.UUID) -> str | None:
    assert viewer.user is not None
    return await db.scalar(
        select(EligibleVoter.group_key).where(
            EligibleVoter.cycle_id == cycle_id, EligibleVoter.email == viewer.user.email.lower()
        )
    )


async def declare_group(
    db: AsyncSession, viewer: Viewer, cycle_id: uuid.UUID, form: FormInput
) -> VoterGroup:
    cycle = await cycles.lock_cycle(db, cycle_id)
    _voting_open(cycle)
    cycles.require(viewer, cycle, Action.VOTE, await cycles.actors_for(db, viewer, cycle))
    groups = {g.key: g for g in await cycle_groups(db, cycle.id)}
    key = form.choice("group", groups)
    form.raise_if_invalid()
    current = await voter_group(db, viewer, cycle.id)
    if current is not None and current.verified:
        raise WrongStage(lazy_gettext("Your group comes from the list of eligible residents."))
    has_ballot = await db.scalar(
        select(CastBallot.id).where(
            CastBallot.cycle_id == cycle.id, CastBallot.voter_id == viewer.id
        )
    )
    if current is not None and has_ballot and current.group_key != key:
        raise WrongStage(lazy_gettext("You have already voted as part of your group."))
    await db.execute(
        insert(VoterGroup)
        .values(cycle_id=cycle.id, user_id=viewer.id, group_key=key)
        .on_conflict_do_update(
            index_elements=["cycle_id", "user_id"],
            set_={"group_key": key, "declared_at": func.now()},
        )
    )
    result = await db.get(VoterGroup, (cycle.id, viewer.id), populate_existing=True)
    assert result is not None
    return result


# --- ballots -----------------------------------------------------------------------------------


@dataclass
class Feedback:
    """Live totals for the ballot page: what is used and what is left."""

    kind: str
    chosen: int = 0
    used: int = 0
    allowed: int | None = None
    left: int | None = None
    over: bool = False


@dataclass
class ParsedBallot:
    choice: dict[str, Any]
    feedback: Feedback
    errors: dict[str, str | LazyString] = field(default_factory=dict)
    # Ranked ballots: option keys in the order shown (ranked first, by rank).
    order: list[str] = field(default_factory=list)


def parse_choice(
    method: str, params: dict[str, Any], options: list[BallotOption], form: FormInput
) -> ParsedBallot:
    """Read a ballot form: checkboxes `option`, numbers `points_<n>`, or ranks `rank_<n>`.
    Applies the same rules the page shows as live feedback. Any other field (a weight, a group)
    is ignored."""
    keys = [o.key for o in options]
    kind = method_kind(method)
    errors: dict[str, str | LazyString] = {}
    raw_form = form._raw
    if kind == "approvals":
        picked = raw_form.getlist("option") if hasattr(raw_form, "getlist") else []
        if not picked and form.get("option"):
            picked = [form.get("option")]
        chosen = [k for k in keys if k in set(picked)]
        feedback = Feedback("approvals", chosen=len(chosen), allowed=params.get("max_approvals"))
        if feedback.allowed is not None and len(chosen) > feedback.allowed:
            feedback.over = True
            errors["option"] = lazy_gettext(
                "Choose at most %(count)s options (you chose %(chosen)s).",
                count=feedback.allowed,
                chosen=len(chosen),
            )
        if method in BUDGET_METHODS:
            costs = {o.key: int(o.cost or 0) for o in options}
            feedback.kind = "budget"
            feedback.used = sum(costs[k] for k in chosen)
            feedback.allowed = int(params["budget"])
            feedback.left = feedback.allowed - feedback.used
            if feedback.left < 0:
                feedback.over = True
                errors["option"] = lazy_gettext(
                    "Your choices cost £%(used)s, more than the budget of £%(budget)s.",
                    used=f"{feedback.used:,}",
                    budget=f"{feedback.allowed:,}",
                )
            if params.get("max_approvals") and len(chosen) > params["max_approvals"]:
                errors["option"] = lazy_gettext(
                    "Choose at most %(count)s projects.", count=params["max_approvals"]
                )
        return ParsedBallot({"approvals": chosen}, feedback, errors)
    if kind == "points":
        points: dict[str, int] = {}
        for key in keys:
            raw = form.get(f"points_{key}")
            if not raw:
                continue
            try:
                value = int(raw)
            except ValueError:
                errors[f"points_{key}"] = lazy_gettext("Enter a whole number.")
                continue
            if value < 0:
                errors[f"points_{key}"] = lazy_gettext("Enter 0 or more.")
                continue
            if method == "score" and value > params["max_score"]:
                errors[f"points_{key}"] = lazy_gettext(
                    "Scores run from 0 to %(max)s.", max=params["max_score"]
                )
                continue
            cap = params.get("max_per_option")
            if method == "cumulative" and cap and value > cap:
                errors[f"points_{key}"] = lazy_gettext(
                    "At most %(max)s points on one option.", max=cap
                )
                continue
            if value:
                points[key] = value
        if method == "score":
            feedback = Feedback("score", chosen=len(points))
        elif method == "cumulative":
            used = sum(points.values())
            allowed = int(params["max_total"])
            feedback = Feedback(
                "points", len(points), used, allowed, allowed - used, used > allowed
            )
            if feedback.over:
                errors["points"] = lazy_gettext(
                    "You have used %(used)s points; you have %(allowed)s to share out.",
                    used=used,
                    allowed=allowed,
                )
        else:
            used = sum(v * v for v in points.values())
            allowed = int(params["credits"])
            feedback = Feedback(
                "credits", len(points), used, allowed, allowed - used, used > allowed
            )
            if feedback.over:
                errors["points"] = lazy_gettext(
                    "Your votes cost %(used)s credits; you have %(allowed)s.",
                    used=used,
                    allowed=allowed,
                )
        return ParsedBallot({"points": points}, feedback, errors)
    ranks: dict[str, int] = {}
    for key in keys:
        raw = form.get(f"rank_{key}")
        if not raw:
            continue
        try:
            value = int(raw)
        except ValueError:
            errors[f"rank_{key}"] = lazy_gettext("Choose a rank.")
            continue
        if not 1 <= value <= len(keys):
            errors[f"rank_{key}"] = lazy_gettext("Choose a rank.")
            continue
        ranks[key] = value
    seen: dict[int, str] = {}
    for key, value in sorted(ranks.items(), key=lambda kv: (kv[1], keys.index(kv[0]))):
        if value in seen:
            errors[f"rank_{key}"] = lazy_gettext(
                "Two options have rank %(rank)s: give each option a different rank.", rank=value
            )
        seen[value] = key
    ranking = [k for k, _ in sorted(ranks.items(), key=lambda kv: (kv[1], keys.index(kv[0])))]
    limit = params.get("max_rank")
    feedback = Feedback("ranking", chosen=len(ranking), allowed=limit)
    if limit and len(ranking) > limit:
        feedback.over = True
        errors["ranking"] = lazy_gettext("Rank at most %(count)s options.", count=limit)
    order = ranking + [k for k in keys if k not in ranks]
    return ParsedBallot({"ranking": ranking}, feedback, errors, order)


def move_in_ranking(parsed: ParsedBallot, move: str) -> dict[str, str]:
    """Apply an up/down button ("3:up") to a ranking and give back the rank fields, renumbered
    1..n without gaps. Moving an unranked option up ranks it last."""
    key, _sep, direction = move.partition(":")
    ranking = list(parsed.choice.get("ranking", []))
    order = list(parsed.order)
    if key in order:
        if key not in ranking:
            ranking.append(key)
        elif direction == "up":
            i = ranking.index(key)
            if i > 0:
                ranking[i - 1], ranking[i] = ranking[i], ranking[i - 1]
        elif direction == "down":
            i = ranking.index(key)
            if i < len(ranking) - 1:
                ranking[i + 1], ranking[i] = ranking[i], ranking[i + 1]
            else:
                ranking.remove(key)
    return {f"rank_{k}": str(i) for i, k in enumerate(ranking, start=1)}


def choice_fields(choice: dict[str, Any]) -> list[tuple[str, str]]:
    """The form fields that carry a parsed choice (for the review page's hidden inputs)."""
    if "ranking" in choice:
        return [(f"rank_{k}", str(i)) for i, k in enumerate(choice["ranking"], start=1)]
    if "points" in choice:
        return [(f"points_{k}", str(v)) for k, v in choice["points"].items()]
    return [("option", k) for k in choice.get("approvals", [])]


@dataclass
class VotingContext:
    cycle: Cycle
    definition: BallotDefinition
    params: dict[str, Any]
    options: list[BallotOption]
    groups: list[StakeholderGroupDef]
    actors: set[Actor]
    group: VoterGroup | None
    verified_group: str | None
    ballot: CastBallot | None


def _voting_open(cycle: Cycle) -> None:
    stage = cycle.current_stage
    if stage == Stage.VOTING:
        return
    if stage.index > Stage.VOTING.index:
        raise WrongStage(
            lazy_gettext(
                "Voting closed at %(time)s. Ballots sent after the close are not counted.",
                time=format_datetime_local(cycle.stage_changed_at, "medium"),
            )
        )
    raise WrongStage(lazy_gettext("Voting has not opened yet."))


@dataclass
class VoterState:
    """What one query tells about a voter and a cycle (see `_voter_state`)."""

    cycle: Cycle
    definition_key: tuple[Any, ...] | None
    eligibility: str | None
    has_groups: bool
    listed: bool
    listed_group: str | None
    panel_member: bool
    group: VoterGroup | None
    ballot: CastBallot | None
    earlier_seq: int | None
    recent_casts: int
    retry_after: int


# One statement, written out (building it with the expression language cost more CPU than
# running it): the definition's version, the voter's eligibility, group and current ballot, an
# earlier cast with the same receipt, and the casts of the last minute (the rate limit).
VOTER_STATE = text(
    """
    SELECT d.id AS definition_id, d.frozen_at, d.updated_at, d.eligibility,
           EXISTS (SELECT 1 FROM cycle_groups WHERE cycle_id = :cycle_id) AS has_groups,
           listed.present IS NOT NULL AS listed, listed.group_key AS listed_group,
           EXISTS (SELECT 1 FROM volunteers v WHERE v.cycle_id = :cycle_id
                      AND v.user_id = :user_id AND v.status = ANY(:member_statuses)) AS panel,
           g.group_key, g.verified, b.choice, b.submission_token,
           (SELECT seq FROM bulletin_entries
             WHERE cycle_id = :cycle_id AND receipt_hash = :hashed) AS earlier_seq,
           recent.casts, recent.wait
      FROM ballot_definitions d
      LEFT JOIN LATERAL (SELECT 1 AS present, group_key FROM eligible_voters
                          WHERE cycle_id = :cycle_id AND email = :email) AS listed ON true
      LEFT JOIN voter_groups g ON g.cycle_id = :cycle_id AND g.user_id = :user_id
      LEFT JOIN ballots b ON b.cycle_id = :cycle_id AND b.voter_id = :user_id
      CROSS JOIN LATERAL (
            SELECT count(*) AS casts, min(occurred_at) + CAST(:window AS interval) - now() AS wait
              FROM audit_events
             WHERE actor_id = :user_id AND action = 'ballot.cast' AND subject_id = :cycle_text
               AND occurred_at > now() - CAST(:window AS interval)) AS recent
     WHERE d.cycle_id = :cycle_id
    """
)


async def _voter_state(
    db: AsyncSession, viewer: Viewer, cycle_id: uuid.UUID, hashed: str = ""
) -> VoterState:
    """The cycle, its definition's version, and everything about this voter that casting and
    the ballot page need (eligibility, group, current ballot, an earlier cast with the same
    receipt, casts in the last minute): the cycle row and one query."""
    cycle = await db.get(Cycle, cycle_id)
    if cycle is None:
        raise NotFound(lazy_gettext("There is no such cycle."))
    row = (
        await db.execute(
            VOTER_STATE,
            {
                "cycle_id": cycle_id,
                "cycle_text": str(cycle_id),
                "user_id": viewer.id,
                "email": viewer.user.email.lower() if viewer.user else "",
                "member_statuses": list(MEMBER_STATUSES),
                "hashed": hashed,
                "window": ratelimit.BALLOT_WINDOW,
            },
        )
    ).first()
    if row is None:  # no ballot set up
        return VoterState(cycle, None, None, False, False, None, False, None, None, None, 0, 1)
    group = None
    if row.group_key is not None:
        group = VoterGroup(
            cycle_id=cycle_id, user_id=viewer.id, group_key=row.group_key, verified=row.verified
        )
    ballot = None
    if row.submission_token is not None:
        ballot = CastBallot(
            cycle_id=cycle_id,
            voter_id=viewer.id,
            choice=row.choice,
            submission_token=row.submission_token,
        )
    return VoterState(
        cycle=cycle,
        definition_key=(row.definition_id, row.frozen_at, row.updated_at),
        eligibility=row.eligibility,
        has_groups=bool(row.has_groups),
        listed=bool(row.listed),
        listed_group=row.listed_group,
        panel_member=bool(row.panel),
        group=group,
        ballot=ballot,
        earlier_seq=row.earlier_seq,
        recent_casts=int(row.casts or 0),
        retry_after=max(1, int(row.wait.total_seconds()) + 1) if row.wait is not None else 1,
    )


# The frozen definition and options of the cycles being voted on, kept by the process: they
# cannot change while frozen, and a new freeze (or edit) changes the key.
_frozen: dict[tuple[uuid.UUID, tuple[Any, ...]], tuple[BallotDefinition, list[BallotOption]]] = {}


async def _frozen_ballot(
    db: AsyncSession, cycle_id: uuid.UUID, key: tuple[Any, ...]
) -> tuple[BallotDefinition, list[BallotOption]]:
    found = _frozen.get((cycle_id, key))
    if found is not None:
        return found
    definition = await db.scalar(
        select(BallotDefinition).where(BallotDefinition.cycle_id == cycle_id)
    )
    assert definition is not None
    options = await get_options(db, cycle_id)
    for instance in (definition, *options):
        db.expunge(instance)  # detached and fully loaded: safe to share between requests
    if key[1] is not None:  # frozen
        if len(_frozen) > 100:
            _frozen.clear()
        _frozen[(cycle_id, key)] = (definition, options)
    return definition, options


def _state_actors(viewer: Viewer, state: VoterState) -> set[Actor]:
    """The cycle's actors this person is, from the state query (as `cycles.actors_for` would)."""
    cycle = state.cycle
    actors: set[Actor] = {Actor.CITIZEN}
    if cycles.is_commissioner(viewer, cycle):
        actors.add(Actor.COMMISSIONER)
    if cycles.is_facilitator(viewer, cycle):
        actors.add(Actor.FACILITATOR)
    if state.panel_member:
        actors.add(Actor.PANEL)
    eligible = {
        "citizens": True,
        "list": state.listed and bool(viewer.user and viewer.user.email_verified),
        "panel": state.panel_member,
    }.get(state.eligibility or "", False)
    if eligible and cycle.stage == Stage.VOTING.value and state.definition_key is not None:
        actors.add(Actor.VOTER)
    return actors


async def voting_context(
    db: AsyncSession,
    viewer: Viewer,
    cycle_id: uuid.UUID,
    *,
    lock: bool = False,
    state: VoterState | None = None,
) -> VotingContext:
    """Everything the ballot page and the cast need, with the permission and stage checked: the
    voter's state in one query, the frozen definition and options from the process's cache."""
    if not viewer.is_authenticated:
        cycle = await cycles.get_cycle_row(db, cycle_id, viewer)
        _voting_open(cycle)
        raise SignInRequired()
    if lock:
        await cycles.lock_cycle(db, cycle_id)
    state = state or await _voter_state(db, viewer, cycle_id)
    cycle = state.cycle
    if not cycles.can_see(viewer, cycle):
        raise NotFound(lazy_gettext("There is no such cycle."))
    _voting_open(cycle)
    actors = _state_actors(viewer, state)
    if Actor.VOTER not in actors:
        raise NotAllowed(
            lazy_gettext("You are not on the list of people who can vote in this cycle.")
        )
    assert state.definition_key is not None
    definition, options = await _frozen_ballot(db, cycle.id, state.definition_key)
    return VotingContext(
        cycle=cycle,
        definition=definition,
        params=effective_params(definition, cycle.budget),
        options=options,
        groups=await cycle_groups(db, cycle.id) if state.has_groups else [],
        actors=actors,
        group=state.group,
        verified_group=state.listed_group if state.has_groups else None,
        ballot=state.ballot,
    )


@dataclass
class CastOutcome:
    receipt: str
    seq: int
    replaced: bool
    replay: bool


async def cast(
    db: AsyncSession, viewer: Viewer, cycle_id: uuid.UUID, form: FormInput, *, secret: str
) -> CastOutcome:
    """Cast (or replace) the viewer's ballot and append its receipt's hash to the bulletin.

    One query reads everything about the voter (`_voter_state`); the ballot is checked; one
    statement upserts it and writes the audit event. Only then is the cycle row locked (FOR NO
    KEY UPDATE, held until the request commits) and the stage checked again, so a cast racing
    the close is judged by the stage at commit: the close waits for the casts already holding
    the lock, and casts queued behind the close wait for it and are refused. (A share lock would
    let a steady stream of casts starve the close.) The part under the lock is two statements
    (the lock with the stage check, and the bulletin append), followed at once by the commit;
    it also orders the bulletin. One ballot per voter (the unique constraint, and INSERT .. ON
    CONFLICT). The same submission token again (a double click, a retry) gives back the same
    receipt and changes nothing. More than `ratelimit.BALLOT_LIMIT` new submissions a minute
    are refused (429), counted from the audit log so every process sees them."""
    if not viewer.is_authenticated:
        raise SignInRequired()
    token = form.get("submission_token")
    if not token or len(token) > 64 or not token.replace("-", "").replace("_", "").isalnum():
        raise Invalid({"submission_token": lazy_gettext("Please review your ballot again.")})
    receipt = chain.make_receipt(secret, str(cycle_id), str(viewer.id), token)
    hashed = chain.receipt_hash(receipt)
    state = await _voter_state(db, viewer, cycle_id, hashed)
    ctx = await voting_context(db, viewer, cycle_id, state=state)
    replay = ctx.ballot is not None and ctx.ballot.submission_token == token
    parsed = parse_choice(ctx.definition.method, ctx.params, ctx.options, form)
    if parsed.errors and not replay:
        raise Invalid(parsed.errors)
    problems = validate_ballot(
        ctx.definition.method,
        exports.ballot_from_choice("voter", parsed.choice),
        {**_engine_rules(ctx), "options": [o.key for o in ctx.options]},
    )
    if problems and not replay:
        log.warning("ballot_rules_refused", cycle_id=str(cycle_id), problems=len(problems))
        raise Invalid({"ballot": lazy_gettext("This ballot breaks the voting rules.")})
    # A token seen before: the ballot it carried is (or was) recorded; give its receipt back.
    if state.earlier_seq:
        return CastOutcome(receipt, state.earlier_seq, False, True)
    if state.recent_casts >= ratelimit.BALLOT_LIMIT:
        raise ratelimit.ballots_refused(state.retry_after)
    await _ensure_group(db, viewer, ctx)
    changes = await _store_ballot(db, viewer, cycle_id, parsed.choice, hashed, token)
    if changes is None:  # the same token, recorded meanwhile: nothing to add
        return CastOutcome(receipt, await _seq_of(db, cycle_id, hashed), False, True)
    # Only now take the cycle's lock: everything before ran beside other voters' casts, and the
    # part that must go one at a time (stage check and bulletin append) is two statements long,
    # followed at once by the commit. If the vote has closed, raising rolls the ballot back.
    await _lock_for_cast(db, cycle_id)
    seq = await append_to_bulletin(db, cycle_id, hashed, serialised=True)
    return CastOutcome(receipt, seq, changes > 0, False)


async def _ensure_group(db: AsyncSession, viewer: Viewer, ctx: VotingContext) -> str | None:
    """The voter's group from the server's record: the imported list when it says, else their
    declaration. Raises when the cycle has groups and the voter has not said which is theirs."""
    if not ctx.groups:
        return None
    verified = ctx.verified_group
    if verified:
        if ctx.group is None or ctx.group.group_key != verified or not ctx.group.verified:
            await db.execute(
                insert(VoterGroup)
                .values(cycle_id=ctx.cycle.id, user_id=viewer.id, group_key=verified, verified=True)
                .on_conflict_do_update(
                    index_elements=["cycle_id", "user_id"],
                    set_={"group_key": verified, "verified": True},
                )
            )
        return verified
    if ctx.group is None:
        raise Invalid({"group": lazy_gettext("Say which group you belong to before voting.")})
    return ctx.group.group_key


# The ballot upserted and its audit event written in one statement (the choice is never
# audited). The same token again changes nothing and returns no row.
STORE_BALLOT = text(
    """
    WITH ballot AS (
        INSERT INTO ballots (id, cycle_id, voter_id, choice, receipt_hash, submission_token)
        VALUES (:id, :cycle_id, :voter_id, CAST(:choice AS jsonb), :receipt_hash, :token)
        ON CONFLICT ON CONSTRAINT uq_ballots_cycle_id_voter_id DO UPDATE
           SET choice = excluded.choice, receipt_hash = excluded.receipt_hash,
               submission_token = excluded.submission_token, changes = ballots.changes + 1,
               updated_at = now()
         WHERE ballots.submission_token <> excluded.submission_token
        RETURNING changes
    ), event AS (
        INSERT INTO audit_events (actor_id, action, subject_type, subject_id, details, request_id)
        SELECT :voter_id, 'ballot.cast', 'cycles', :cycle_text,
               jsonb_build_object('replaced', changes > 0), :request_id
          FROM ballot
    )
    SELECT changes FROM ballot
    """
)


async def _store_ballot(
    db: AsyncSession,
    viewer: Viewer,
    cycle_id: uuid.UUID,
    choice: dict[str, Any],
    hashed: str,
    token: str,
) -> int | None:
    return (
        await db.execute(
            STORE_BALLOT,
            {
                "id": uuid.uuid4(),
                "cycle_id": cycle_id,
                "voter_id": viewer.id,
                "choice": json.dumps(choice),
                "receipt_hash": hashed,
                "token": token,
                "cycle_text": str(cycle_id),
                "request_id": request_id_var.get(),
            },
        )
    ).scalar_one_or_none()


LOCK_FOR_CAST = text(
    "SELECT stage, stage_changed_at FROM cycles WHERE id = :cycle_id FOR NO KEY UPDATE"
)


async def _lock_for_cast(db: AsyncSession, cycle_id: uuid.UUID) -> None:
    """Lock the cycle row until the commit and check that voting is still open."""
    row = (await db.execute(LOCK_FOR_CAST, {"cycle_id": cycle_id})).first()
    if row is None:
        raise NotFound()
    if row.stage != Stage.VOTING.value:
        closed = Cycle(stage=row.stage, stage_changed_at=row.stage_changed_at)
        _voting_open(closed)


def _engine_rules(ctx: VotingContext) -> dict[str, Any]:
    p = ctx.params
    method = ctx.definition.method
    rules: dict[str, Any] = {}
    if method == "approval":
        rules["max_approvals"] = p.get("max_approvals")
    elif method == "score":
        rules.update(min_score=0, max_score=p["max_score"])
    elif method == "cumulative":
        rules.update(max_total=p["max_total"], max_per_option=p.get("max_per_option"))
    elif method == "quadratic":
        rules.update(credits=p["credits"], allow_negative=False)
    elif method in RANKED_METHODS:
        rules.update(allow_ties=False, max_rank=p.get("max_rank"))
    else:
        rules.update(
            max_approvals=p.get("max_approvals"),
            max_cost=p["budget"],
            costs={o.key: int(o.cost or 0) for o in ctx.options},
        )
    return {k: v for k, v in rules.items() if v is not None}


async def _seq_of(db: AsyncSession, cycle_id: uuid.UUID, hashed: str) -> int:
    return int(
        await db.scalar(
            select(BulletinEntry.seq).where(
                BulletinEntry.cycle_id == cycle_id, BulletinEntry.receipt_hash == hashed
            )
        )
        or 0
    )


async def append_to_bulletin(
    db: AsyncSession, cycle_id: uuid.UUID, hashed: str, *, serialised: bool = False
) -> int:
    """Append one receipt hash, chained to the previous entry, in one statement (the entry hash
    is computed by PostgreSQL exactly as `chain.entry_hash` does). Appends to one cycle's chain go
    one at a time: under the caller's cycle lock (`serialised`), or a per-cycle advisory lock."""
    if not serialised:
        await db.execute(
            text("SELECT pg_advisory_xact_lock(:ns, hashtext(:cycle))"),
            {"ns": BULLETIN_LOCK, "cycle": str(cycle_id)},
        )
    seq = (
        await db.execute(
            text(
                "WITH last AS (SELECT seq, entry_hash FROM bulletin_entries "
                "WHERE cycle_id = CAST(:c AS uuid) ORDER BY seq DESC LIMIT 1), "
                "next AS (SELECT coalesce((SELECT seq FROM last), 0) + 1 AS seq, "
                "coalesce((SELECT entry_hash FROM last), CAST(:genesis AS text)) AS prev) "
                "INSERT INTO bulletin_entries (cycle_id, seq, receipt_hash, prev_hash, entry_hash) "
                "SELECT CAST(:c AS uuid), seq, CAST(:r AS text), prev, "
                "encode(sha256(convert_to(CAST(:prefix AS text) || '|' || CAST(:cs AS text) "
                "|| '|' || seq || '|' || CAST(:r AS text) || '|' || prev, 'UTF8')), 'hex') "
                "FROM next RETURNING seq"
            ),
            {
                "c": cycle_id,
                "cs": str(cycle_id),
                "r": hashed,
                "genesis": chain.GENESIS,
                "prefix": chain.PREFIX,
            },
        )
    ).scalar_one()
    return int(seq)


async def receipt_for(
    db: AsyncSession, viewer: Viewer, cycle_id: uuid.UUID, token: str, *, secret: str
) -> tuple[str, BulletinEntry] | None:
    """The receipt of one of the viewer's own submissions (for the confirmation page), if its
    hash is on the bulletin."""
    if not viewer.is_authenticated or not token:
        return None
    receipt = chain.make_receipt(secret, str(cycle_id), str(viewer.id), token)
    entry = await find_receipt(db, cycle_id, receipt)
    return (receipt, entry) if entry else None


async def find_receipt(db: AsyncSession, cycle_id: uuid.UUID, code: str) -> BulletinEntry | None:
    if not code.strip():
        return None
    return await db.scalar(
        select(BulletinEntry).where(
            BulletinEntry.cycle_id == cycle_id,
            BulletinEntry.receipt_hash == chain.receipt_hash(code),
        )
    )


async def is_current_receipt(db: AsyncSession, cycle_id: uuid.UUID, hashed: str) -> bool:
    found = await db.scalar(
        select(CastBallot.id).where(
            CastBallot.cycle_id == cycle_id, CastBallot.receipt_hash == hashed
        )
    )
    return found is not None


async def bulletin_document(db: AsyncSession, cycle: Cycle) -> dict[str, Any]:
    """The whole chain as JSON. After the close, entries whose ballot was later replaced by the
    same voter are marked superseded (only the latest ballot counts)."""
    rows = (
        await db.execute(
            select(BulletinEntry)
            .where(BulletinEntry.cycle_id == cycle.id)
            .order_by(BulletinEntry.seq)
        )
    ).scalars()
    closed = cycle.current_stage.index > Stage.VOTING.index
    current: set[str] = set()
    if closed:
        current = set(
            (
                await db.execute(
                    select(CastBallot.receipt_hash).where(CastBallot.cycle_id == cycle.id)
                )
            ).scalars()
        )
    entries = []
    for row in rows:
        entry: dict[str, Any] = {
            "seq": row.seq,
            "receipt_hash": row.receipt_hash,
            "prev_hash": row.prev_hash,
            "entry_hash": row.entry_hash,
            "created_at": row.created_at.isoformat(),
        }
        if closed:
            entry["superseded"] = row.receipt_hash not in current
        entries.append(entry)
    return {
        "cycle_id": str(cycle.id),
        "title": cycle.title_en,
        "format": "deliberate-bulletin-v1",
        "entry_hash": (
            "sha256 of 'deliberate-bulletin-v1|{cycle_id}|{seq}|{receipt_hash}|{prev_hash}'"
        ),
        "receipt_hash": "sha256 of the receipt code in capitals without dashes",
        "genesis_prev_hash": chain.GENESIS,
        "closed": closed,
        "entries": entries,
    }


# --- the tally ---------------------------------------------------------------------------------


async def build_export(db: AsyncSession, cycle: Cycle) -> dict[str, Any]:
    """The anonymised ballots with their weights from the server's record, shuffled and given
    new ids, ready for the count and the open-data files."""
    definition, groups, export = await _export_header(db, cycle)
    ballots = shuffled(await ballot_rows(db, cycle.id))
    weights = compute_weights(definition, groups, Counter(group for _choice, group in ballots))
    _add_ballots(export, ballots, weights)
    return export


def _add_ballots(
    export: dict[str, Any], ballots: list[list[Any]], weights: dict[str | None, Fraction | int]
) -> None:
    """The shuffled [choice, group] rows into the export, with new ids and their group's weight
    (every weight is its voter's group's: written as exact text once per group)."""
    weight_texts = {group: str(weight) for group, weight in weights.items()}
    export["ballots"] = [
        [f"v{i}", group, weight_texts[group], choice]
        for i, (choice, group) in enumerate(ballots, start=1)
    ]


async def _export_header(
    db: AsyncSession, cycle: Cycle
) -> tuple[BallotDefinition, list[StakeholderGroupDef], dict[str, Any]]:
    """The cycle's ballot definition, its groups, and the export without its ballots."""
    definition = await get_definition(db, cycle.id)
    if definition is None:
        raise WrongStage(lazy_gettext("This cycle has no ballot."))
    options = await get_options(db, cycle.id)
    groups = await cycle_groups(db, cycle.id)
    organisation = await db.get(Organisation, cycle.organisation_id)
    params = effective_params(definition, cycle.budget)
    return (
        definition,
        groups,
        {
            "cycle_id": str(cycle.id),
            "title": cycle.title_en,
            "organisation": organisation.name_en if organisation else "",
            "method": definition.method,
            "budget": params.get("budget"),
            "weighting": definition.weighting,
            "options": [
                {"id": o.key, "title": o.title, "cost": o.cost, "proposal_id": str(o.proposal_id)}
                for o in options
            ],
            "ballots": [],
        },
    )


def shuffled(items: list[Any]) -> list[Any]:
    """A uniformly random order from the operating system's randomness (64 random bits per
    item, drawn at once), so the export's order says nothing of the order of casting."""
    keys = os.urandom(8 * len(items))
    order = sorted(range(len(items)), key=lambda i: keys[8 * i : 8 * i + 8])
    return [items[i] for i in order]


# The ballots and each one's group, as one JSON document built by PostgreSQL: one row to
# decode instead of 100,000 (a city's vote reads in a tenth of the time). An unlinked ballot
# (its voter's account erased) keeps the group copied onto it.
BALLOT_ROWS = text(
    """
    SELECT coalesce(json_agg(json_build_array(b.choice, coalesce(g.group_key, b.group_key))),
                    '[]')::text
      FROM ballots b
      LEFT JOIN voter_groups g ON g.cycle_id = b.cycle_id AND g.user_id = b.voter_id
     WHERE b.cycle_id = :cycle_id
    """
)


async def ballot_rows(db: AsyncSession, cycle_id: uuid.UUID) -> list[list[Any]]:
    """Every ballot of the cycle as [choice, group or None], in no particular order."""
    return json.loads(await db.scalar(BALLOT_ROWS, {"cycle_id": cycle_id}))


# The distinct ballots of each group with how many cast each, for a method that counts ballot
# by ballot: a ballot of weight 2 counts exactly like two identical ballots, so the count reads
# and builds each distinct ballot once, and no method depends on the ballots' order. Grouped
# by the ballot's text, byte by byte (comparing jsonb, or text by a language's collation, took
# twice as long for a city's vote); each group's ballots come as one JSON document of two
# columns, the ballots' own text included as it is: the group is not written on each row, and
# Python reads each column as a list. (The two aggregates read the rows together, so in the
# same order.)
BALLOT_PROFILE = text(
    """
    SELECT p.grp, concat('{"choices":[', string_agg(p.choice, ','),
                         '],"numbers":[', string_agg(p.n::text, ','), ']}')
      FROM (SELECT b.choice::text COLLATE "C" AS choice,
                   coalesce(g.group_key, b.group_key) AS grp, count(*) AS n
              FROM ballots b
              LEFT JOIN voter_groups g ON g.cycle_id = b.cycle_id AND g.user_id = b.voter_id
             WHERE b.cycle_id = :cycle_id
             GROUP BY 1, 2) p
     GROUP BY p.grp
    """
)


async def ballot_profile(db: AsyncSession, cycle_id: uuid.UUID) -> exports.BallotProfile:
    """The cycle's distinct ballots per group, with how many cast each."""
    profile = exports.BallotProfile()
    for group, document in await db.execute(BALLOT_PROFILE, {"cycle_id": cycle_id}):
        profile.add(group, **json.loads(document))
    return profile


# What each method adds up, when it adds up (counting.GroupSums): PostgreSQL sums a city's
# ballots per stakeholder group, and the engine multiplies each sum by its group's weight.
SUM_KINDS = {
    "approval": "approvals",
    "greedy": "approvals",
    "score": "points",
    "cumulative": "points",
    "quadratic": "points",
    "borda": "borda",
}
# Each ballot's group: its voter's declared group, or the one copied on it when the voter's
# account was erased. (Written out in full in each query: SQL is never assembled from parts.)
_SUMS = {
    "approvals": text(
        """
        SELECT coalesce(g.group_key, b.group_key), a.option, count(*)
          FROM ballots b
          LEFT JOIN voter_groups g ON g.cycle_id = b.cycle_id AND g.user_id = b.voter_id
         CROSS JOIN LATERAL jsonb_array_elements_text(b.choice -> 'approvals') AS a(option)
         WHERE b.cycle_id = :cycle_id
         GROUP BY 1, 2
        """
    ),
    "points": text(
        """
        SELECT coalesce(g.group_key, b.group_key), p.option, sum(p.amount::numeric)
          FROM ballots b
          LEFT JOIN voter_groups g ON g.cycle_id = b.cycle_id AND g.user_id = b.voter_id
         CROSS JOIN LATERAL jsonb_each_text(b.choice -> 'points') AS p(option, amount)
         WHERE b.cycle_id = :cycle_id
         GROUP BY 1, 2
        """
    ),
    # Standard Borda of a strict ranking (the app's ballots rank each option once, no ties):
    # the option in position k of m options earns m - k, one point per option below it.
    "borda": text(
        """
        SELECT coalesce(g.group_key, b.group_key), r.option, sum(:options - r.position)
          FROM ballots b
          LEFT JOIN voter_groups g ON g.cycle_id = b.cycle_id AND g.user_id = b.voter_id
         CROSS JOIN LATERAL jsonb_array_elements_text(b.choice -> 'ranking')
               WITH ORDINALITY AS r(option, position)
         WHERE b.cycle_id = :cycle_id
         GROUP BY 1, 2
        """
    ),
}
GROUP_COUNTS = text(
    """
    SELECT coalesce(g.group_key, b.group_key), count(*)
      FROM ballots b
      LEFT JOIN voter_groups g ON g.cycle_id = b.cycle_id AND g.user_id = b.voter_id
     WHERE b.cycle_id = :cycle_id
     GROUP BY 1
    """
)


async def ballot_group_counts(db: AsyncSession, cycle_id: uuid.UUID) -> Counter[str | None]:
    """How many ballots each group (None: no group) cast."""
    rows = await db.execute(GROUP_COUNTS, {"cycle_id": cycle_id})
    return Counter({group: count for group, count in rows})


async def ballot_sums(
    db: AsyncSession, cycle_id: uuid.UUID, kind: str, options: int
) -> dict[str | None, dict[str, int]]:
    """Per group, the unweighted sum of each option's contributions (see SUM_KINDS)."""
    rows = await db.execute(_SUMS[kind], {"cycle_id": cycle_id, "options": options})
    sums: dict[str | None, dict[str, int]] = {}
    for group, option, amount in rows:
        sums.setdefault(group, {})[option] = int(amount)
    return sums


def compute_weights(
    definition: BallotDefinition,
    groups: list[StakeholderGroupDef],
    counts: Counter[str | None],
) -> dict[str | None, Fraction | int]:
    """The weight of each voter of a group (None: no group), from the number of ballots per
    group; every voter of a group weighs the same."""
    if definition.weighting == "multiplier":
        return {g: Fraction(definition.multipliers.get(g or "", "1")) for g in counts}
    weights: dict[str | None, Fraction | int] = dict.fromkeys(counts, 1)
    if definition.weighting == "equal_voice" and groups and counts:
        shares = {g.key: g.target_share for g in groups}
        grouped = {g: c for g, c in counts.items() if g in shares}
        if grouped:
            weights.update(group_weights(grouped, shares))
    return weights


def summarise(
    counts: Counter[str | None],
    weights: dict[str | None, Fraction | int],
    result: Any,
    groups: list[StakeholderGroupDef],
) -> dict:
    """Ballots, share of ballots and share of voice per group, from each group's number of
    ballots and its voters' weight; MES adds what each group paid."""
    per_group = {
        group or "": {"ballots": count, "voice": Fraction(weights[group]) * count}
        for group, count in counts.items()
    }
    total = sum((r["ballots"] for r in per_group.values()), 0)
    total_voice = sum((r["voice"] for r in per_group.values()), Fraction(0))
    targets = {g.key: float(g.target_share) for g in groups}
    summary: dict[str, Any] = {
        "ballots": total,
        "groups": {
            key: {
                "ballots": row["ballots"],
                "share_of_ballots": row["ballots"] / total if total else 0,
                "share_of_voice": float(row["voice"] / total_voice) if total_voice else 0,
                "weight_each": float(row["voice"] / row["ballots"]) if row["ballots"] else 0,
                "target_share": targets.get(key),
            }
            for key, row in per_group.items()
        },
    }
    # Exact, so the open-data files can say whether every weight is whole (PrefLib's counts).
    summary["weights"] = {group or "": str(weight) for group, weight in weights.items()}
    if result.group_payments:
        summary["payments_by_group"] = exports.payments_by_group(result)
    return summary


@contextmanager
def no_cyclic_gc() -> Iterator[None]:
    """Pause Python's cyclic garbage collector: building a city's export and ballots allocates
    millions of objects, and the collector, triggered every few hundred allocations, scanned
    them again and again (about 40% of the tally's time). Reference counting still frees
    everything; the collector runs again, as before, as soon as the block ends."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


async def store_tally(db: AsyncSession, cycle: Cycle) -> Tally:
    with no_cyclic_gc():
        return await _store_tally(db, cycle)


@dataclass
class CycleCount:
    """A cycle's ballots counted: the export's header (without its ballots), the ballots and
    weight per group, and the result."""

    definition: BallotDefinition
    groups: list[StakeholderGroupDef]
    export: dict[str, Any]
    counts: Counter[str | None]
    weights: dict[str | None, Fraction | int]
    result: Any

    def tally_values(self) -> dict[str, Any]:
        """The tally's columns but its export (stored or not by the caller)."""
        budget = self.export["budget"]
        return {
            "method": self.export["method"],
            "params": {"budget": budget} if budget is not None else {},
            "result": exports.result_json(self.result),
            "summary": summarise(self.counts, self.weights, self.result, self.groups),
            "ballots_counted": sum(self.counts.values()),
            "computed_at": utcnow(),
        }


async def count_cycle(db: AsyncSession, cycle: Cycle) -> CycleCount:
    """Count the cycle's ballots as they stand: an additive method from the per-group sums
    PostgreSQL adds up, any other from each group's distinct ballots with their numbers."""
    definition, groups, export = await _export_header(db, cycle)
    kind = SUM_KINDS.get(definition.method)
    if kind is not None:
        counts = await ballot_group_counts(db, cycle.id)
        weights = compute_weights(definition, groups, counts)
        added = await ballot_sums(db, cycle.id, kind, len(export["options"]))
        sums = GroupSums(kind, [(weights[g], g, added.get(g, {})) for g in counts])
        election = exports.election_from_export(export, sums)
    else:
        # Room to group a city's ballots in memory (the default spills to disk): this
        # transaction only.
        await db.execute(text("SET LOCAL work_mem = '64MB'"))
        profile = await ballot_profile(db, cycle.id)
        counts = profile.per_group
        weights = compute_weights(definition, groups, counts)
        election = exports.election_from_profile(export, profile, weights)
    try:
        result = tally(definition.method, election)
    except CountingError:
        log.exception("tally_failed", cycle_id=str(cycle.id))
        raise
    return CycleCount(definition, groups, export, counts, weights, result)


async def _store_tally(db: AsyncSession, cycle: Cycle) -> Tally:
    # The count runs between two statements of the closing transaction: a city's vote counted
    # by an iterative method (MES, IRV) on a busy machine can pass the connection's 60 s idle
    # limit (deliberate/db.py), which would end the transaction and fail the close.
    await db.execute(text("SET LOCAL idle_in_transaction_session_timeout = '10min'"))
    counted = await count_cycle(db, cycle)
    # The open-data export (megabytes for a city) is written after the close, by the export
    # writer in the background or by its first reader (tally_export): the closed ballots
    # cannot change, and no count depends on the ballots' order (MES, whose figures are
    # floats, orders its voter types itself), so any shuffle of them recounts to this result.
    values = counted.tally_values()
    values["export"] = {}
    values["export_written_at"] = None
    # The new values are bound once (`excluded`): an export is megabytes to encode and parse.
    statement = insert(Tally).values(cycle_id=cycle.id, **values)
    await db.execute(
        statement.on_conflict_do_update(
            index_elements=["cycle_id"],
            set_={key: statement.excluded[key] for key in values},
        )
    )
    tally_row = await db.get(Tally, cycle.id, populate_existing=True)
    assert tally_row is not None
    # Every process's export writer wakes when this commits (deliberate/voting/background.py).
    await db.execute(select(func.pg_notify(EXPORTS_CHANNEL, str(cycle.id))))
    log.info("tallied", cycle_id=str(cycle.id), ballots=values["ballots_counted"])
    return tally_row


async def tally_export(db: AsyncSession, cycle: Cycle) -> dict[str, Any]:
    """The stored tally's open-data export, written now if the export writer has not yet.

    A count is stored without it (store_tally). The row is locked while the export
    is built, so two first readers get one shuffle, and it is kept from then on; readers of a
    written export take no lock."""
    query = select(Tally.export).where(Tally.cycle_id == cycle.id)
    stored = await db.scalar(query)
    if stored is None:
        raise NotFound(lazy_gettext("The ballots are published when voting closes."))
    if stored:
        return stored
    stored = await db.scalar(query.with_for_update())
    if stored:
        return stored  # another reader wrote it while this one waited for the lock
    return await _write_export(db, cycle)


async def _write_export(db: AsyncSession, cycle: Cycle) -> dict[str, Any]:
    """Build and store the export; the caller holds the tally row's lock."""
    with no_cyclic_gc():
        export = await build_export(db, cycle)
    await db.execute(
        update(Tally)
        .where(Tally.cycle_id == cycle.id)
        .values(export=export, export_written_at=utcnow())
    )
    log.info("tally_export_written", cycle_id=str(cycle.id), ballots=len(export["ballots"]))
    return export


async def write_pending_exports(sessionmaker: async_sessionmaker[AsyncSession]) -> int:
    """Write the export of every stored tally still without one, each in its own transaction,
    and say how many were written. Safe in every app process at once: a tally being written
    elsewhere (by a reader's first download or another process) is skipped, not waited for.
    One that fails is logged and left for its first reader, and the others still get theirs."""
    written = 0
    tried: set[uuid.UUID] = set()
    while True:
        async with sessionmaker() as db, db.begin():
            query = (
                select(Tally.cycle_id)
                .where(Tally.export_written_at.is_(None))
                .order_by(Tally.computed_at)
                .limit(1)
                .with_for_update(skip_locked=True)
            )
            if tried:
                query = query.where(Tally.cycle_id.not_in(tried))
            cycle_id = await db.scalar(query)
            if cycle_id is None:
                return written
            tried.add(cycle_id)
            try:
                async with db.begin_nested():
                    cycle = await db.get_one(Cycle, cycle_id)
                    await _write_export(db, cycle)
            except Exception:
                log.exception("tally_export_failed", cycle_id=str(cycle_id))
                continue
        written += 1


# --- results -----------------------------------------------------------------------------------


@dataclass
class ResultsPage:
    cycle: Cycle
    definition: BallotDefinition | None
    tally: Tally | None
    live: bool
    options: list[BallotOption]
    groups: list[StakeholderGroupDef]
    bulletin_size: int


async def results_page(db: AsyncSession, viewer: Viewer, cycle_id: uuid.UUID) -> ResultsPage:
    cycle = await cycles.get_cycle_row(db, cycle_id, viewer)
    definition = await get_definition(db, cycle.id)
    tally = await db.get(Tally, cycle.id)
    live = False
    if (
        tally is None
        and definition is not None
        and definition.results_visibility == "live"
        and cycle.current_stage == Stage.VOTING
    ):
        counted = await count_cycle(db, cycle)
        tally = Tally(cycle_id=cycle.id, export={}, **counted.tally_values())
        live = True
    size = int(
        await db.scalar(
            select(func.count())
            .select_from(BulletinEntry)
            .where(BulletinEntry.cycle_id == cycle.id)
        )
        or 0
    )
    return ResultsPage(
        cycle=cycle,
        definition=definition,
        tally=tally,
        live=live,
        options=await get_options(db, cycle.id),
        groups=await cycle_groups(db, cycle.id),
        bulletin_size=size,
    )


async def published_export(db: AsyncSession, viewer: Viewer, cycle_id: uuid.UUID) -> dict:
    cycle = await cycles.get_cycle_row(db, cycle_id, viewer)
    return await tally_export(db, cycle)


async def ballot_count(db: AsyncSession, cycle_id: uuid.UUID) -> int:
    return int(
        await db.scalar(
            select(func.count()).select_from(CastBallot).where(CastBallot.cycle_id == cycle_id)
        )
        or 0
    )


@cycles.register_page_context
async def cycle_page_context(
    db: AsyncSession, viewer: Viewer, cycle: Cycle, actors: set[Actor]
) -> dict[str, Any]:
    stage = cycle.current_stage
    context: dict[str, Any] = {"voting": None}
    if stage.index < Stage.VOTING.index and Actor.COMMISSIONER not in actors:
        return context
    definition = await get_definition(db, cycle.id)
    has_ballot = False
    if stage == Stage.VOTING and viewer.is_authenticated:
        has_ballot = (
            await db.scalar(
                select(CastBallot.id).where(
                    CastBallot.cycle_id == cycle.id, CastBallot.voter_id == viewer.id
                )
            )
        ) is not None
    context["voting"] = {
        "definition": definition,
        "method_label": METHOD_LABELS.get(definition.method) if definition else None,
        "may_vote": Actor.VOTER in actors,
        "has_ballot": has_ballot,
        "open": stage == Stage.VOTING,
        "closed": stage.index > Stage.VOTING.index,
        "ends_at": next((e.ends_at for e in cycle.schedule if e.stage == "voting"), None)
        if stage == Stage.VOTING
        else None,
    }
    return context


def closed_at(cycle: Cycle) -> dt.datetime | None:
    return cycle.stage_changed_at if cycle.current_stage.index > Stage.VOTING.index else None
