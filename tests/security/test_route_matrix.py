"""The role x route x stage matrix, generated from the router: every route and method, asked by
every kind of person, with the cycle in each of the seven stages, answers the class of response
that the access table (deliberate/access.py) and the stage table (PERMITS) predict.

One world is built through the services and factories (tests/specs/support.build_world: a cycle
with proposals, a drawn panel, threads with posts and summaries, a ballot definition and cast
ballots, then the specification with its clauses and an amendment). Its cycle is then put in
each stage in turn. Every request runs in a savepoint of one real PostgreSQL connection that is
rolled back afterwards, so a successful POST (a withdrawal, a draw, a sign-out) changes nothing
for the next case. All mismatches are collected and reported together.
"""

from __future__ import annotations

import re
import secrets
import time
import uuid
from dataclasses import dataclass
from typing import Any

import httpx
from factories import make_organisation, make_user
from helpers import Browser, csrf_from
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import async_sessionmaker
from starlette.routing import Mount, Route

from deliberate import access
from deliberate.accounts.models import Role, User
from deliberate.accounts.viewer import Viewer
from deliberate.cycles import service as cycles
from deliberate.cycles.stages import ORDER, Actor, Stage
from deliberate.middleware import RequestMiddleware
from deliberate.security import SESSION_COOKIE, token_hash

ROLES = [
    "anonymous",
    "citizen",
    "author",
    "member",
    "voter",
    "facilitator",
    "commissioner",
    "outsider",  # a commissioner of another organisation
    "admin",
]
# Streams forever once allowed: asked only where the table refuses.
STREAMING = {"threads:events"}


@dataclass
class Person:
    role: str
    user: Any
    token: str | None


async def _session_for(db, user) -> str:
    token = secrets.token_urlsafe(24)
    await db.execute(
        text(
            "INSERT INTO user_sessions (id, user_id, expires_at) "
            "VALUES (:h, :u, now() + interval '1 day')"
        ),
        {"h": token_hash(token), "u": user.id},
    )
    return token


async def _world(app, db) -> tuple[dict[str, Any], dict[str, Person]]:
    from specs.support import build_world, clauses_of

    from deliberate.deliberation.models import Post, Thread
    from deliberate.specs.models import Amendment
    from deliberate.voting.models import CastBallot

    world = await build_world(db)
    cycle = world.cycle
    other = await make_organisation(db, slug="powys", name="Powys County Council")
    outsider = await make_user(
        db, "outsider@example.org", name="Owen", roles=[(Role.COMMISSIONER, other)]
    )
    admin = await make_user(db, "admin@example.org", name="Alys", roles=[(Role.ADMIN, None)])
    plain = await make_user(db, "plain@example.org", name="Plain")
    voter = (
        (
            await db.execute(
                select(User).join(CastBallot, CastBallot.voter_id == User.id).order_by(User.email)
            )
        )
        .scalars()
        .first()
    )
    member = world.members[0]
    thread = world.threads[0]
    post = Post(
        thread_id=thread.id,
        cycle_id=cycle.id,
        author_id=member.id,
        body="We talked about the minibus.",
        language="en",
        path="",
    )
    db.add(post)
    await db.flush()
    post.path = f"{post.id:010d}"
    clause = (await clauses_of(db, cycle.id))[0]
    amendment = Amendment(
        clause_id=clause.id,
        cycle_id=cycle.id,
        proposer_id=member.id,
        base_version=1,
        base_en=clause.body_en,
        base_cy=clause.body_cy,
        body_en=clause.body_en + " Every week.",
        body_cy=clause.body_cy,
        explanation="More often.",
    )
    db.add(amendment)
    await db.commit()
    assert (await db.scalar(select(Thread.id).where(Thread.id == thread.id))) is not None
    assert (await db.scalar(select(CastBallot.id).limit(1))) is not None
    users = {
        "citizen": plain,
        "author": world.citizen,
        "member": member,
        "voter": voter,
        "facilitator": world.facilitator,
        "commissioner": world.commissioner,
        "outsider": outsider,
        "admin": admin,
    }
    people = {"anonymous": Person("anonymous", None, None)}
    for role, user in users.items():
        people[role] = Person(role, user, await _session_for(db, user))
    await db.commit()
    evidence_id = uuid.uuid4()
    params = {
        "cycle_id": cycle.id,
        "proposal_id": world.proposals[0].id,
        "thread_id": thread.id,
        "post_id": post.id,
        "clause_id": clause.id,
        "amendment_id": amendment.id,
        "evidence_id": evidence_id,
        "user_id": plain.id,
        "number": 1,
        "token": "not-a-real-token",
        "action": "grant",
    }
    return {"cycle": cycle, "params": params, "proposal": world.proposals[0]}, people


def _url(route: Route, params: dict[str, Any]) -> str:
    names = re.findall(r"{(\w+)(?::\w+)?}", route.path)
    return route.url_path_for(route.name, **{name: params[name] for name in names})


def _outcome(response: httpx.Response) -> str:
    status = response.status_code
    location = response.headers.get("location", "")
    if status == 401 or (status in (302, 303) and location.startswith("/signin")):
        return "signin"
    if status in (403, 404, 409) or status >= 500:
        return str(status)
    return "pass"


async def _actors(db, person: Person, cycle, proposal) -> set[Actor]:
    if person.user is None:
        return set()
    from deliberate.accounts.viewer import load_viewer

    viewer: Viewer = await load_viewer(db, person.token)
    actors = await cycles.actors_for(db, viewer, cycle)
    if proposal.author_id == person.user.id:
        actors.add(Actor.AUTHOR)
    return actors


