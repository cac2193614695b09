"""Panels over HTTP: declaring what volunteers are asked, volunteering with consent, importing a
pool, the seed published before the draw, the draw by stratified lot with its report, quotas that
cannot be met, leaving with a replacement, and direct invitations."""

from __future__ import annotations

import contextlib
import json

from factories import PASSWORD, make_cycle, make_organisation, make_user
from helpers import Browser, field_error, soup
from sqlalchemy import select

from deliberate.accounts.models import Role
from deliberate.audit import AuditEvent
from deliberate.deliberation.models import Panel, Volunteer

ATTRIBUTES = "Age | Oedran = Under 40 | Dan 40 [1-2]; 40 and over | 40 a throsodd [1-2]\nArea | Ardal = North | Gogledd [1-2]; South | De [1-2]"


@contextlib.asynccontextmanager
async def signed_in(app, email: str):
    async with Browser(app) as browser:
        await browser.sign_in(email, PASSWORD)
        yield browser


async def _setup(db):
    organisation = await make_organisation(db)
    cycle = await make_cycle(db, organisation, stage="proposals")
    await make_user(db, "com@example.org", roles=[(Role.COMMISSIONER, organisation)])
    await make_user(db, "fac@example.org", roles=[(Role.FACILITATOR, organisation)])
    return cycle


async def _configure(app, cycle, size="3", attributes=ATTRIBUTES):
    path = f"/cycles/{cycle.id}/panel"
    async with signed_in(app, "com@example.org") as commissioner:
        return await commissioner.submit(
            f"{path}/configure", {"size": size, "attributes": attributes}, form_page=path
        )


CSV = """name,email,consent,age,area
Alaw,alaw@example.org,yes,under_40,north
Bedwyr,bedwyr@example.org,yes,40_and_over,south
Cerys,cerys@example.org,yes,under_40,south
Dylan,dylan@example.org,yes,40_and_over,north
Elin,elin@example.org,yes,under_40,north
Gethin,gethin@example.org,yes,40_and_over,south
"""


async def test_configure_and_volunteer_with_consent(app, db):
    cycle = await _setup(db)
    bad = await _configure(app, cycle, attributes="Age = young")
    assert bad.status_code == 422 and "quota in brackets" in field_error(bad, "attributes")
    assert (await _configure(app, cycle)).status_code == 303
    await make_user(db, "vol@example.org", name="Vera")
    path = f"/cycles/{cycle.id}/panel"
    async with signed_in(app, "vol@example.org") as volunteer:
        page = soup(await volunteer.get(path))
        assert page.find("select", attrs={"name": "attr_age"}) is not None
        no_consent = await volunteer.submit(
            f"{path}/volunteer", {"name": "Vera", "attr_age": "under_40", "attr_area": "north"},
            form_page=path,
        )  # fmt: skip
        assert no_consent.status_code == 422
        assert field_error(no_consent, "consent") is None or "agree" in soup(no_consent).get_text()
        ok = await volunteer.submit(
            f"{path}/volunteer",
            {"name": "Vera", "attr_age": "under_40", "attr_area": "north", "consent": "yes"},
            form_page=path,
        )
        assert ok.status_code == 303
        withdrawn = await volunteer.submit(f"{path}/withdraw", form_page=path)
        assert withdrawn.status_code == 303
    assert (await db.execute(select(Volunteer))).first() is None  # nothing kept after withdrawal


async def test_import_names_the_bad_line_and_keeps_nothing(app, db):
    cycle = await _setup(db)
    await _configure(app, cycle)
    path = f"/cycles/{cycle.id}/panel"
    broken = CSV.replace("Cerys,cerys@example.org,yes", "Cerys,cerys@example.org,no")
    async with signed_in(app, "com@example.org") as commissioner:
        token = await commissioner.csrf_token(path)
        response = await commissioner.post(
            f"{path}/import",
            data={"csrf_token": token},
            files={"file": ("pool.csv", broken, "text/csv")},
        )
        assert response.status_code == 422
        assert "Line 4" in soup(response).get_text()
        assert (await db.execute(select(Volunteer))).first() is None
        response = await commissioner.post(
            f"{path}/import",
            data={"csrf_token": token},
            files={"file": ("pool.csv", CSV, "text/csv")},
        )
        assert response.status_code == 303
    assert len((await db.execute(select(Volunteer))).all()) == 6


