"""The commissioning cycle's stage machine: one table of transitions, one table of what each stage
permits to each role, and the registry through which later parts add their conditions for leaving
a stage and their effects on entering one. Nothing else decides what a stage allows.

`cycles/` imports none of the later parts: they register here.
"""

from __future__ import annotations

import enum
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from deliberate.i18n import LazyString, lazy_gettext

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from deliberate.cycles.models import Cycle


class Stage(enum.StrEnum):
    DRAFT = "draft"
    PROPOSALS = "proposals"
    DELIBERATION = "deliberation"
    VOTING = "voting"
    SPECIFICATION = "specification"
    PUBLISHED = "published"
    CLOSED = "closed"

    @property
    def label(self) -> LazyString:
        return STAGE_LABELS[self]

    @property
    def index(self) -> int:
        return ORDER.index(self)


ORDER: tuple[Stage, ...] = tuple(Stage)

STAGE_LABELS = {
    Stage.DRAFT: lazy_gettext("Draft"),
    Stage.PROPOSALS: lazy_gettext("Proposals"),
    Stage.DELIBERATION: lazy_gettext("Deliberation"),
    Stage.VOTING: lazy_gettext("Voting"),
    Stage.SPECIFICATION: lazy_gettext("Specification"),
    Stage.PUBLISHED: lazy_gettext("Published"),
    Stage.CLOSED: lazy_gettext("Closed"),
}

STAGE_DESCRIPTIONS = {
    Stage.DRAFT: lazy_gettext("The commissioner is preparing the cycle."),
    Stage.PROPOSALS: lazy_gettext(
        "Anyone can propose priorities for the service and support other people's proposals."
    ),
    Stage.DELIBERATION: lazy_gettext(
        "A citizens' panel, chosen by lot, talks the shortlisted proposals through."
    ),
    Stage.VOTING: lazy_gettext("Everyone eligible votes on the shortlisted proposals."),
    Stage.SPECIFICATION: lazy_gettext(
        "The commissioner and the panel write the service specification together."
    ),
    Stage.PUBLISHED: lazy_gettext(
        "The specification is published and delivery is reported against it."
    ),
    Stage.CLOSED: lazy_gettext("The cycle is finished and kept as a record."),
}


@dataclass(frozen=True)
class Transition:
    source: Stage
    target: Stage
    backwards: bool = False
    # Scheduled transitions happen when the source stage's end date passes.
    scheduled: bool = False


# Every allowed move. Forward moves follow the cycle; backward moves (with a reason) let a
# commissioner reopen the previous stage, e.g. to extend voting.
TRANSITIONS: tuple[Transition, ...] = (
    Transition(Stage.DRAFT, Stage.PROPOSALS),
    Transition(Stage.PROPOSALS, Stage.DELIBERATION, scheduled=True),
    Transition(Stage.DELIBERATION, Stage.VOTING, scheduled=True),
    Transition(Stage.VOTING, Stage.SPECIFICATION, scheduled=True),
    Transition(Stage.SPECIFICATION, Stage.PUBLISHED),
    Transition(Stage.PUBLISHED, Stage.CLOSED),
    Transition(Stage.PROPOSALS, Stage.DRAFT, backwards=True),
    Transition(Stage.DELIBERATION, Stage.PROPOSALS, backwards=True),
    Transition(Stage.VOTING, Stage.DELIBERATION, backwards=True),
)


def find_transition(source: Stage, target: Stage) -> Transition | None:
    for transition in TRANSITIONS:
        if transition.source == source and transition.target == target:
            return transition
    return None


def transitions_from(source: Stage) -> list[Transition]:
    return [t for t in TRANSITIONS if t.source == source]


