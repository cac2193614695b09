"""The stage machine: the whole transition table and the whole permission table, the guarded
move with its audit event, exit conditions, the scheduler with several processes, and actions
racing a transition."""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools

import pytest
from factories import make_cycle, make_organisation, make_panel, make_proposal, make_user
from sqlalchemy import select

from deliberate.accounts.models import Role
from deliberate.accounts.viewer import Viewer
from deliberate.audit import AuditEvent
from deliberate.cycles import service
from deliberate.cycles.models import Cycle, StageSchedule
from deliberate.cycles.stages import (
    PERMITS,
    TRANSITIONS,
    Action,
    Actor,
    Stage,
    find_transition,
    permits,
)
from deliberate.errors import Invalid, NotAllowed, SignInRequired, WrongStage
from deliberate.proposals import service as proposals

ALL_PAIRS = [(a, b) for a, b in itertools.product(Stage, Stage) if a != b]


async def stage_of(app, cycle_id) -> str:
    async with app.state.sessionmaker() as session:
        return (await session.get(Cycle, cycle_id)).stage


def _viewer(user, roles=()) -> Viewer:
    return Viewer(user=user, session_token="t", grants=frozenset(roles))


async def _setup(db, stage: Stage):
    organisation = await make_organisation(db)
    commissioner = await make_user(db, "com@example.org")
    cycle = await make_cycle(db, organisation, stage=stage.value)
    # Leaving proposals needs a shortlist: give every cycle one, so only the table decides.
    await make_proposal(db, cycle, commissioner, answer="taken_forward")
    # ...and a drawn panel, which entering deliberation needs too, and a ballot for voting.
    await make_panel(db, cycle, [commissioner])
    from deliberate.voting.models import BallotDefinition

    db.add(BallotDefinition(cycle_id=cycle.id, method="approval", params={}))
    await db.commit()
    viewer = _viewer(commissioner, {(Role.COMMISSIONER.value, organisation.id)})
    return cycle, viewer


@pytest.mark.parametrize(("source", "target"), ALL_PAIRS, ids=lambda s: s.value)
async def test_transition_table(app, db, source, target):
    cycle, viewer = await _setup(db, source)
    transition = find_transition(source, target)
    maker = app.state.sessionmaker
    if transition is None:
        async with maker() as session:
            with pytest.raises(WrongStage):
                await service.move_cycle(session, viewer, cycle.id, target, reason="because")
        async with maker() as session:
            assert (await session.get(Cycle, cycle.id)).stage == source.value
        return
    if transition.backwards:
        async with maker() as session:
            with pytest.raises(Invalid):
                await service.move_cycle(session, viewer, cycle.id, target)
    async with maker() as session:
        moved = await service.move_cycle(session, viewer, cycle.id, target, reason="to extend it")
        await session.commit()
    assert moved.stage == target.value
    event = (
        await db.execute(select(AuditEvent).where(AuditEvent.action == "cycle.stage_changed"))
    ).scalar_one()
    assert event.details["from"] == source.value and event.details["to"] == target.value
    assert event.actor_id == viewer.id
    assert event.details["reason"] == "to extend it"


@pytest.mark.parametrize("stage", list(Stage), ids=lambda s: s.value)
@pytest.mark.parametrize("action", list(Action), ids=lambda a: a.value)
def test_permission_table(stage, action):
    """Every cell of the table: allowed actors pass `require`; everyone else is refused with 409
    (not at this stage) or 403 (not for you)."""
    allowed = PERMITS[stage].get(action, frozenset())
    user = object()
    for actor in Actor:
        viewer = Viewer(user=user)  # type: ignore[arg-type]
        cycle = Cycle(stage=stage.value)
        if actor in allowed:
            service.require(viewer, cycle, action, {actor})
        elif not allowed:
            with pytest.raises(WrongStage):
                service.require(viewer, cycle, action, {actor})
        else:
            with pytest.raises(NotAllowed):
                service.require(viewer, cycle, action, {actor})
    if allowed:
        with pytest.raises(SignInRequired):
            service.require(Viewer.anonymous(), Cycle(stage=stage.value), action, set())


def test_every_transition_moves_between_neighbours():
    for transition in TRANSITIONS:
        assert abs(transition.source.index - transition.target.index) == 1
    assert not permits(Stage.CLOSED, Action.PROPOSE, set(Actor))


async def test_leaving_proposals_needs_a_drawn_panel(db):
    organisation = await make_organisation(db)
    commissioner = await make_user(db, "com@example.org")
    cycle = await make_cycle(db, organisation, stage="proposals")
    await make_proposal(db, cycle, commissioner, answer="taken_forward")
    viewer = _viewer(commissioner, {(Role.COMMISSIONER.value, organisation.id)})
    with pytest.raises(WrongStage) as error:
        await service.move_cycle(db, viewer, cycle.id, Stage.DELIBERATION)
    assert "panel has not been drawn" in str(error.value.message)