def _predict(rule: access.Rule, stage: Stage, person: Person, viewer: Viewer, actors) -> str:
    """What the access table and PERMITS say this person gets."""
    who = rule.who
    if who is access.Who.PUBLIC:
        return "pass"
    if who not in access.CYCLE_RULES:
        if not viewer.is_authenticated:
            return "signin"
        if who is access.Who.ADMIN:
            return "pass" if viewer.is_admin else "403"
        if who is access.Who.ANY_COMMISSIONER:
            return "pass" if viewer.organisations_for(Role.COMMISSIONER) else "403"
        return "pass"
    if stage is Stage.DRAFT and not (Actor.COMMISSIONER in actors or viewer.is_admin):
        return "404"
    if not rule.stage_allows(stage):
        return "409"
    if not viewer.is_authenticated:
        return "signin"
    if who is access.Who.COMMISSIONER:
        return "pass" if Actor.COMMISSIONER in actors else "403"
    if who is access.Who.FACILITATOR:
        return "pass" if Actor.FACILITATOR in actors else "403"
    if who is access.Who.STAFF:
        return "pass" if {Actor.COMMISSIONER, Actor.FACILITATOR} & actors else "403"
    return "pass" if rule.actors_in(stage) & actors else "403"


def _agrees(predicted: str, actual: str, rule: access.Rule) -> bool:
    if actual == "500":
        return False
    if predicted != "pass":
        return predicted == actual
    # Past the gate: the service may still refuse for its finer reason, or a minimal form may
    # meet a state the view refuses (404 no such thing, 409 already done).
    if rule.finer:
        return True
    return actual not in ("signin", "403")


def _who_to_ask(rule: access.Rule, stage: Stage, cycle_bound: bool) -> list[str]:
    """Everyone where the answer depends on the person; where the table gives one answer to
    all (a public page, a stage that refuses the action), one person signed out and one in."""
    if not cycle_bound:
        return ROLES
    if rule.who is access.Who.PUBLIC:
        return ["anonymous", "member"]
    if not rule.stage_allows(stage):
        return ["anonymous", "commissioner", "outsider"]
    return ROLES


def _routes(app) -> list[Route]:
    found = []
    for route in app.routes:
        if isinstance(route, Mount):
            continue  # /static: files, outside the pipeline
        assert isinstance(route, Route), route
        found.append(route)
    return found


async def test_every_route_method_role_and_stage_answers_as_the_table_says(app, db):
    world, people = await _world(app, db)
    cycle = world["cycle"]
    params = world["params"]

    # Every request in a savepoint of one connection, rolled back after it.
    connection = await app.state.engine.connect()
    outer = await connection.begin()
    maker = async_sessionmaker(
        bind=connection, expire_on_commit=False, join_transaction_mode="create_savepoint"
    )
    for middleware in app.user_middleware:
        if middleware.cls is RequestMiddleware:
            middleware.kwargs["sessionmaker"] = maker

    browsers: dict[str, Browser] = {}
    tokens: dict[str, str] = {}
    jars: dict[str, httpx.Cookies] = {}
    for role, person in people.items():
        browser = Browser(app)
        if person.token:
            browser.cookies.set(SESSION_COOKIE, person.token)
        home = await browser.get("/")
        tokens[role] = csrf_from(home.text)
        jars[role] = httpx.Cookies(browser.cookies)
        browsers[role] = browser

    from deliberate.accounts.viewer import load_viewer

    mismatches: list[str] = []
    asked = 0
    started = time.monotonic()
    routes = _routes(app)
    for stage in ORDER:
        await connection.execute(
            text("UPDATE cycles SET stage = :s, announced = false WHERE id = :c"),
            {"s": stage.value, "c": cycle.id},
        )
        async with maker() as check_db:
            cycle_row = await cycles.get_cycle(check_db, cycle.id)
            views = {
                role: (await load_viewer(check_db, p.token) if p.token else Viewer.anonymous())
                for role, p in people.items()
            }
            actors = {
                role: await _actors(check_db, p, cycle_row, world["proposal"])
                for role, p in people.items()
            }
        for route in routes:
            url = _url(route, params)
            cycle_bound = bool(access._path_key(route.param_convertors))
            if not cycle_bound and stage is not Stage.PROPOSALS:
                continue  # the same in every stage: asked once
            for method in access.route_methods(route):
                rule = access.rule_for(route.name, method)
                assert rule is not None, f"{route.name} {method} is not in deliberate/access.py"
                for role in _who_to_ask(rule, stage, cycle_bound):
                    predicted = _predict(rule, stage, people[role], views[role], actors[role])
                    if route.name in STREAMING and predicted == "pass":
                        continue
                    browser = browsers[role]
                    browser.cookies = httpx.Cookies(jars[role])
                    savepoint = await connection.begin_nested()
                    try:
                        if method == "GET":
                            response = await browser.get(url)
                        else:
                            response = await browser.request(
                                method, url, data={"csrf_token": tokens[role]}
                            )
                    finally:
                        await savepoint.rollback()
                    asked += 1
                    if asked % 250 == 0:
                        print(f"{asked} requests, {time.monotonic() - started:.0f} s", flush=True)
                    actual = _outcome(response)
                    if not _agrees(predicted, actual, rule):
                        mismatches.append(
                            f"{stage.value:<13} {role:<12} {method:<4} {route.name:<28} "
                            f"expected {predicted}, got {response.status_code} ({actual})"
                        )
    for browser in browsers.values():
        await browser.aclose()
    await outer.rollback()
    await connection.close()
    print(f"{asked} requests in {time.monotonic() - started:.0f} s")
    assert not mismatches, f"{len(mismatches)} of {asked} disagree:\n" + "\n".join(mismatches)