class Action(enum.StrEnum):
    """Things people do that depend on the stage."""

    EDIT_CYCLE = "edit_cycle"
    MOVE_CYCLE = "move_cycle"
    PROPOSE = "propose"
    EDIT_PROPOSAL = "edit_proposal"
    SUPPORT = "support"
    ANSWER = "answer"
    MERGE = "merge"
    SHORTLIST = "shortlist"
    FOLLOW = "follow"
    VOLUNTEER = "volunteer"
    CONFIGURE_PANEL = "configure_panel"
    DRAW_PANEL = "draw_panel"
    LEAVE_PANEL = "leave_panel"
    POST = "post"
    MODERATE = "moderate"
    VOTE = "vote"
    AMEND = "amend"
    ENDORSE = "endorse"
    EDIT_SPECIFICATION = "edit_specification"
    REPORT_DELIVERY = "report_delivery"
    RATE_DELIVERY = "rate_delivery"


class Actor(enum.StrEnum):
    """Who may act, as far as the stage table is concerned. `author` is the proposal's author;
    `panel` a member of this cycle's panel; `voter` someone eligible to vote in this cycle."""

    CITIZEN = "citizen"
    AUTHOR = "author"
    PANEL = "panel"
    VOTER = "voter"
    FACILITATOR = "facilitator"
    COMMISSIONER = "commissioner"


_S = Stage
_A = Action
_R = Actor

# What each stage permits, and to whom. A missing entry means nobody.
PERMITS: dict[Stage, dict[Action, frozenset[Actor]]] = {
    _S.DRAFT: {
        _A.EDIT_CYCLE: frozenset({_R.COMMISSIONER}),
        _A.MOVE_CYCLE: frozenset({_R.COMMISSIONER}),
        _A.CONFIGURE_PANEL: frozenset({_R.COMMISSIONER}),
    },
    _S.PROPOSALS: {
        _A.MOVE_CYCLE: frozenset({_R.COMMISSIONER}),
        _A.PROPOSE: frozenset({_R.CITIZEN}),
        _A.EDIT_PROPOSAL: frozenset({_R.AUTHOR}),
        _A.SUPPORT: frozenset({_R.CITIZEN}),
        _A.ANSWER: frozenset({_R.COMMISSIONER}),
        _A.MERGE: frozenset({_R.COMMISSIONER}),
        _A.SHORTLIST: frozenset({_R.COMMISSIONER}),
        _A.FOLLOW: frozenset({_R.CITIZEN}),
        _A.VOLUNTEER: frozenset({_R.CITIZEN}),
        _A.CONFIGURE_PANEL: frozenset({_R.COMMISSIONER}),
        _A.DRAW_PANEL: frozenset({_R.COMMISSIONER, _R.FACILITATOR}),
        _A.LEAVE_PANEL: frozenset({_R.PANEL}),
    },
    _S.DELIBERATION: {
        _A.MOVE_CYCLE: frozenset({_R.COMMISSIONER}),
        _A.ANSWER: frozenset({_R.COMMISSIONER}),
        _A.FOLLOW: frozenset({_R.CITIZEN}),
        _A.POST: frozenset({_R.PANEL, _R.FACILITATOR}),
        _A.MODERATE: frozenset({_R.FACILITATOR}),
        # Replacements for members who leave are drawn during deliberation too.
        _A.DRAW_PANEL: frozenset({_R.COMMISSIONER, _R.FACILITATOR}),
        _A.LEAVE_PANEL: frozenset({_R.PANEL}),
    },
    _S.VOTING: {
        _A.MOVE_CYCLE: frozenset({_R.COMMISSIONER}),
        _A.FOLLOW: frozenset({_R.CITIZEN}),
        _A.VOTE: frozenset({_R.VOTER}),
    },
    _S.SPECIFICATION: {
        _A.MOVE_CYCLE: frozenset({_R.COMMISSIONER}),
        _A.FOLLOW: frozenset({_R.CITIZEN}),
        _A.EDIT_SPECIFICATION: frozenset({_R.COMMISSIONER}),
        _A.AMEND: frozenset({_R.PANEL}),
        _A.ENDORSE: frozenset({_R.PANEL}),
        _A.MODERATE: frozenset({_R.FACILITATOR, _R.COMMISSIONER}),
    },
    _S.PUBLISHED: {
        _A.MOVE_CYCLE: frozenset({_R.COMMISSIONER}),
        _A.FOLLOW: frozenset({_R.CITIZEN}),
        _A.REPORT_DELIVERY: frozenset({_R.COMMISSIONER}),
        _A.RATE_DELIVERY: frozenset({_R.PANEL}),
    },
    _S.CLOSED: {},
}