async def test_seed_first_then_a_reproducible_draw_with_its_report(app, db):
    cycle = await _setup(db)
    await _configure(app, cycle)
    path = f"/cycles/{cycle.id}/panel"
    async with signed_in(app, "com@example.org") as commissioner:
        token = await commissioner.csrf_token(path)
        await commissioner.post(
            f"{path}/import", data={"csrf_token": token}, files={"file": ("p.csv", CSV, "text/csv")}
        )
        early = await commissioner.submit(f"{path}/draw", form_page=path)
        assert early.status_code == 409
        assert "Publish the seed" in soup(early).get_text()
        await commissioner.submit(f"{path}/seed", {"seed": "Lottery 3 14 15 92 65"}, form_page=path)
        drawn = await commissioner.submit(f"{path}/draw", form_page=path)
        assert drawn.status_code == 303
        staff_page = soup(await commissioner.get(path))
        assert "Alaw" in staff_page.get_text()  # staff see names
    selected = (
        (await db.execute(select(Volunteer).where(Volunteer.status == "selected"))).scalars().all()
    )
    assert len(selected) == 3
    ages = {v.attributes["age"] for v in selected}
    assert ages == {"under_40", "40_and_over"}  # quotas: 1 to 2 of each
    probabilities = (await db.execute(select(Volunteer.probability))).scalars().all()
    assert abs(sum(probabilities) - 3) < 1e-6 and min(probabilities) > 0

    async with Browser(app) as public:
        page = soup(await public.get(path))
        assert "Alaw" not in page.get_text()  # the public sees no names
        report = (await public.get(f"{path}/report.json")).json()
    assert report["seed"] == "Lottery 3 14 15 92 65"
    assert len(report["pool"]) == 6 and "name" not in json.dumps(report["pool"])
    assert sum(1 for v in report["pool"] if v["selected"]) == 3

    # The same pool, quotas and seed give the same panel.
    from deliberate.deliberation import selection

    panel = (await db.execute(select(Panel))).scalar_one()
    people = (await db.execute(select(Volunteer).order_by(Volunteer.id))).scalars().all()
    again = selection.select_panel(
        [selection.Candidate(str(p.id), p.attributes) for p in people], 3,
        [selection.Quota(a["key"], v["key"], v["min"], v["max"]) for a in panel.attributes for v in a["values"]],
        panel.seed,
    )  # fmt: skip
    assert set(again.panel) == {str(v.id) for v in selected}
    actions = (await db.execute(select(AuditEvent.action))).scalars().all()
    assert {"panel.seed_published", "panel.drawn"} <= set(actions)


async def test_quotas_that_cannot_be_met_are_named(app, db):
    cycle = await _setup(db)
    await _configure(app, cycle, attributes="Age = Under 40 [3-3]; Over 40 [0-0]")
    path = f"/cycles/{cycle.id}/panel"
    async with signed_in(app, "com@example.org") as commissioner:
        token = await commissioner.csrf_token(path)
        small = "name,email,consent,age\nA,a@example.org,yes,under_40\nB,b@example.org,yes,over_40\nC,c@example.org,yes,over_40\n"
        await commissioner.post(
            f"{path}/import",
            data={"csrf_token": token},
            files={"file": ("p.csv", small, "text/csv")},
        )
        await commissioner.submit(f"{path}/seed", {"seed": "s"}, form_page=path)
        refused = await commissioner.submit(f"{path}/draw", form_page=path)
    assert refused.status_code == 409
    text = soup(refused).get_text()
    assert "cannot be met" in text and "under_40" in text.lower().replace(" ", "_")


