"""Organisations and roles: only an admin manages them, every change is audited, and a role
takes effect on the person's next request."""

from __future__ import annotations

from factories import PASSWORD, make_organisation, make_user
from helpers import Browser, field_error, soup
from sqlalchemy import select

from deliberate.accounts.models import Role, RoleGrant
from deliberate.audit import AuditEvent


async def test_admin_pages_refuse_citizens_and_send_visitors_to_sign_in(app, db):
    await make_user(db, "citizen@example.org")
    async with Browser(app) as visitor:
        response = await visitor.get("/admin")
        assert response.status_code == 303
        assert response.headers["location"] == "/signin?next=/admin"
    async with Browser(app) as citizen:
        await citizen.sign_in("citizen@example.org", PASSWORD)
        assert (await citizen.get("/admin")).status_code == 403
        token = await citizen.csrf_token("/account")
        response = await citizen.post(
            "/admin/organisations",
            data={"csrf_token": token, "slug": "x-org", "name_en": "X"},
        )
        assert response.status_code == 403


async def test_admin_grants_and_revokes_roles_and_it_is_audited(app, db):
    admin = await make_user(db, "admin@example.org", roles=[(Role.ADMIN, None)])
    person = await make_user(db, "kay@example.org", name="Kay")
    organisation = await make_organisation(db)
    async with Browser(app) as browser:
        await browser.sign_in("admin@example.org", PASSWORD)
        found = await browser.get("/admin?q=kay")
        rows = soup(found).select("#people-results tbody tr")
        assert [row.find("a").get_text() for row in rows] == ["Kay"]

        person_page = f"/admin/people/{person.id}"
        response = await browser.submit(
            "/admin/roles/grant",
            {"user_id": str(person.id), "role": "commissioner", "organisation": "ceredigion"},
            form_page=person_page,
        )
        assert response.status_code == 303

        missing_org = await browser.submit(
            "/admin/roles/grant",
            {"user_id": str(person.id), "role": "facilitator", "organisation": ""},
            form_page=person_page,
        )
        assert missing_org.status_code == 422
        assert field_error(missing_org, "organisation")

    grants = (await db.execute(select(RoleGrant).where(RoleGrant.user_id == person.id))).scalars()
    assert [(g.role, g.organisation_id) for g in grants] == [("commissioner", organisation.id)]
    event = (
        await db.execute(
            select(AuditEvent).where(
                AuditEvent.action == "role.granted", AuditEvent.subject_id == str(person.id)
            )
        )
    ).scalar_one()
    assert event.actor_id == admin.id
    assert event.details == {"role": "commissioner", "organisation": "ceredigion"}

    async with Browser(app) as browser:
        await browser.sign_in("admin@example.org", PASSWORD)
        response = await browser.submit(
            "/admin/roles/revoke",
            {"user_id": str(person.id), "role": "commissioner", "organisation": "ceredigion"},
            form_page=f"/admin/people/{person.id}",
        )
        assert response.status_code == 303
        audit_page = await browser.get("/admin/audit")
        assert "role.revoked" in soup(audit_page).get_text()
    person_id = person.id
    db.expire_all()
    remaining = (await db.execute(select(RoleGrant).where(RoleGrant.user_id == person_id))).all()
    assert remaining == []


async def test_role_change_takes_effect_on_the_next_request(app, db):
    await make_user(db, "admin@example.org", roles=[(Role.ADMIN, None)])
    person = await make_user(db, "new-admin@example.org")
    async with Browser(app) as browser, Browser(app) as admin:
        await browser.sign_in("new-admin@example.org", PASSWORD)
        assert (await browser.get("/admin")).status_code == 403
        await admin.sign_in("admin@example.org", PASSWORD)
        await admin.submit(
            "/admin/roles/grant",
            {"user_id": str(person.id), "role": "admin", "organisation": ""},
            form_page=f"/admin/people/{person.id}",
        )
        assert (await browser.get("/admin")).status_code == 200


async def test_admin_cannot_remove_their_own_admin_role(app, db):
    admin = await make_user(db, "admin@example.org", roles=[(Role.ADMIN, None)])
    async with Browser(app) as browser:
        await browser.sign_in("admin@example.org", PASSWORD)
        response = await browser.submit(
            "/admin/roles/revoke",
            {"user_id": str(admin.id), "role": "admin", "organisation": ""},
            form_page=f"/admin/people/{admin.id}",
        )
        assert response.status_code == 409


async def test_create_organisation_validates_and_keeps_input(app, db):
    await make_user(db, "admin@example.org", roles=[(Role.ADMIN, None)])
    await make_organisation(db, "powys", "Powys")
    async with Browser(app) as browser:
        await browser.sign_in("admin@example.org", PASSWORD)
        taken = await browser.submit(
            "/admin/organisations", {"slug": "powys", "name_en": "Powys Again"}, form_page="/admin"
        )
        assert taken.status_code == 422
        assert field_error(taken, "slug")
        assert soup(taken).find("input", attrs={"name": "name_en"})["value"] == "Powys Again"
        ok = await browser.submit(
            "/admin/organisations",
            {"slug": "gwynedd", "name_en": "Gwynedd Council", "name_cy": "Cyngor Gwynedd"},
            form_page="/admin",
        )
        assert ok.status_code == 303
        page = await browser.get("/admin")
        assert "Gwynedd Council" in soup(page).get_text()
