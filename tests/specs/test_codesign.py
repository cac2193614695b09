"""Co-design over HTTP: the commissioner edits (each save a version, with a reason), panel members
propose amendments (shown as a diff) and comment, the commissioner or a facilitator decides with a
reason; permissions per stage; diffs between versions."""

from __future__ import annotations

from factories import make_user
from helpers import field_error, soup
from specs.support import build_world, clauses_of, signed_in, spec_of
from sqlalchemy import select

from deliberate.audit import AuditEvent
from deliberate.specs.diffing import changed_words, version_diff, word_diff
from deliberate.specs.models import Amendment, AmendmentComment, SpecVersion


def test_word_diff_marks_and_escapes():
    html = str(word_diff("Lunch <b>twice</b> a week", "Lunch three times a week"))
    assert "<b>" not in html and "&lt;b&gt;twice&lt;/b&gt;" in html
    assert "<del>" in html and "<ins>" in html
    assert 'class="visually-hidden">[deleted:' in html and "[inserted:" in html
    assert changed_words("a b c", "a x c") == (["b"], ["x"])


def test_version_diff_names_added_removed_and_changed():
    def snap(clauses):
        return {"sections": [{"key": "k", "title_en": "S", "title_cy": "S", "clauses": clauses}]}

    old = snap([{"id": "1", "body_en": "one"}, {"id": "2", "body_en": "two"}])
    new = snap([{"id": "1", "body_en": "one more"}, {"id": "3", "body_en": "three"}])
    kinds = {c.clause_id: c.kind for c in version_diff(old, new)}
    assert kinds == {"1": "changed", "3": "added", "2": "removed"}


async def test_commissioner_edits_make_versions_with_a_reason(app, db):
    world = await build_world(db)
    clause = (await clauses_of(db, world.cycle.id))[0]
    path = f"/clauses/{clause.id}/edit"
    async with signed_in(app, "com@example.org") as commissioner:
        form = await commissioner.get(path)
        assert form.status_code == 200
        missing = await commissioner.submit(path, {"body_en": "New words", "body_cy": ""})
        assert missing.status_code == 422
        assert field_error(missing, "reason")
        assert soup(missing).find(id="field-body_en").get_text() == "New words"  # input kept
        saved = await commissioner.submit(
            path,
            {"body_en": "Lunch clubs in every village hall, twice a week.", "body_cy": "Clybiau",
             "reason": "Made it concrete"},
        )  # fmt: skip
        assert saved.status_code == 303
        assert saved.headers["location"].endswith(f"#clause-{clause.id}")
        added = await commissioner.submit(
            f"/cycles/{world.cycle.id}/specification/clauses/new",
            {"section": "outcomes", "body_en": "Fewer people eat alone.", "body_cy": "",
             "reason": "An outcome"},
        )  # fmt: skip
        assert added.status_code == 303
        history = await commissioner.get(f"/cycles/{world.cycle.id}/specification/versions")
        assert "Made it concrete" in history.text
        diff = await commissioner.get(f"/cycles/{world.cycle.id}/specification/compare?from=1&to=3")
    spec = await spec_of(db, world.cycle.id)
    assert spec.latest_version == 3
    versions = (await db.execute(select(SpecVersion).order_by(SpecVersion.number))).scalars().all()
    assert [v.reason for v in versions[1:]] == ["Made it concrete", "An outcome"]
    # Version 1 is untouched: snapshots are frozen.
    first = versions[0].snapshot["sections"][1]["clauses"][0]["body_en"]
    assert first.startswith("**Meals delivered on Sundays**")
    html = soup(diff)
    assert diff.status_code == 200
    kinds = [tag.get_text() for tag in html.select("article.change .tag")]
    assert sorted(kinds) == ["Added", "Changed"]
    assert any("twice" in ins.get_text() for ins in html.find_all("ins"))
    actions = (await db.execute(select(AuditEvent.action))).scalars().all()
    assert "clause.edited" in actions and "clause.added" in actions