async def test_leaving_draws_a_replacement_keeping_the_quotas(app, db):
    cycle = await _setup(db)
    await _configure(app, cycle)
    path = f"/cycles/{cycle.id}/panel"
    people = {}
    for line in CSV.strip().splitlines()[1:]:
        name, email, *_ = line.split(",")
        people[email] = await make_user(db, email, name=name)
    async with signed_in(app, "com@example.org") as commissioner:
        token = await commissioner.csrf_token(path)
        await commissioner.post(
            f"{path}/import", data={"csrf_token": token}, files={"file": ("p.csv", CSV, "text/csv")}
        )
        await commissioner.submit(f"{path}/seed", {"seed": "fixed"}, form_page=path)
        await commissioner.submit(f"{path}/draw", form_page=path)
    member = (
        await db.execute(select(Volunteer).where(Volunteer.status == "selected").limit(1))
    ).scalar_one()
    async with signed_in(app, member.email) as leaving:
        response = await leaving.submit(f"{path}/leave", form_page=path)
        assert response.status_code == 303
    db.expunge_all()
    selected = (
        (await db.execute(select(Volunteer).where(Volunteer.status == "selected"))).scalars().all()
    )
    assert len(selected) == 3 and member.id not in {v.id for v in selected}
    counts = {}
    for v in selected:
        counts[v.attributes["age"]] = counts.get(v.attributes["age"], 0) + 1
    assert all(1 <= n <= 2 for n in counts.values())


async def test_direct_invitation_makes_a_member(app, db):
    cycle = await _setup(db)
    await _configure(app, cycle)
    await make_user(db, "expert@example.org", name="Eira")
    path = f"/cycles/{cycle.id}/panel"
    async with signed_in(app, "fac@example.org") as facilitator:
        unknown = await facilitator.submit(
            f"{path}/invite", {"email": "nobody@example.org"}, form_page=path
        )
        assert unknown.status_code == 422
        ok = await facilitator.submit(
            f"{path}/invite", {"email": "expert@example.org"}, form_page=path
        )
        assert ok.status_code == 303
    person = (await db.execute(select(Volunteer))).scalar_one()
    assert (person.source, person.status) == ("invited", "accepted")


async def test_citizens_cannot_configure_or_draw(app, db):
    cycle = await _setup(db)
    await make_user(db, "citizen@example.org")
    path = f"/cycles/{cycle.id}/panel"
    async with signed_in(app, "citizen@example.org") as citizen:
        assert (
            await citizen.submit(
                f"{path}/configure", {"size": "3", "attributes": ""}, form_page=path
            )
        ).status_code == 403
        assert (await citizen.submit(f"{path}/draw", form_page=path)).status_code == 403


async def test_a_failing_draw_names_the_quota_in_the_readers_language(app, db):
    from deliberate.security import LANG_COOKIE

    cycle = await _setup(db)
    await _configure(
        app, cycle, attributes="Age | Oedran = Under 40 | Dan 40 [3-3]; Over 40 | Dros 40 [0-0]"
    )
    path = f"/cycles/{cycle.id}/panel"
    pool = "name,email,consent,age\nA,a@example.org,yes,under_40\nB,b@example.org,yes,over_40\nC,c@example.org,yes,over_40\n"  # fmt: skip
    async with signed_in(app, "com@example.org") as commissioner:
        token = await commissioner.csrf_token(path)
        await commissioner.post(
            f"{path}/import",
            data={"csrf_token": token},
            files={"file": ("p.csv", pool, "text/csv")},
        )
        await commissioner.submit(f"{path}/seed", {"seed": "s"}, form_page=path)
        refused = await commissioner.submit(f"{path}/draw", form_page=path)
        assert refused.status_code == 409
        english = " ".join(soup(refused).get_text().split())
        assert "Age = Under 40: minimum 3 but only 1 volunteer has it" in english
        commissioner.cookies.set(LANG_COOKIE, "cy")
        welsh = await commissioner.submit(f"{path}/draw", form_page=path)
    assert welsh.status_code == 409 and soup(welsh).html["lang"] == "cy"
    text = " ".join(soup(welsh).get_text().split())
    # The quota is named as the panel names it in Welsh, whatever the catalog holds.
    assert "Oedran = Dan 40" in text and "Under 40" not in text
    assert (
        await db.execute(select(Volunteer.status).where(Volunteer.status == "selected"))
    ).first() is None
