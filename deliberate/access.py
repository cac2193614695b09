"""Who may use each route: one declared table, keyed by route name, applied in one place.

`create_app` wraps every route with `guard`, so the table is the coarse, auditable gate in front
of every view:

- a route missing from the table answers 403 (and start-up logs its name);
- a signed-out person asking for a route that needs a person is sent to sign in;
- a wrong role gets 403;
- a stage action (`deliberate.cycles.stages.Action`) asked for in a stage whose `PERMITS` entry
  allows it to nobody gets 409, with the reason.

The order is the one `cycles.service.require` uses: the cycle must be visible (a private draft is
404), then the stage must permit the action to somebody (409), then the person must be signed in,
then hold the role. Rules that need the cycle (a stage action, or a role in the cycle's
organisation) find it from the path with one query (`_cycle_of`); the others need none.

Services keep their finer checks (the author of *this* proposal, a member of *this* panel, an
eligible voter): the gate refuses early what the table rules out, and never lets through what a
service would refuse for the same reason. `deliberate routes` prints the table as a route × stage
matrix; `docs/routes.md` is generated from it and a test keeps the two in step.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.routing import BaseRoute, Mount, Route
from starlette.types import ASGIApp, Receive, Scope, Send

from deliberate.cycles.stages import ACTION_LABELS, ORDER, PERMITS, Action, Actor, Stage
from deliberate.errors import NotAllowed, NotFound, SignInRequired, WrongStage
from deliberate.i18n import lazy_gettext
from deliberate.logging import get_logger

log = get_logger("deliberate.access")


class Who(enum.StrEnum):
    """Who a rule lets through. The last four need the cycle the route is about."""

    PUBLIC = "everyone"
    SIGNED_IN = "signed in"
    ADMIN = "site admin"
    ANY_COMMISSIONER = "a commissioner"  # of any organisation
    COMMISSIONER = "commissioner"  # of the cycle's organisation
    FACILITATOR = "facilitator"  # of the cycle's organisation
    STAFF = "commissioner or facilitator"  # of the cycle's organisation
    ACTION = "stage action"  # what PERMITS allows for the action(s) in the cycle's stage


CYCLE_RULES = frozenset({Who.COMMISSIONER, Who.FACILITATOR, Who.STAFF, Who.ACTION})
# Actors the gate knows from the role grants alone; the others (author, panel, voter) need the
# object or a query, so their services decide.
STATIC_ACTORS = frozenset({Actor.CITIZEN, Actor.COMMISSIONER, Actor.FACILITATOR})


@dataclass(frozen=True)
class Rule:
    who: Who
    actions: tuple[Action, ...] = ()
    # For role rules: the stages in which the route may be used (None: every stage).
    stages: tuple[Stage, ...] | None = None
    # The finer check its service makes, for the reader of the matrix.
    finer: str = ""

    def stage_allows(self, stage: Stage) -> bool:
        if self.who is Who.ACTION:
            return any(PERMITS.get(stage, {}).get(action) for action in self.actions)
        return self.stages is None or stage in self.stages

    def actors_in(self, stage: Stage) -> frozenset[Actor]:
        """For a stage action: who PERMITS lets do it in `stage`."""
        allowed: set[Actor] = set()
        for action in self.actions:
            allowed |= PERMITS.get(stage, {}).get(action, frozenset())
        return frozenset(allowed)

    def describe(self, stage: Stage | None = None) -> str:
        """One cell of the matrix."""
        if stage is not None and self.who in CYCLE_RULES and not self.stage_allows(stage):
            return "409"
        if self.who is Who.ACTION:
            if stage is None:
                return "action: " + " / ".join(a.value for a in self.actions)
            return ", ".join(sorted(a.value for a in self.actors_in(stage)))
        return self.who.value


PUBLIC = Rule(Who.PUBLIC)
SIGNED_IN = Rule(Who.SIGNED_IN)
ADMIN = Rule(Who.ADMIN)


def action(*actions: Action, finer: str = "") -> Rule:
    return Rule(Who.ACTION, actions=actions, finer=finer)


def role(who: Who, stages: Iterable[Stage] | None = None, finer: str = "") -> Rule:
    return Rule(who, stages=tuple(stages) if stages is not None else None, finer=finer)


def signed_in(finer: str) -> Rule:
    return Rule(Who.SIGNED_IN, finer=finer)


def public(finer: str) -> Rule:
    return Rule(Who.PUBLIC, finer=finer)


A = Action
S = Stage
Methods = Mapping[str, Rule]

# --- the table -------------------------------------------------------------------------------
# One entry per route name: a Rule for every method of the route, or one per method.
ROUTES: dict[str, Rule | Methods] = {
    # the site
    "home": PUBLIC,
    "healthz": PUBLIC,
    "accessibility": PUBLIC,
    "static": PUBLIC,
    # accounts
    "accounts:signup": PUBLIC,
    "accounts:signup_sent": PUBLIC,
    "accounts:verify": public("a valid link"),
    "accounts:signin": PUBLIC,
    "accounts:signout": PUBLIC,
    "accounts:forgot": PUBLIC,
    "accounts:reset": public("a valid link"),
    "accounts:profile": SIGNED_IN,
    "accounts:password": SIGNED_IN,
    "accounts:resend_verification": SIGNED_IN,
    "accounts:sessions": signed_in("the person's own"),
    "accounts:end_sessions": signed_in("the person's own"),
    "accounts:data": signed_in("the person's own"),
    "accounts:data_download": signed_in("the person's own"),
    "accounts:delete": signed_in("the person's own, confirmed with their password"),
    "accounts:deleted": PUBLIC,
    "accounts:language": PUBLIC,
    "accounts:oidc_start": PUBLIC,
    "accounts:oidc_callback": public("the state of a sign-in this browser started"),
    "admin:index": ADMIN,
    "admin:create_organisation": ADMIN,
    "admin:person": ADMIN,
    "admin:erase_person": ADMIN,
    "admin:change_role": ADMIN,
    "admin:audit": ADMIN,
    # cycles
    "cycles:list": PUBLIC,
    "cycles:new": Rule(Who.ANY_COMMISSIONER),
    "cycles:detail": public("a private draft only for its commissioners"),
    "cycles:edit": action(A.EDIT_CYCLE),
    "cycles:move": action(A.MOVE_CYCLE, finer="a move the stage table allows"),
    "cycles:extend": action(A.MOVE_CYCLE),
    # Following (and unfollowing) is open in every stage, including a draft's "coming up".
    "cycles:follow": SIGNED_IN,
    "cycles:manage": signed_in("lists the cycles of the person's own organisations"),
    "notifications": signed_in("the person's own"),
    "notifications:read": signed_in("the person's own"),
    # proposals
    "proposals:list": PUBLIC,
    "proposals:new": action(A.PROPOSE),
    "proposals:shortlist": PUBLIC,
    "proposals:detail": PUBLIC,
    "proposals:edit": action(A.EDIT_PROPOSAL, finer="the proposal's author"),
    "proposals:withdraw": action(A.EDIT_PROPOSAL, finer="the proposal's author"),
    "proposals:support": action(A.SUPPORT, finer="within the support limit"),
    "proposals:answer": action(A.ANSWER),
    "proposals:merge": action(A.MERGE),
    # the panel
    "panel:page": PUBLIC,
    "panel:configure": action(A.CONFIGURE_PANEL),
    "panel:volunteer": action(A.VOLUNTEER),
    "panel:withdraw": signed_in("the person's own place in the pool"),
    "panel:import": action(A.CONFIGURE_PANEL),
    "panel:seed": action(A.DRAW_PANEL),
    "panel:draw": action(A.DRAW_PANEL),
    "panel:leave": action(A.LEAVE_PANEL, finer="a member of this panel"),
    "panel:invite": action(A.DRAW_PANEL),
    "panel:report": public("anonymised; once drawn"),
    # threads and posts
    "threads:list": public("private threads only for the panel and staff"),
    "threads:create": role(Who.STAFF, (S.PROPOSALS, S.DELIBERATION)),
    "threads:flags": role(Who.FACILITATOR),
    "threads:detail": public("private threads only for the panel and staff"),
    "threads:events": public("private threads only for the panel and staff"),
    "posts:create": action(A.POST, finer="a member of this panel"),
    "threads:lock": role(Who.FACILITATOR),
    "threads:unlock": role(Who.FACILITATOR),
    "threads:summary": {
        "GET": public("private threads only for the panel and staff"),
        "POST": role(Who.FACILITATOR),
    },
    "threads:evidence": role(Who.FACILITATOR),
    "evidence:download": public("private threads only for the panel and staff"),
    "posts:edit": {
        "GET": public("private threads only for the panel and staff"),
        "POST": action(A.POST, finer="the post's author, within 15 minutes"),
    },
    "posts:history": public("private threads only for the panel and staff"),
    "posts:react": action(A.POST, finer="a member of this panel"),
    "posts:flag": signed_in("a member of this panel or a facilitator, who can read the thread"),
    "posts:hide": role(Who.FACILITATOR),
    "posts:show": role(Who.FACILITATOR),
    # voting
    "voting:definition": {"GET": role(Who.COMMISSIONER), "POST": action(A.EDIT_CYCLE)},
    "voting:eligible": action(A.EDIT_CYCLE),
    "voting:check": action(A.VOTE, finer="eligible to vote"),
    "voting:vote": action(A.VOTE, finer="eligible to vote"),
    "voting:group": action(A.VOTE, finer="eligible to vote"),
    "voting:review": action(A.VOTE, finer="eligible to vote"),
    "voting:cast": action(A.VOTE, finer="eligible to vote"),
    "voting:receipt": signed_in("the person's own receipt"),
    "voting:results": PUBLIC,
    "voting:ballots_pb": public("once voting has closed"),
    "voting:ballots_preflib": public("once voting has closed"),
    "voting:ballots_csv": public("once voting has closed"),
    "voting:bulletin": PUBLIC,
    "voting:bulletin_check": PUBLIC,
    # the specification
    "specs:document": public("drafts only for participants"),
    "specs:version": public("drafts only for participants"),
    "specs:export_md": public("the published version"),
    "specs:export_json": public("the published version"),
    "specs:export_pdf": public("the published version"),
    "specs:history": public("drafts only for participants"),
    "specs:compare": public("drafts only for participants"),
    "specs:endorse": action(A.ENDORSE, finer="a member of this panel"),
    "specs:clause_new": action(A.EDIT_SPECIFICATION),
    "specs:clause_edit": action(A.EDIT_SPECIFICATION),
    "specs:clause_remove": action(A.EDIT_SPECIFICATION),
    "specs:amend": action(A.AMEND, finer="a member of this panel"),
    "specs:origin": PUBLIC,
    "specs:delivery": PUBLIC,
    "specs:report": action(A.REPORT_DELIVERY),
    "specs:rate": action(A.RATE_DELIVERY, finer="a member of this panel"),
    "specs:amendment": public("drafts only for participants"),
    "specs:comment": action(A.AMEND, A.MODERATE, finer="a panel member or a moderator"),
    "specs:decide": action(A.MODERATE),
    # the open-data API
    "api:openapi": PUBLIC,
    "api:cycles": PUBLIC,
    "api:cycle": PUBLIC,
    "api:proposals": PUBLIC,
    "api:results": PUBLIC,
    "api:specification": PUBLIC,
    "api:specification_version": PUBLIC,
}


def rule_for(name: str, method: str) -> Rule | None:
    entry = ROUTES.get(name)
    if entry is None or isinstance(entry, Rule):
        return entry
    return entry.get("GET" if method == "HEAD" else method)


def route_methods(route: BaseRoute) -> list[str]:
    """The methods a route answers, HEAD folded into GET."""
    if isinstance(route, Route):
        return sorted(m for m in (route.methods or {"GET"}) if m != "HEAD")
    return ["GET"]


def missing(routes: Iterable[BaseRoute]) -> list[str]:
    """`name METHOD` for every route and method the table does not cover."""
    gaps = []
    for route in routes:
        name = getattr(route, "name", None) or getattr(route, "path", "?")
        for method in route_methods(route):
            if rule_for(name, method) is None:
                gaps.append(f"{name} {method}")
    return gaps


# --- the gate --------------------------------------------------------------------------------


def _wrong_stage(rule: Rule, cycle: Any, stage: Stage) -> WrongStage:
    if Action.VOTE in rule.actions:
        # The ballot's own words: "Voting has not opened yet" / "Voting closed at ...".
        from deliberate.voting.service import _voting_open

        try:
            _voting_open(cycle)
        except WrongStage as error:
            return error
    if rule.who is Who.ACTION:
        return WrongStage(
            lazy_gettext(
                "%(action)s is not possible while the cycle is at the %(stage)s stage.",
                action=ACTION_LABELS[rule.actions[0]],
                stage=stage.label,
            )
        )
    return WrongStage(
        lazy_gettext(
            "That cannot be done while the cycle is at the %(stage)s stage.", stage=stage.label
        )
    )


def _path_key(params: Mapping[str, Any]) -> tuple[str, Any] | None:
    for key in ("cycle_id", "proposal_id", "thread_id", "post_id", "clause_id", "amendment_id"):
        if key in params:
            return key, params[key]
    return None


async def _cycle_of(db: Any, params: Mapping[str, Any]) -> Any:
    """The cycle a route's path is about, in one query (None when there is no such thing: the
    view answers 404 in its own words)."""
    from deliberate.cycles.models import Cycle
    from deliberate.deliberation.models import Post, Thread
    from deliberate.proposals.models import Proposal
    from deliberate.specs.models import Amendment, Clause

    found = _path_key(params)
    if found is None:
        return None
    key, value = found
    if key == "cycle_id":
        return await db.get(Cycle, value)
    model = {
        "proposal_id": Proposal,
        "thread_id": Thread,
        "post_id": Post,
        "clause_id": Clause,
        "amendment_id": Amendment,
    }[key]
    query = select(Cycle).join(model, model.cycle_id == Cycle.id).where(model.id == value)
    return (await db.execute(query)).scalar_one_or_none()


async def check(request: Request, rule: Rule) -> None:
    """Raise the domain error the table gives this person for this request, or return."""
    if rule.who is Who.PUBLIC:
        return
    viewer = request.state.ctx.viewer
    if rule.who in CYCLE_RULES:
        await _check_cycle(request, rule, viewer)
        return
    if not viewer.is_authenticated:
        raise SignInRequired()
    if rule.who is Who.ADMIN and not viewer.is_admin:
        raise NotAllowed()
    if rule.who is Who.ANY_COMMISSIONER:
        from deliberate.accounts.models import Role

        if not viewer.organisations_for(Role.COMMISSIONER):
            raise NotAllowed(lazy_gettext("Only commissioners can create cycles."))


async def _check_cycle(request: Request, rule: Rule, viewer: Any) -> None:
    from deliberate.cycles import service as cycles

    cycle = await _cycle_of(request.state.db, request.path_params)
    if cycle is None:
        return
    if not cycles.can_see(viewer, cycle):
        raise NotFound(lazy_gettext("There is no such cycle."))
    stage = cycle.current_stage
    if not rule.stage_allows(stage):
        raise _wrong_stage(rule, cycle, stage)
    if not viewer.is_authenticated:
        raise SignInRequired()
    commissioner = cycles.is_commissioner(viewer, cycle)
    facilitator = cycles.is_facilitator(viewer, cycle)
    if rule.who is Who.COMMISSIONER:
        allowed = commissioner
    elif rule.who is Who.FACILITATOR:
        allowed = facilitator
    elif rule.who is Who.STAFF:
        allowed = commissioner or facilitator
    else:
        permitted = rule.actors_in(stage)
        if not permitted <= STATIC_ACTORS:
            return  # the author, the panel or the voters: their services decide
        held = {Actor.CITIZEN}
        if commissioner:
            held.add(Actor.COMMISSIONER)
        if facilitator:
            held.add(Actor.FACILITATOR)
        allowed = bool(permitted & held)
    if not allowed:
        raise NotAllowed()


NOT_LISTED = "not in the access table (deliberate/access.py)"


def _gated(app: ASGIApp, name: str) -> ASGIApp:
    async def gated(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and "ctx" in scope.get("state", {}):
            request = Request(scope, receive)
            rule = rule_for(name, scope["method"])
            if rule is None:
                log.error("route_not_in_access_table", route=name, method=scope["method"])
                raise HTTPException(403, f"{name} is {NOT_LISTED}")
            await check(request, rule)
        await app(scope, receive, send)

    gated.ungated = app  # type: ignore[attr-defined]
    return gated


def guard(routes: list[BaseRoute]) -> list[BaseRoute]:
    """Put the gate in front of every route (in place), and log each one the table misses."""
    for route in routes:
        # The route lists are module-level, so each app built in one process sees the same
        # Route objects: wrap the original, never a gate already in place.
        inner = getattr(route.app, "ungated", route.app) if hasattr(route, "app") else None
        if isinstance(route, Route):
            route.app = _gated(inner, route.name)
        elif isinstance(route, Mount) and route.name != "static":
            route.app = _gated(inner, route.name or route.path)
    for gap in missing(routes):
        log.error("route_not_in_access_table", route=gap)
    return routes


# --- the matrix ------------------------------------------------------------------------------


def matrix_rows(routes: Iterable[BaseRoute]) -> list[tuple[str, str, str, Rule | None]]:
    rows = []
    for route in routes:
        name = getattr(route, "name", None) or getattr(route, "path", "?")
        for method in route_methods(route):
            rows.append((name, method, getattr(route, "path", ""), rule_for(name, method)))
    return rows


def markdown(routes: Iterable[BaseRoute]) -> str:
    """docs/routes.md: every route, who may use it, and in which stage."""
    stages = [s.value for s in ORDER]
    lines = [
        "# Routes: who may use each, in which stage",
        "",
        "Generated from the router and `deliberate/access.py` by `deliberate routes --markdown`;",
        "a test fails when this page is out of date. Do not edit it by hand.",
        "",
        "*who*: everyone; signed in; site admin; a commissioner (of any organisation);",
        "commissioner, facilitator (of the cycle's organisation); or a stage action, whose cells",
        "name the actors `PERMITS` allows in that stage. **409**: refused in that stage, with the",
        "reason. A route not in the table answers 403. A private draft cycle is 404 except to its",
        "commissioners and site admins. *finer*: the check its service adds.",
        "",
        "| route | method | path | who | " + " | ".join(stages) + " | finer |",
        "|---|---|---|---|" + "---|" * len(stages) + "---|",
    ]
    for name, method, path, rule in matrix_rows(routes):
        if rule is None:
            cells = ["**not listed: 403**"] * (len(stages) + 1)
            finer = ""
        else:
            who = rule.describe()
            if rule.who in CYCLE_RULES:
                per_stage = [rule.describe(stage) for stage in ORDER]
            else:
                per_stage = ["·"] * len(stages)
            cells = [who, *[f"**{c}**" if c == "409" else c for c in per_stage]]
            finer = rule.finer
        lines.append(f"| `{name}` | {method} | `{path}` | " + " | ".join(cells) + f" | {finer} |")
    lines.append("")
    lines.append("· the same in every stage.")
    lines.append("")
    return "\n".join(lines)


def text_table(routes: Iterable[BaseRoute]) -> str:
    """The matrix for a terminal."""
    header = ["route", "method", "who", *[s.value[:5] for s in ORDER]]
    rows = [header]
    for name, method, _path, rule in matrix_rows(routes):
        if rule is None:
            rows.append([name, method, "NOT LISTED (403)", *[""] * len(ORDER)])
            continue
        per_stage = (
            [rule.describe(stage) or "-" for stage in ORDER]
            if rule.who in CYCLE_RULES
            else ["."] * len(ORDER)
        )
        rows.append([name, method, rule.describe(), *per_stage])
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in rows
    )


__all__ = [
    "ROUTES",
    "Rule",
    "Who",
    "check",
    "guard",
    "markdown",
    "missing",
    "rule_for",
    "text_table",
]
