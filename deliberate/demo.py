"""Demo data: an account for each role and the organisations they work for. Idempotent; for local
use only (the passwords are published in the README)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from deliberate import audit
from deliberate.accounts import service
from deliberate.accounts.models import Organisation, Role, User
from deliberate.forms import FormInput

DEMO_PASSWORD = "deliberate-demo"  # noqa: S105 - published demo password, local use only

ORGANISATIONS = [
    ("ceredigion", "Ceredigion County Council", "Cyngor Sir Ceredigion"),
    ("hywel-dda", "Hywel Dda University Health Board", "Bwrdd Iechyd Prifysgol Hywel Dda"),
]

# (e-mail, display name, language, stakeholder group, [(role, organisation slug)])
PEOPLE: list[tuple[str, str, str, str | None, list[tuple[Role, str | None]]]] = [
    ("admin@demo.deliberate.cymru", "Alun Admin", "en", None, [(Role.ADMIN, None)]),
    (
        "commissioner@demo.deliberate.cymru",
        "Catrin Commissioner",
        "cy",
        "practitioner",
        [(Role.COMMISSIONER, "ceredigion"), (Role.COMMISSIONER, "hywel-dda")],
    ),
    (
        "facilitator@demo.deliberate.cymru",
        "Ffion Facilitator",
        "cy",
        "practitioner",
        [(Role.FACILITATOR, "ceredigion")],
    ),
    ("citizen@demo.deliberate.cymru", "Dafydd Citizen", "en", "uses_services", []),
    ("carer@demo.deliberate.cymru", "Megan Carer", "cy", "carer", []),
    ("resident@demo.deliberate.cymru", "Rhys Resident", "en", "resident", []),
]


async def load_demo(db: AsyncSession, *, once: bool = False) -> bool:
    """Create what is missing. With `once`, do nothing if the demo was ever loaded."""
    if once:
        done = await db.scalar(
            select(audit.AuditEvent.id).where(audit.AuditEvent.action == "demo.loaded").limit(1)
        )
        if done is not None:
            return False

    organisations: dict[str, Organisation] = {}
    for slug, name_en, name_cy in ORGANISATIONS:
        existing = await db.scalar(select(Organisation).where(Organisation.slug == slug))
        if existing is None:
            existing = await service.create_organisation(
                db, None, FormInput({"slug": slug, "name_en": name_en, "name_cy": name_cy})
            )
        organisations[slug] = existing

    for email, name, language, group, grants in PEOPLE:
        user: User | None = await service.find_user_by_email(db, email)
        if user is None:
            user = await service.create_user(
                db, email=email, display_name=name, password=DEMO_PASSWORD, language=language
            )
            user.stakeholder_group = group
        for role, slug in grants:
            await service.grant_role(db, None, user, role, organisations[slug] if slug else None)

    await audit.record(db, None, "demo.loaded", ("site", "demo"))
    await db.flush()
    return True