async def test_leaving_proposals_needs_a_shortlist(db):
    organisation = await make_organisation(db)
    commissioner = await make_user(db, "com@example.org")
    cycle = await make_cycle(db, organisation, stage="proposals")
    await make_proposal(db, cycle, commissioner, answer="under_consideration")
    viewer = _viewer(commissioner, {(Role.COMMISSIONER.value, organisation.id)})
    with pytest.raises(WrongStage) as error:
        await service.move_cycle(db, viewer, cycle.id, Stage.DELIBERATION)
    assert "shortlist is empty" in str(error.value.message)


async def test_only_the_organisations_commissioner_moves_a_cycle(db):
    organisation = await make_organisation(db)
    other = await make_organisation(db, "powys", "Powys")
    someone = await make_user(db, "x@example.org")
    cycle = await make_cycle(db, organisation, stage="draft")
    elsewhere = _viewer(someone, {(Role.COMMISSIONER.value, other.id)})
    with pytest.raises(NotAllowed):
        await service.move_cycle(db, elsewhere, cycle.id, Stage.PROPOSALS)


async def _due_cycle(db, stage: str = "proposals"):
    cycle, _ = await _setup(db, Stage(stage))
    now = dt.datetime.now(dt.UTC)
    db.add(
        StageSchedule(
            cycle_id=cycle.id,
            stage=stage,
            starts_at=now - dt.timedelta(days=2),
            ends_at=now - dt.timedelta(minutes=1),
        )
    )
    await db.commit()
    return cycle


async def test_scheduled_transition_happens_once_with_several_processes(app, db):
    cycle = await _due_cycle(db)
    # Several app processes' schedulers waking at the same moment.
    results = await asyncio.gather(
        *[service.run_due_transitions(app.state.sessionmaker) for _ in range(4)]
    )
    assert sum(results) == 1
    assert await stage_of(app, cycle.id) == "deliberation"
    events = (
        (await db.execute(select(AuditEvent).where(AuditEvent.action == "cycle.stage_changed")))
        .scalars()
        .all()
    )
    assert len(events) == 1 and events[0].details["scheduled"] is True
    # Nothing is due any more.
    assert await service.run_due_transitions(app.state.sessionmaker) == 0


async def test_scheduled_transition_waits_for_its_condition(app, db):
    organisation = await make_organisation(db)
    cycle = await make_cycle(db, organisation, stage="proposals")
    now = dt.datetime.now(dt.UTC)
    db.add(
        StageSchedule(
            cycle_id=cycle.id, stage="proposals", starts_at=now - dt.timedelta(days=1),
            ends_at=now - dt.timedelta(minutes=1),
        )
    )  # fmt: skip
    await db.commit()
    assert await service.run_due_transitions(app.state.sessionmaker) == 0
    assert await stage_of(app, cycle.id) == "proposals"


async def test_an_action_racing_a_transition_is_judged_by_the_stage_at_commit(app, db):
    """A support that commits first counts; one that arrives while the transition holds the
    cycle waits and is then refused because the stage has changed."""
    cycle, commissioner = await _setup(db, Stage.PROPOSALS)
    citizen = await make_user(db, "cit@example.org")
    target = await make_proposal(db, cycle, citizen, title="Another one")
    voter = _viewer(citizen)
    maker = app.state.sessionmaker

    async with maker() as mover:
        await service.move_cycle(mover, commissioner, cycle.id, Stage.DELIBERATION)
        # The transition holds the cycle row; the support must wait for it.
        async with maker() as supporter:
            attempt = asyncio.create_task(
                proposals.set_support(supporter, voter, target.id, on=True)
            )
            await asyncio.sleep(0.3)
            assert not attempt.done()
            await mover.commit()
            with pytest.raises(WrongStage):
                await attempt
            await supporter.rollback()

    # The other way round: a support in flight holds the transition back until it commits.
    async with maker() as back:
        await service.move_cycle(back, commissioner, cycle.id, Stage.PROPOSALS, reason="reopen")
        await back.commit()
    async with maker() as supporter:
        await proposals.set_support(supporter, voter, target.id, on=True)
        async with maker() as mover:
            move = asyncio.create_task(
                service.move_cycle(mover, commissioner, cycle.id, Stage.DELIBERATION)
            )
            await asyncio.sleep(0.3)
            assert not move.done()
            await supporter.commit()
            await move
            await mover.commit()
    assert await stage_of(app, cycle.id) == "deliberation"
    from deliberate.proposals.models import Support

    assert len((await db.execute(select(Support))).all()) == 1