ACTION_LABELS = {
    _A.EDIT_CYCLE: lazy_gettext("Edit the cycle"),
    _A.MOVE_CYCLE: lazy_gettext("Move the cycle to another stage"),
    _A.PROPOSE: lazy_gettext("Propose a priority"),
    _A.EDIT_PROPOSAL: lazy_gettext("Edit or withdraw your proposals"),
    _A.SUPPORT: lazy_gettext("Support proposals"),
    _A.ANSWER: lazy_gettext("Answer proposals"),
    _A.MERGE: lazy_gettext("Merge duplicate proposals"),
    _A.SHORTLIST: lazy_gettext("Build the shortlist"),
    _A.FOLLOW: lazy_gettext("Follow this cycle"),
    _A.VOLUNTEER: lazy_gettext("Volunteer for the citizens' panel"),
    _A.CONFIGURE_PANEL: lazy_gettext("Set up the citizens' panel"),
    _A.DRAW_PANEL: lazy_gettext("Draw the panel by lot"),
    _A.LEAVE_PANEL: lazy_gettext("Leave the panel"),
    _A.POST: lazy_gettext("Take part in the panel's discussions"),
    _A.MODERATE: lazy_gettext("Moderate discussions"),
    _A.VOTE: lazy_gettext("Vote"),
    _A.AMEND: lazy_gettext("Propose amendments to the specification"),
    _A.ENDORSE: lazy_gettext("Endorse or object to the specification"),
    _A.EDIT_SPECIFICATION: lazy_gettext("Edit the specification"),
    _A.REPORT_DELIVERY: lazy_gettext("Report on delivery"),
    _A.RATE_DELIVERY: lazy_gettext("Rate delivery"),
}


def permits(stage: Stage, action: Action, actors: set[Actor] | frozenset[Actor]) -> bool:
    allowed = PERMITS.get(stage, {}).get(action, frozenset())
    return bool(allowed & set(actors))


def permitted_actions(stage: Stage, actors: set[Actor] | frozenset[Actor]) -> list[Action]:
    return [action for action, allowed in PERMITS.get(stage, {}).items() if allowed & set(actors)]


# --- hooks for later parts -------------------------------------------------------------------

# A condition returns None when the cycle may leave the stage, or the reason it may not.
ExitCondition = Callable[["AsyncSession", "Cycle"], Awaitable[str | LazyString | None]]
# An effect runs inside the transition's transaction, after the stage has changed.
EnterEffect = Callable[["AsyncSession", "Cycle", Any], Awaitable[None]]

_exit_conditions: dict[Stage, list[ExitCondition]] = {}
_enter_effects: dict[Stage, list[EnterEffect]] = {}
_any_effects: list[EnterEffect] = []


def on_leaving(stage: Stage) -> Callable[[ExitCondition], ExitCondition]:
    """Register a condition for moving forward out of `stage`."""

    def register(condition: ExitCondition) -> ExitCondition:
        if condition not in _exit_conditions.setdefault(stage, []):
            _exit_conditions[stage].append(condition)
        return condition

    return register


def on_entering(stage: Stage | None) -> Callable[[EnterEffect], EnterEffect]:
    """Register an effect for entering `stage` (None: every transition)."""

    def register(effect: EnterEffect) -> EnterEffect:
        target = _any_effects if stage is None else _enter_effects.setdefault(stage, [])
        if effect not in target:
            target.append(effect)
        return effect

    return register


def exit_conditions(stage: Stage) -> list[ExitCondition]:
    return list(_exit_conditions.get(stage, []))


def enter_effects(stage: Stage) -> list[EnterEffect]:
    return [*_enter_effects.get(stage, []), *_any_effects]
