"""Citizens' panels: what volunteers are asked, recruitment (form and CSV), the published seed,
the draw by stratified lot, the selection report, replacements and direct invitations."""

from __future__ import annotations

import asyncio
import csv
import io
import re
import secrets
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from deliberate import audit, i18n
from deliberate.accounts.models import User
from deliberate.accounts.viewer import Viewer
from deliberate.cycles import service as cycles
from deliberate.cycles.models import Cycle
from deliberate.cycles.stages import Action, Actor, Stage, on_leaving
from deliberate.db import utcnow
from deliberate.deliberation import selection
from deliberate.deliberation.models import MEMBER_STATUSES, Panel, Volunteer
from deliberate.errors import Conflict, Invalid, NotAllowed, NotFound, WrongStage
from deliberate.forms import EMAIL_RE, FormInput
from deliberate.i18n import lazy_gettext
from deliberate.notifications import notify

# "Age | Oedran = 16-29 [2-6]; 30-49 | 30-49 [3-8]" : one attribute per line.
_VALUE_RE = re.compile(
    r"^(?P<en>[^|\[]+?)\s*(?:\|\s*(?P<cy>[^\[]+?))?\s*\[(?P<lo>\d+)\s*-\s*(?P<hi>\d+)\]$"
)
MAX_POOL_IMPORT = 5000