async def test_amendments_diff_comment_and_decide(app, db):
    world = await build_world(db)
    clause = (await clauses_of(db, world.cycle.id))[0]
    new_text = clause.body_en.replace("Many people", "Many older people and chapel goers")
    async with signed_in(app, "member0@example.org") as member:
        page = await member.get(f"/clauses/{clause.id}/amend")
        assert page.status_code == 200
        same = await member.submit(
            f"/clauses/{clause.id}/amend", {"body_en": clause.body_en, "body_cy": ""}
        )
        assert same.status_code == 422
        proposed = await member.submit(
            f"/clauses/{clause.id}/amend",
            {"body_en": new_text, "body_cy": "", "explanation": "Chapels host lunches too"},
        )
        assert proposed.status_code == 303
        amendment_path = proposed.headers["location"].split("?")[0]
        shown = await member.get(amendment_path)
        html = soup(shown)
        inserted = " ".join(ins.get_text(" ", strip=True) for ins in html.find_all("ins"))
        assert "chapel" in inserted and "inserted:" in inserted
        commented = await member.submit(
            amendment_path + "/comments", {"body": "Yes please"}, form_page=amendment_path
        )
        assert commented.status_code == 303
        # A panel member cannot decide.
        refused = await member.submit(
            amendment_path + "/decide",
            {"decision": "accept", "reason": "mine"},
            form_page=amendment_path,
        )
        assert refused.status_code == 403
    async with signed_in(app, "fac@example.org") as facilitator:
        no_reason = await facilitator.submit(
            amendment_path + "/decide", {"decision": "accept"}, form_page=amendment_path
        )
        assert no_reason.status_code == 422
        accepted = await facilitator.submit(
            amendment_path + "/decide",
            {"decision": "accept", "reason": "The panel agreed"},
            form_page=amendment_path,
        )
        assert accepted.status_code == 303
        again = await facilitator.submit(
            amendment_path + "/decide",
            {"decision": "reject", "reason": "changed my mind"},
            form_page=amendment_path,
        )
        assert again.status_code == 409
    db.expunge_all()
    amendment = (await db.execute(select(Amendment))).scalar_one()
    assert amendment.status == "accepted" and amendment.result_version == 2
    assert amendment.reason == "The panel agreed"
    assert (await db.execute(select(AmendmentComment.body))).scalar_one() == "Yes please"
    assert (await clauses_of(db, world.cycle.id))[0].body_en == new_text
    version = (await db.execute(select(SpecVersion).where(SpecVersion.number == 2))).scalar_one()
    assert version.reason == "Amendment accepted: The panel agreed"
    actions = (await db.execute(select(AuditEvent.action))).scalars().all()
    assert "amendment.proposed" in actions and "amendment.accepted" in actions


async def test_a_stale_amendment_cannot_be_accepted(app, db):
    world = await build_world(db)
    clause = (await clauses_of(db, world.cycle.id))[0]
    async with signed_in(app, "member1@example.org") as member:
        proposed = await member.submit(
            f"/clauses/{clause.id}/amend", {"body_en": "Something else", "body_cy": ""}
        )
    amendment_path = proposed.headers["location"].split("?")[0]
    async with signed_in(app, "com@example.org") as commissioner:
        await commissioner.submit(
            f"/clauses/{clause.id}/edit",
            {"body_en": "Edited meanwhile", "body_cy": "", "reason": "tidy"},
        )
        conflict = await commissioner.submit(
            amendment_path + "/decide",
            {"decision": "accept", "reason": "ok"},
            form_page=amendment_path,
        )
        assert conflict.status_code == 409
        assert "changed since this amendment" in conflict.text
        rejected = await commissioner.submit(
            amendment_path + "/decide",
            {"decision": "reject", "reason": "Overtaken by the edit"},
            form_page=amendment_path,
        )
        assert rejected.status_code == 303
    db.expunge_all()
    assert (await db.execute(select(Amendment.status))).scalar_one() == "rejected"


async def test_permissions_per_stage(app, db):
    world = await build_world(db)
    clause = (await clauses_of(db, world.cycle.id))[0]
    data = {"body_en": "x", "body_cy": "", "reason": "r"}
    await make_user(db, "other@example.org", name="Other")
    async with signed_in(app, "citizen@example.org") as citizen:
        assert (await citizen.submit(f"/clauses/{clause.id}/amend", data)).status_code == 403
        assert (
            await citizen.submit(f"/clauses/{clause.id}/edit", data, form_page="/")
        ).status_code == 403
    async with signed_in(app, "member0@example.org") as member:
        # A panel member amends but does not edit.
        assert (
            await member.submit(f"/clauses/{clause.id}/edit", data, form_page="/")
        ).status_code == 403
    async with signed_in(app, "com@example.org") as commissioner:
        # The commissioner edits but does not endorse.
        endorsed = await commissioner.submit(
            f"/cycles/{world.cycle.id}/specification/endorse",
            {"version": "1", "stance": "endorse"},
            form_page="/",
        )
        assert endorsed.status_code == 403


async def test_amending_outside_the_specification_stage_is_refused(app, db):
    from deliberate.cycles.models import Cycle

    world = await build_world(db)
    clause = (await clauses_of(db, world.cycle.id))[0]
    cycle = await db.get(Cycle, world.cycle.id)
    cycle.stage = "closed"
    await db.commit()
    async with signed_in(app, "member0@example.org") as member:
        response = await member.submit(
            f"/clauses/{clause.id}/amend", {"body_en": "x", "body_cy": ""}, form_page="/"
        )
        assert response.status_code == 409
    async with signed_in(app, "com@example.org") as commissioner:
        response = await commissioner.submit(
            f"/clauses/{clause.id}/edit", {"body_en": "x", "reason": "r"}, form_page="/"
        )
        assert response.status_code == 409
