"""The access table covers every route, docs/routes.md is generated from it, and the gate answers
as the table says: an unlisted route 403, a signed-out person sent to sign in, a wrong role 403,
a stage action in the wrong stage 409 with the reason."""

from __future__ import annotations

from pathlib import Path

from factories import PASSWORD, make_cycle, make_organisation, make_user
from helpers import Browser
from starlette.routing import Route

from deliberate import access
from deliberate.accounts.models import Role
from deliberate.app import all_routes

ROOT = Path(__file__).resolve().parents[2]


def test_every_route_and_method_has_an_entry():
    assert access.missing(all_routes()) == [], "add these routes to deliberate/access.py"


def test_every_entry_names_a_route():
    names = {getattr(route, "name", None) for route in all_routes()}
    assert sorted(set(access.ROUTES) - names) == []


def test_docs_routes_md_is_up_to_date():
    expected = access.markdown(all_routes())
    current = (ROOT / "docs" / "routes.md").read_text(encoding="utf-8")
    assert current == expected, "run: deliberate routes --markdown > docs/routes.md"


async def test_a_route_missing_from_the_table_answers_403(app, monkeypatch):
    # An entry removed from the table after start-up: the gate refuses rather than lets through.
    monkeypatch.delitem(access.ROUTES, "cycles:list")
    async with Browser(app) as browser:
        response = await browser.get("/cycles")
    assert response.status_code == 403
    assert access.missing([Route("/x", lambda r: None, name="x:unlisted")]) == ["x:unlisted GET"]


async def test_the_gate_signs_in_refuses_and_names_the_stage(app, db):
    organisation = await make_organisation(db)
    other = await make_organisation(db, slug="powys", name="Powys County Council")
    cycle = await make_cycle(db, organisation, stage="voting")
    await make_user(db, email="citizen@example.org", password=PASSWORD)
    await make_user(
        db, email="outsider@example.org", password=PASSWORD, roles=[(Role.COMMISSIONER, other)]
    )
    await db.commit()
    async with Browser(app) as anonymous:
        signin = await anonymous.get(f"/cycles/{cycle.id}/ballot")
        assert signin.status_code == 303 and signin.headers["location"].startswith("/signin")
        # The stage is judged before the person, as `cycles.service.require` does.
        assert (await anonymous.get(f"/cycles/{cycle.id}/edit")).status_code == 409
        admin = await anonymous.get("/admin")
        assert admin.status_code == 303 and "/signin" in admin.headers["location"]
    async with Browser(app) as citizen:
        await citizen.sign_in("citizen@example.org", PASSWORD)
        assert (await citizen.get("/admin")).status_code == 403
        assert (await citizen.get("/cycles/new")).status_code == 403
        wrong_stage = await citizen.get(f"/cycles/{cycle.id}/proposals/new")
        assert wrong_stage.status_code == 409
        assert "is not possible while the cycle is at the Voting stage" in wrong_stage.text
    async with Browser(app) as outsider:
        await outsider.sign_in("outsider@example.org", PASSWORD)
        # A commissioner, but of another organisation.
        assert (await outsider.get(f"/cycles/{cycle.id}/ballot")).status_code == 403
