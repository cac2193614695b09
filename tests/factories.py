"""Factories for accounts data, written straight to the database through the services."""

from __future__ import annotations

from deliberate.accounts import service
from deliberate.accounts.models import Organisation, Role, User
from deliberate.forms import FormInput

PASSWORD = "correct horse battery"


async def make_user(
    session,
    email: str = "person@example.org",
    *,
    name: str = "Person",
    password: str | None = PASSWORD,
    verified: bool = True,
    roles: list[tuple[Role, Organisation | None]] | None = None,
) -> User:
    user = await service.create_user(
        session, email=email, display_name=name, password=password, verified=verified
    )
    for role, organisation in roles or []:
        await service.grant_role(session, None, user, role, organisation)
    await session.commit()
    return user


async def make_organisation(session, slug: str = "ceredigion", name: str = "Ceredigion Council"):
    organisation = await service.create_organisation(
        session, None, FormInput({"slug": slug, "name_en": name, "name_cy": f"Cyngor {name}"})
    )
    await session.commit()
    return organisation