def _key(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")[:40] or "value"


# --- who is on the panel -------------------------------------------------------------------


async def is_member(db: AsyncSession, cycle_id: uuid.UUID, user_id: uuid.UUID | None) -> bool:
    if user_id is None:
        return False
    found = await db.scalar(
        select(Volunteer.id).where(
            Volunteer.cycle_id == cycle_id,
            Volunteer.user_id == user_id,
            Volunteer.status.in_(MEMBER_STATUSES),
        )
    )
    return found is not None


@cycles.register_actor_resolver
async def panel_actor(db: AsyncSession, viewer: Viewer, cycle: Cycle) -> set[Actor]:
    return {Actor.PANEL} if await is_member(db, cycle.id, viewer.id) else set()


@cycles.register_participants
def panel_members(cycle_id: uuid.UUID):
    return select(Volunteer.user_id.label("user_id")).where(
        Volunteer.cycle_id == cycle_id,
        Volunteer.status.in_(MEMBER_STATUSES),
        Volunteer.user_id.is_not(None),
    )


@on_leaving(Stage.PROPOSALS)
async def panel_must_be_drawn(db: AsyncSession, cycle: Cycle):
    drawn = await db.scalar(
        select(func.count())
        .select_from(Volunteer)
        .where(Volunteer.cycle_id == cycle.id, Volunteer.status.in_(MEMBER_STATUSES))
    )
    if not drawn:
        return lazy_gettext(
            "The citizens' panel has not been drawn yet: draw it before deliberation."
        )
    return None


async def get_panel(db: AsyncSession, cycle_id: uuid.UUID) -> Panel | None:
    return (await db.execute(select(Panel).where(Panel.cycle_id == cycle_id))).scalar_one_or_none()


async def _checked(
    db: AsyncSession, viewer: Viewer, cycle_id: uuid.UUID, action: Action
) -> tuple[Cycle, Panel | None]:
    cycle = await cycles.lock_cycle(db, cycle_id)
    if not cycles.can_see(viewer, cycle):
        raise NotFound(lazy_gettext("There is no such cycle."))
    cycles.require(viewer, cycle, action, await cycles.actors_for(db, viewer, cycle))
    return cycle, await get_panel(db, cycle.id)


# --- setting the panel up -------------------------------------------------------------------


def parse_attributes(text: str, form: FormInput, field: str = "attributes") -> list[dict[str, Any]]:
    attributes: list[dict[str, Any]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        name_part, sep, values_part = line.partition("=")
        if not sep or not values_part.strip():
            form.add_error(
                field,
                lazy_gettext(
                    "Line %(n)s: write the attribute, '=', then its values, like "
                    "'Age | Oedran = 16-29 [2-6]; 30+ [3-8]'.",
                    n=number,
                ),
            )
            return []
        name_en, _bar, name_cy = name_part.partition("|")
        values = []
        for raw in values_part.split(";"):
            match = _VALUE_RE.match(raw.strip())
            if not match:
                form.add_error(
                    field,
                    lazy_gettext(
                        "Line %(n)s: each value needs its quota in brackets, like '16-29 [2-6]'.",
                        n=number,
                    ),
                )
                return []
            low, high = int(match["lo"]), int(match["hi"])
            if low > high:
                form.add_error(
                    field,
                    lazy_gettext("Line %(n)s: a minimum is larger than its maximum.", n=number),
                )
                return []
            en = match["en"].strip()
            values.append(
                {
                    "key": _key(en),
                    "name_en": en,
                    "name_cy": (match["cy"] or en).strip(),
                    "min": low,
                    "max": high,
                }
            )
        if len({v["key"] for v in values}) != len(values):
            form.add_error(
                field, lazy_gettext("Line %(n)s: two values have the same name.", n=number)
            )
            return []
        attributes.append(
            {
                "key": _key(name_en),
                "name_en": name_en.strip(),
                "name_cy": (name_cy or name_en).strip(),
                "values": values,
            }
        )
    if len({a["key"] for a in attributes}) != len(attributes):
        form.add_error(field, lazy_gettext("Two attributes have the same name."))
    if len(attributes) > 8:
        form.add_error(field, lazy_gettext("Ask about at most 8 attributes: no more than needed."))
    return attributes


def attributes_text(panel: Panel | None) -> str:
    if panel is None:
        return ""
    lines = []
    for attribute in panel.attributes:
        values = "; ".join(
            f"{v['name_en']} | {v['name_cy']} [{v['min']}-{v['max']}]" for v in attribute["values"]
        )
        lines.append(f"{attribute['name_en']} | {attribute['name_cy']} = {values}")
    return "\n".join(lines)


async def configure_panel(
    db: AsyncSession, viewer: Viewer, cycle_id: uuid.UUID, form: FormInput
) -> Panel:
    cycle, panel = await _checked(db, viewer, cycle_id, Action.CONFIGURE_PANEL)
    if panel is not None and panel.status == "drawn":
        raise WrongStage(lazy_gettext("The panel has been drawn: its quotas can no longer change."))
    size_raw = form.get("size")
    if not size_raw.isdigit() or not 3 <= int(size_raw) <= 500:
        form.add_error("size", lazy_gettext("Enter a panel size from 3 to 500."))
    attributes = parse_attributes(form.get("attributes"), form)
    form.raise_if_invalid()
    if panel is None:
        panel = Panel(cycle_id=cycle.id)
        db.add(panel)
    panel.size = int(size_raw)
    panel.attributes = attributes
    panel.threads_private = form.get("threads_private") == "on"
    await db.flush()
    await audit.record(
        db,
        viewer.user,
        "panel.configured",
        panel,
        {"size": panel.size, "attributes": len(attributes)},
    )
    return panel


# --- recruitment ----------------------------------------------------------------------------


def _read_attributes(
    panel: Panel, values: dict[str, str], form: FormInput | None, prefix: str = "attr_"
):
    chosen: dict[str, str] = {}
    for attribute in panel.attributes:
        value = values.get(f"{prefix}{attribute['key']}", "") or values.get(attribute["key"], "")
        keys = {v["key"] for v in attribute["values"]}
        if value not in keys:
            if form is not None:
                form.add_error(
                    f"attr_{attribute['key']}", lazy_gettext("Choose one of the options.")
                )
            continue
        chosen[attribute["key"]] = value
    return chosen


async def volunteer(
    db: AsyncSession, viewer: Viewer, cycle_id: uuid.UUID, form: FormInput
) -> Volunteer:
    cycle, panel = await _checked(db, viewer, cycle_id, Action.VOLUNTEER)
    if panel is None:
        raise WrongStage(lazy_gettext("This cycle is not recruiting a panel."))
    if panel.status == "drawn":
        raise WrongStage(lazy_gettext("The panel has already been drawn."))
    assert viewer.user is not None
    name = form.text("name", max_length=100)
    attributes = _read_attributes(panel, {k: form.get(k) for k in form.data}, form)
    if form.get("consent") != "yes":
        form.add_error(
            "consent",
            lazy_gettext(
                "We can only add you to the pool if you agree to how we use your answers."
            ),
        )
    form.raise_if_invalid()
    existing = (
        await db.execute(
            select(Volunteer).where(Volunteer.panel_id == panel.id, Volunteer.user_id == viewer.id)
        )
    ).scalar_one_or_none()
    if existing is not None:
        existing.name, existing.attributes = name, attributes
        return existing
    person = Volunteer(
        panel_id=panel.id,
        cycle_id=cycle.id,
        user_id=viewer.id,
        name=name,
        email=viewer.user.email,
        attributes=attributes,
        consent_at=utcnow(),
        source="form",
    )
    db.add(person)
    await db.flush()
    await audit.record(db, viewer.user, "panel.volunteered", ("panels", panel.id))
    return person


async def withdraw_volunteer(db: AsyncSession, viewer: Viewer, cycle_id: uuid.UUID) -> None:
    panel = await get_panel(db, cycle_id)
    if panel is None or viewer.id is None:
        raise NotFound()
    person = (
        await db.execute(
            select(Volunteer).where(Volunteer.panel_id == panel.id, Volunteer.user_id == viewer.id)
        )
    ).scalar_one_or_none()
    if person is None:
        raise NotFound()
    if person.status == "pool":
        await db.delete(person)  # nothing more than needed: a withdrawn volunteer leaves no data
    else:
        raise Conflict(lazy_gettext("You were drawn for the panel: use “Leave the panel” instead."))


@dataclass
class ImportResult:
    added: int
    updated: int


async def import_pool(
    db: AsyncSession, viewer: Viewer, cycle_id: uuid.UUID, csv_text: str
) -> ImportResult:
    """A pool gathered elsewhere (e.g. a postal invitation): columns name, email, consent (yes),
    and one per attribute key. All rows or none: a bad row is named by its line."""
    cycle, panel = await _checked(db, viewer, cycle_id, Action.CONFIGURE_PANEL)
    if panel is None:
        raise WrongStage(lazy_gettext("Set up the panel's attributes before importing a pool."))
    if panel.status == "drawn":
        raise WrongStage(lazy_gettext("The panel has already been drawn."))
    reader = csv.DictReader(io.StringIO(csv_text.lstrip("\ufeff")))
    needed = {"name", "email", "consent", *[a["key"] for a in panel.attributes]}
    missing = needed - set(reader.fieldnames or [])
    if missing:
        raise Invalid(
            {
                "file": lazy_gettext(
                    "The file needs the columns: %(cols)s.", cols=", ".join(sorted(missing))
                )
            }
        )
    rows = []
    for line, row in enumerate(reader, start=2):
        if line > MAX_POOL_IMPORT + 1:
            raise Invalid(
                {"file": lazy_gettext("Import at most %(n)s people at once.", n=MAX_POOL_IMPORT)}
            )
        email = (row.get("email") or "").strip().lower()
        name = (row.get("name") or "").strip()
        if not EMAIL_RE.match(email) or not name or len(name) > 100:
            raise Invalid(
                {
                    "file": lazy_gettext(
                        "Line %(n)s: a name and a valid e-mail address are needed.", n=line
                    )
                }
            )
        if (row.get("consent") or "").strip().lower() not in {"yes", "y", "true", "1", "ie"}:
            raise Invalid(
                {
                    "file": lazy_gettext(
                        "Line %(n)s: no recorded consent, so this person cannot be added.", n=line
                    )
                }
            )
        attributes = _read_attributes(
            panel, {k: (v or "").strip() for k, v in row.items() if k}, None, prefix=""
        )
        if len(attributes) != len(panel.attributes):
            raise Invalid(
                {
                    "file": lazy_gettext(
                        "Line %(n)s: an attribute value is not one of the declared values.", n=line
                    )
                }
            )
        rows.append((email, name, attributes))
    existing = {
        v.email.lower(): v
        for v in (
            await db.execute(select(Volunteer).where(Volunteer.panel_id == panel.id))
        ).scalars()
    }
    users = {
        u.email.lower(): u.id
        for u in (
            await db.execute(select(User).where(func.lower(User.email).in_([r[0] for r in rows])))
        ).scalars()
    }
    added = updated = 0
    for email, name, attributes in rows:
        if email in existing:
            existing[email].name, existing[email].attributes = name, attributes
            updated += 1
            continue
        db.add(
            Volunteer(
                panel_id=panel.id, cycle_id=cycle.id, user_id=users.get(email), name=name,
                email=email, attributes=attributes, consent_at=utcnow(), source="csv",
            )
        )  # fmt: skip
        existing[email] = None  # type: ignore[assignment]
        added += 1
    await db.flush()
    await audit.record(
        db, viewer.user, "panel.pool_imported", panel, {"added": added, "updated": updated}
    )
    return ImportResult(added, updated)


# --- the draw -------------------------------------------------------------------------------


def _quotas(panel: Panel) -> list[selection.Quota]:
    return [
        selection.Quota(attribute["key"], value["key"], int(value["min"]), int(value["max"]))
        for attribute in panel.attributes
        for value in attribute["values"]
    ]


async def _pool(db: AsyncSession, panel: Panel) -> list[Volunteer]:
    return list(
        (
            await db.execute(
                select(Volunteer).where(Volunteer.panel_id == panel.id).order_by(Volunteer.id)
            )
        ).scalars()
    )


def _candidates(people: list[Volunteer]) -> list[selection.Candidate]:
    return [selection.Candidate(str(p.id), dict(p.attributes)) for p in people]


class _Reasons:
    """Why a draw failed, in the reader's language when shown: the selection's problems through
    gettext, with each attribute and value called by its name in that language."""

    def __init__(self, problems: list[str], attributes: list[dict[str, Any]]) -> None:
        self.problems = problems
        self.names: dict[tuple[str, str], dict[str, str]] = {}
        for attribute in attributes:
            self.names[("attribute", attribute["key"])] = attribute
            for value in attribute["values"]:
                self.names[("value", value["key"])] = value

    def _label(self, name: str, value: object) -> object:
        found = self.names.get((name, value)) if isinstance(value, str) else None
        if found is None:
            return value
        return found["name_cy"] if i18n.get_locale() == "cy" else found["name_en"]

    def __str__(self) -> str:
        return "; ".join(
            problem.translated(i18n.gettext, self._label)
            if isinstance(problem, selection.Problem)
            else problem
            for problem in self.problems
        )


async def publish_seed(
    db: AsyncSession, viewer: Viewer, cycle_id: uuid.UUID, form: FormInput
) -> Panel:
    _cycle, panel = await _checked(db, viewer, cycle_id, Action.DRAW_PANEL)
    if panel is None:
        raise WrongStage(lazy_gettext("Set up the panel first."))
    if panel.status == "drawn":
        raise WrongStage(lazy_gettext("The panel has already been drawn."))
    seed = form.text("seed", max_length=100, required=False) or secrets.token_hex(16)
    panel.seed, panel.seed_published_at = seed, utcnow()
    await audit.record(db, viewer.user, "panel.seed_published", panel, {"seed": seed})
    return panel


async def draw(db: AsyncSession, viewer: Viewer, cycle_id: uuid.UUID) -> Panel:
    cycle, panel = await _checked(db, viewer, cycle_id, Action.DRAW_PANEL)
    if panel is None:
        raise WrongStage(lazy_gettext("Set up the panel first."))
    if panel.status == "drawn":
        raise WrongStage(lazy_gettext("The panel has already been drawn."))
    if not panel.seed:
        raise WrongStage(lazy_gettext("Publish the seed before the draw, so anyone can check it."))
    people = await _pool(db, panel)
    try:
        # The solver is CPU work: keep the event loop free for other requests.
        result = await asyncio.to_thread(
            selection.select_panel, _candidates(people), panel.size, _quotas(panel), panel.seed
        )
    except selection.QuotasInfeasible as error:
        raise Conflict(
            lazy_gettext(
                "The quotas cannot be met: %(problems)s",
                problems=_Reasons(error.problems, panel.attributes),
            )
        ) from None
    chosen = set(result.panel)
    rng_order = {pid: index for index, pid in enumerate(_draw_order(result, panel.seed))}
    for person in people:
        key = str(person.id)
        person.probability = float(result.probabilities.get(key, 0.0))
        person.draw_position = rng_order.get(key)
        if key in chosen:
            person.status = "selected"
            person.decided_at = utcnow()
            if person.user_id:
                notify(db, person.user_id, "panel_selected", cycle_id=cycle.id, details={})
    panel.status, panel.drawn_at = "drawn", utcnow()
    panel.report = {
        "algorithm": result.algorithm,
        "seed": result.seed,
        "minimum_probability": result.minimum_probability,
        "quotas": result.quota_report,
        "pool": len(people),
        "size": panel.size,
    }
    await db.flush()
    await audit.record(
        db, viewer.user, "panel.drawn", panel,
        {"seed": panel.seed, "pool": len(people), "selected": len(chosen),
         "minimum_probability": result.minimum_probability},
    )  # fmt: skip
    return panel


def _draw_order(result: selection.Selection, seed: str) -> list[str]:
    return sorted(result.probabilities, key=lambda pid: (pid not in result.panel, pid))


async def leave_panel(db: AsyncSession, viewer: Viewer, cycle_id: uuid.UUID) -> Volunteer | None:
    """A member declines or leaves; a replacement is drawn from the pool keeping the quotas."""
    cycle, panel = await _checked(db, viewer, cycle_id, Action.LEAVE_PANEL)
    assert panel is not None
    people = await _pool(db, panel)
    me = next(p for p in people if p.user_id == viewer.id and p.status in MEMBER_STATUSES)
    me.status, me.decided_at = "declined", utcnow()
    current = [str(p.id) for p in people if p.status in MEMBER_STATUSES]
    unavailable = [str(p.id) for p in people if p.status in ("declined", "withdrawn")]
    pick = selection.replacement(
        _candidates(people),
        current,
        str(me.id),
        _quotas(panel),
        f"{panel.seed}:replacement:{len(unavailable)}",
        exclude=unavailable,
    )
    replacement = None
    if pick is not None:
        replacement = next(p for p in people if str(p.id) == pick)
        replacement.status, replacement.decided_at = "selected", utcnow()
        if replacement.user_id:
            notify(db, replacement.user_id, "panel_selected", cycle_id=cycle.id, details={})
    await audit.record(
        db, viewer.user, "panel.member_left", panel,
        {"replacement": str(replacement.id) if replacement else None},
    )  # fmt: skip
    return replacement


async def invite_member(
    db: AsyncSession, viewer: Viewer, cycle_id: uuid.UUID, form: FormInput
) -> Volunteer:
    """Direct invitation (e.g. someone with lived experience the pool lacks), recorded as such."""
    cycle, panel = await _checked(db, viewer, cycle_id, Action.DRAW_PANEL)
    if panel is None:
        raise WrongStage(lazy_gettext("Set up the panel first."))
    email = form.email("email")
    form.raise_if_invalid()
    user = (
        await db.execute(select(User).where(func.lower(User.email) == email))
    ).scalar_one_or_none()
    if user is None:
        raise Invalid({"email": lazy_gettext("Nobody has an account with that address yet.")})
    person = (
        await db.execute(
            select(Volunteer).where(Volunteer.panel_id == panel.id, Volunteer.user_id == user.id)
        )
    ).scalar_one_or_none()
    if person is None:
        person = Volunteer(
            panel_id=panel.id, cycle_id=cycle.id, user_id=user.id, name=user.display_name,
            email=user.email, attributes={}, consent_at=utcnow(), source="invited",
        )  # fmt: skip
        db.add(person)
    person.status, person.decided_at = "accepted", utcnow()
    await db.flush()
    notify(db, user.id, "panel_selected", cycle_id=cycle.id, details={"invited": True})
    await audit.record(db, viewer.user, "panel.member_invited", panel, {"user": str(user.id)})
    return person


# --- reading --------------------------------------------------------------------------------


@dataclass
class PanelView:
    panel: Panel | None
    members: list[Volunteer]
    pool_size: int
    mine: Volunteer | None
    people: list[Volunteer]  # the whole pool, for facilitators only


async def panel_view(
    db: AsyncSession, viewer: Viewer, cycle: Cycle, actors: set[Actor]
) -> PanelView:
    panel = await get_panel(db, cycle.id)
    if panel is None:
        return PanelView(None, [], 0, None, [])
    people = await _pool(db, panel)
    staff = bool({Actor.COMMISSIONER, Actor.FACILITATOR} & actors)
    mine = next((p for p in people if viewer.id and p.user_id == viewer.id), None)
    members = [p for p in people if p.status in MEMBER_STATUSES]
    return PanelView(panel, members if staff else [], len(people), mine, people if staff else [])


@cycles.register_page_context
async def cycle_page_panel(
    db: AsyncSession, viewer: Viewer, cycle: Cycle, actors: set[Actor]
) -> dict[str, Any]:
    panel = await get_panel(db, cycle.id)
    mine = None
    if panel is not None and viewer.id is not None:
        mine = (
            await db.execute(
                select(Volunteer).where(
                    Volunteer.panel_id == panel.id, Volunteer.user_id == viewer.id
                )
            )
        ).scalar_one_or_none()
    return {"panel": panel, "my_volunteering": mine}


def require_staff(actors: set[Actor]) -> None:
    if not {Actor.COMMISSIONER, Actor.FACILITATOR} & actors:
        raise NotAllowed()
