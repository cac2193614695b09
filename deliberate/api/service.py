"""What the open-data API publishes, read in a fixed number of queries per response. Only what is
public: cycles that are not private drafts, proposals (no authors), results after the vote has
closed, published specification versions (threads left out where the panel's are private)."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import uuid
from typing import Any

from sqlalchemy import select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from deliberate.accounts.models import Organisation
from deliberate.cycles.models import Cycle
from deliberate.cycles.stages import Stage
from deliberate.deliberation.models import Panel
from deliberate.errors import NotFound
from deliberate.i18n import lazy_gettext
from deliberate.proposals.models import Proposal
from deliberate.specs import exports
from deliberate.specs import service as specs
from deliberate.specs.models import DeliveryUpdate, Specification, SpecVersion
from deliberate.voting.models import BallotOption, Tally

MAX_LIMIT = 200
DEFAULT_LIMIT = 50


def cycle_json(cycle: Cycle, organisation: Organisation, urls: dict[str, str | None]) -> dict:
    return {
        "id": str(cycle.id),
        "title": {"en": cycle.title_en, "cy": cycle.title_cy},
        "summary": {"en": cycle.summary_en, "cy": cycle.summary_cy},
        "stage": cycle.stage,
        "service_area": cycle.service_area,
        "budget": int(cycle.budget or 0),
        "organisation": {
            "slug": organisation.slug,
            "name": {"en": organisation.name_en, "cy": organisation.name_cy},
        },
        "stage_changed_at": cycle.stage_changed_at.isoformat(),
        "links": urls,
    }


def _public(query):
    return query.where((Cycle.stage != Stage.DRAFT.value) | Cycle.announced.is_(True))


async def list_cycles(db: AsyncSession) -> list[tuple[Cycle, Organisation, int | None]]:
    rows = await db.execute(
        _public(
            select(Cycle, Organisation, Specification.published_version)
            .join(Organisation, Organisation.id == Cycle.organisation_id)
            .outerjoin(Specification, Specification.cycle_id == Cycle.id)
        ).order_by(Cycle.stage_changed_at.desc(), Cycle.id)
    )
    return [(c, o, n) for c, o, n in rows]


async def get_cycle(
    db: AsyncSession, cycle_id: uuid.UUID
) -> tuple[Cycle, Organisation, int | None]:
    row = (
        await db.execute(
            _public(
                select(Cycle, Organisation, Specification.published_version)
                .join(Organisation, Organisation.id == Cycle.organisation_id)
                .outerjoin(Specification, Specification.cycle_id == Cycle.id)
                .where(Cycle.id == cycle_id)
            )
        )
    ).first()
    if row is None:
        raise NotFound(lazy_gettext("There is no such cycle."))
    return row[0], row[1], row[2]


def results_public(cycle: Cycle) -> bool:
    return cycle.current_stage.index > Stage.VOTING.index


def encode_cursor(created_at: dt.datetime, proposal_id: uuid.UUID) -> str:
    raw = f"{created_at.isoformat()}|{proposal_id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[dt.datetime, uuid.UUID]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        stamp, _sep, ident = raw.partition("|")
        return dt.datetime.fromisoformat(stamp), uuid.UUID(ident)
    except (ValueError, UnicodeDecodeError):
        raise NotFound(lazy_gettext("That page cursor is not valid.")) from None


async def proposal_page(
    db: AsyncSession, cycle_id: uuid.UUID, limit: int, after: str | None
) -> tuple[list[Proposal], str | None]:
    """Keyset pagination on (created_at, id): one query whatever the page."""
    query = (
        select(Proposal)
        .where(Proposal.cycle_id == cycle_id)
        .order_by(Proposal.created_at, Proposal.id)
        .limit(limit + 1)
    )
    if after:
        stamp, ident = decode_cursor(after)
        query = query.where(tuple_(Proposal.created_at, Proposal.id) > tuple_(stamp, ident))
    rows = list((await db.execute(query)).scalars())
    more = len(rows) > limit
    rows = rows[:limit]
    cursor = encode_cursor(rows[-1].created_at, rows[-1].id) if more and rows else None
    return rows, cursor


def proposal_json(proposal: Proposal) -> dict[str, Any]:
    return {
        "id": str(proposal.id),
        "cycle_id": str(proposal.cycle_id),
        "title": proposal.title,
        "body": proposal.body,
        "language": proposal.language,
        "category": proposal.category,
        "status": proposal.status,
        "answer": proposal.answer,
        "answer_reason": proposal.answer_reason,
        "support_count": proposal.support_count,
        "estimated_cost": proposal.estimated_cost,
        "merged_into_id": str(proposal.merged_into_id) if proposal.merged_into_id else None,
        "created_at": proposal.created_at.isoformat(),
    }


async def results(db: AsyncSession, cycle: Cycle) -> dict[str, Any]:
    tally = await db.get(Tally, cycle.id)
    if tally is None or not results_public(cycle):
        raise NotFound(lazy_gettext("The results are published when voting closes."))
    options = (
        await db.execute(
            select(BallotOption)
            .where(BallotOption.cycle_id == cycle.id)
            .order_by(BallotOption.position)
        )
    ).scalars()
    rows = []
    for option in options:
        found = specs.result_of(option, tally)
        rows.append(
            {
                "option_id": found["option_id"],
                "position": option.position,
                "proposal_id": found["proposal_id"],
                "title": option.title,
                "rank": found["rank"],
                "selected": found["selected"],
                "score": found["score"],
                "cost": option.cost,
            }
        )
    return {
        "cycle_id": str(cycle.id),
        "method": tally.method,
        "ballots_counted": tally.ballots_counted,
        "computed_at": tally.computed_at.isoformat(),
        "options": rows,
    }


async def published_specification(
    db: AsyncSession, cycle: Cycle, number: int | None
) -> tuple[Specification, SpecVersion, list[DeliveryUpdate], bool]:
    spec = await specs.get_specification(db, cycle.id)
    if spec is None or spec.published_version is None:
        raise NotFound(lazy_gettext("This cycle has no published specification."))
    if number is not None and number != spec.published_version:
        raise NotFound(lazy_gettext("Only the published version is open data."))
    version = await specs.get_version(db, spec, spec.published_version)
    updates = list(
        (
            await db.execute(
                select(DeliveryUpdate)
                .where(DeliveryUpdate.cycle_id == cycle.id)
                .order_by(DeliveryUpdate.reported_on.desc(), DeliveryUpdate.created_at.desc())
            )
        ).scalars()
    )
    private = bool(await db.scalar(select(Panel.threads_private).where(Panel.cycle_id == cycle.id)))
    return spec, version, updates, private


def specification_json(
    spec: Specification,
    version: SpecVersion,
    updates: list[DeliveryUpdate],
    private_threads: bool,
    url: str,
) -> dict[str, Any]:
    doc = exports.document(version, spec, url)
    by_clause: dict[str, list[dict[str, Any]]] = {}
    for update in updates:
        by_clause.setdefault(str(update.clause_id), []).append(
            {
                "status": update.status,
                "note": update.note,
                "evidence_url": update.evidence_url,
                "reported_on": update.reported_on.isoformat(),
            }
        )
    for section in doc["sections"]:
        for clause in section["clauses"]:
            if private_threads:
                clause["threads"] = []
            clause["results"] = [
                {k: r[k] for k in ("option_id", "proposal_id", "rank", "selected")}
                for r in clause["results"]
            ]
            clause["delivery"] = by_clause.get(clause["id"], [])
    return {
        key: doc[key]
        for key in (
            "specification_id", "cycle_id", "version", "url", "published_at", "title", "sections"
        )
    }  # fmt: skip


def etag_for(version: SpecVersion, updates: list[DeliveryUpdate]) -> str:
    """The version is frozen; only delivery updates change the document."""
    seed = f"{version.id}|{len(updates)}|{max((u.created_at for u in updates), default='')}"
    return '"' + hashlib.sha256(seed.encode()).hexdigest()[:32] + '"'
