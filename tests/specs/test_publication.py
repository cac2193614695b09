"""Sign-off and publication: the quorum counts endorsements of the latest version only, the
commissioner publishes through the stage move, the published version is frozen at a stable
address, and its exports (Markdown, JSON, PDF) parse and match it."""

from __future__ import annotations

import asyncio
import json
import re
import zlib

import httpx
from helpers import Browser, csrf_from, soup
from specs.support import (
    build_world,
    clauses_of,
    endorse,
    publish,
    published_world,
    signed_in,
    spec_of,
)
from sqlalchemy import select, update

from deliberate.audit import AuditEvent
from deliberate.cycles.models import Cycle
from deliberate.security import CSRF_COOKIE, LANG_COOKIE, csrf_token_for
from deliberate.specs.models import Endorsement, SpecVersion


async def test_publishing_needs_the_quorum_of_the_latest_version(app, db):
    world = await build_world(db, members=3, quorum=67)  # needs 2 of 3
    cycle_id = world.cycle.id
    assert (await endorse(app, "member0@example.org", cycle_id, 1)).status_code == 303
    objection = await endorse(app, "member1@example.org", cycle_id, 1, "object")
    assert objection.status_code == 422  # an objection needs a reason
    objection = await endorse(app, "member1@example.org", cycle_id, 1, "object", "Too vague")
    assert objection.status_code == 303
    refused = await publish(app, cycle_id)
    assert refused.status_code == 409
    message = soup(refused).get_text(" ", strip=True)
    assert "needs endorsements from 67% of the panel (2 of 3 members) and has 1" in message
    # Member 1 changes their mind: one answer per member per version.
    assert (await endorse(app, "member1@example.org", cycle_id, 1)).status_code == 303
    assert len((await db.execute(select(Endorsement))).scalars().all()) == 2
    # ...but a new version needs new endorsements: those of version 1 no longer count.
    clause = (await clauses_of(db, cycle_id))[0]
    async with signed_in(app, "com@example.org") as commissioner:
        edited = await commissioner.submit(
            f"/clauses/{clause.id}/edit",
            {"body_en": "Meals on Sundays too.", "body_cy": "", "reason": "Shorter"},
        )
        assert edited.status_code == 303
    stale = await endorse(app, "member2@example.org", cycle_id, 1)
    assert stale.status_code == 409
    assert "no longer the latest" in stale.text
    refused = await publish(app, cycle_id)
    assert refused.status_code == 409
    assert "version 2 needs" in refused.text and "and has 0" in refused.text
    assert (await endorse(app, "member0@example.org", cycle_id, 2)).status_code == 303
    assert (await endorse(app, "member2@example.org", cycle_id, 2)).status_code == 303
    published = await publish(app, cycle_id)
    assert published.status_code == 303
    db.expunge_all()
    assert (await db.get(Cycle, cycle_id)).stage == "published"
    spec = await spec_of(db, cycle_id)
    assert spec.published_version == 2
    versions = (await db.execute(select(SpecVersion).order_by(SpecVersion.number))).scalars().all()
    assert versions[0].published_at is None and versions[1].published_at is not None
    actions = (await db.execute(select(AuditEvent.action))).scalars().all()
    assert "specification.published" in actions and "specification.endorsed" in actions
    assert "specification.objected" in actions


async def test_the_published_version_is_frozen_and_citable(app, db, client):
    world = await published_world(app, db)
    cycle_id = world.cycle.id
    address = f"/cycles/{cycle_id}/specification/v/1"
    first = await client.get(address)
    assert first.status_code == 200
    html = soup(first)
    assert html.find(class_="stable-address").find("a")["href"] == f"http://testserver{address}"
    assert html.find("link", attrs={"media": "print"})["href"] == "/static/print.css"
    # Everyone reads it; the unversioned address shows the published version too.
    assert (await client.get(f"/cycles/{cycle_id}/specification")).status_code == 200
    clause = (await clauses_of(db, cycle_id))[0]
    async with signed_in(app, "com@example.org") as commissioner:
        edit = await commissioner.submit(
            f"/clauses/{clause.id}/edit",
            {"body_en": "Changed after publication", "reason": "oops"},
            form_page=address,
        )
        assert edit.status_code == 409
    async with signed_in(app, "member0@example.org") as member:
        amend = await member.submit(
            f"/clauses/{clause.id}/amend", {"body_en": "Later"}, form_page=address
        )
        assert amend.status_code == 409
        late = await endorse(app, "member0@example.org", cycle_id, 1)
        assert late.status_code == 409
    again = await client.get(address)
    assert again.text == first.text
    # The origin page is public now.
    assert (await client.get(f"/clauses/{clause.id}/origin")).status_code == 200


def _pdf_text_objects(body: bytes) -> bytes:
    """The PDF's streams, inflated, for a byte search (Info strings are outside streams)."""
    out = [body]
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", body, re.S):
        try:
            out.append(zlib.decompress(match.group(1)))
        except zlib.error:
            out.append(match.group(1))
    return b"\n".join(out)


def _pdf_title(body: bytes) -> str:
    match = re.search(rb"/Title\s*(\((?:\\.|[^\\)])*\)|<[0-9A-Fa-f]+>)", body)
    assert match, "the PDF has no title"
    raw = match.group(1)
    if raw.startswith(b"<"):
        data = bytes.fromhex(raw[1:-1].decode())
        return data[2:].decode("utf-16-be") if data[:2] == b"\xfe\xff" else data.decode("latin-1")
    text = raw[1:-1].replace(rb"\(", b"(").replace(rb"\)", b")").replace(rb"\\", b"\\")
    if text[:2] == b"\xfe\xff":
        return text[2:].decode("utf-16-be")
    return text.decode("latin-1")


async def test_exports_parse_and_match_the_version(app, db, client):
    world = await published_world(app, db)
    cycle_id = world.cycle.id
    base = f"/cycles/{cycle_id}/specification/v/1"
    version = (await db.execute(select(SpecVersion))).scalar_one()
    as_json = await client.get(base + ".json")
    assert as_json.status_code == 200
    assert as_json.headers["content-type"].startswith("application/json")
    document = json.loads(as_json.text)
    assert document["version"] == 1 and document["url"] == f"http://testserver{base}"
    assert [s["key"] for s in document["sections"]] == [
        s["key"] for s in version.snapshot["sections"]
    ]
    for section, frozen in zip(document["sections"], version.snapshot["sections"], strict=True):
        assert [c["text"]["en"] for c in section["clauses"]] == [
            c["body_en"] for c in frozen["clauses"]
        ]
    assert document["sections"][1]["clauses"][0]["proposals"][0]["id"] == str(world.proposals[2].id)
    as_markdown = await client.get(base + ".md")
    assert as_markdown.status_code == 200
    text = as_markdown.text
    assert text.startswith("# Service specification: Community meals")
    for section in version.snapshot["sections"]:
        for clause in section["clauses"]:
            assert clause["body_en"].strip() in text
    assert f"http://testserver{base}" in text
    as_pdf = await client.get(base + ".pdf")
    assert as_pdf.status_code == 200
    assert as_pdf.headers["content-type"] == "application/pdf"
    body = as_pdf.content
    assert body.startswith(b"%PDF")
    assert _pdf_title(body) == "Service specification: Community meals"
    assert b"/Subject" in body and len(_pdf_text_objects(body)) > len(body)
    # In Welsh, the Welsh title.
    client.cookies.set(LANG_COOKIE, "cy")
    welsh = await client.get(base + ".pdf")
    assert _pdf_title(welsh.content) == "Manyleb gwasanaeth: Community meals (cy)"
    client.cookies.delete(LANG_COOKIE)
    # Drafts are never exported.
    assert (await client.get(f"/cycles/{cycle_id}/specification/v/2.json")).status_code == 404


async def test_private_threads_stay_out_of_the_exports_and_the_api(app, db, client):
    from deliberate.deliberation.models import Panel

    world = await published_world(app, db)
    panel = (await db.execute(select(Panel))).scalar_one()
    panel.threads_private = True
    await db.commit()
    cycle_id = world.cycle.id
    exported = (await client.get(f"/cycles/{cycle_id}/specification/v/1.json")).json()
    api = (await client.get(f"/api/v1/cycles/{cycle_id}/specification")).json()
    for document in (exported, api):
        clause = document["sections"][1]["clauses"][0]
        assert clause["threads"] == [] and clause["proposals"]
    origin = await client.get(f"/clauses/{(await clauses_of(db, cycle_id))[0].id}/origin")
    assert "private to the panel" in origin.text
    assert "Summary 2" not in origin.text


async def test_a_published_version_answers_conditional_gets_per_language(app, db, client):
    """Signed-out readers (and the caches in front of them) revalidate the published document
    with its ETag: a 304 costs no query and no rendering; the tag changes with the language,
    with every delivery report and with the stage, and signed-in pages are never cached."""
    world = await build_world(db)
    cycle_id = world.cycle.id
    unpublished = await client.get(f"/cycles/{cycle_id}/specification")
    assert unpublished.status_code == 404 and "etag" not in unpublished.headers
    for member in world.members:
        assert (await endorse(app, member.email, cycle_id, 1)).status_code == 303
    assert (await publish(app, cycle_id)).status_code == 303

    address = f"/cycles/{cycle_id}/specification/v/1"
    first = await client.get(address)
    assert first.status_code == 200
    etag = first.headers["etag"]
    assert etag.startswith('W/"')
    assert first.headers["cache-control"] == "public, no-cache"
    vary = {v.strip().lower() for v in first.headers["vary"].split(",")}
    assert {"accept-language", "cookie", "hx-request"} <= vary
    full_queries = int(first.headers["x-query-count"])

    again = await client.get(address, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == etag
    assert again.headers["cache-control"] == "public, no-cache"
    # The process keeps the version's fingerprint: a revalidation needs no query at all.
    assert int(again.headers["x-query-count"]) == 0 < full_queries
    # The unversioned address shows the published version, and revalidates the same way.
    latest = await client.get(f"/cycles/{cycle_id}/specification")
    assert latest.status_code == 200 and latest.headers["etag"]
    current = await client.get(
        f"/cycles/{cycle_id}/specification", headers={"If-None-Match": latest.headers["etag"]}
    )
    assert current.status_code == 304

    # Welsh, asked for by the browser or chosen with the switch, is another representation.
    welsh = await client.get(address, headers={"Accept-Language": "cy", "If-None-Match": etag})
    assert welsh.status_code == 200
    assert soup(welsh).find("html")["lang"] == "cy"
    assert welsh.headers["etag"] != etag
    client.cookies.set(LANG_COOKIE, "cy")
    switched = await client.get(address, headers={"If-None-Match": etag})
    assert switched.status_code == 200 and soup(switched).find("html")["lang"] == "cy"
    assert switched.headers["etag"] == welsh.headers["etag"]
    client.cookies.delete(LANG_COOKIE)
    assert (await client.get(address, headers={"If-None-Match": etag})).status_code == 304

    # A delivery report changes the page, so the old tag no longer matches.
    clause = (await clauses_of(db, cycle_id))[0]
    async with signed_in(app, "com@example.org") as commissioner:
        reported = await commissioner.submit(
            f"/clauses/{clause.id}/delivery", {"status": "delivered", "note": "Open on Sundays"}
        )
        assert reported.status_code == 303
        # Signed-in pages carry the person's own controls: never stored, no tag.
        own = await commissioner.get(address, headers={"If-None-Match": etag})
        assert own.status_code == 200
        assert own.headers["cache-control"] == "no-store" and "etag" not in own.headers
    after = await client.get(address, headers={"If-None-Match": etag})
    assert after.status_code == 200
    assert "Delivered" in soup(after).find(class_="delivery-status").get_text()
    assert after.headers["etag"] != etag
    assert (
        await client.get(address, headers={"If-None-Match": after.headers["etag"]})
    ).status_code == 304

    # A version that does not exist is a plain 404, with no tag.
    missing = await client.get(f"/cycles/{cycle_id}/specification/v/9")
    assert missing.status_code == 404 and "etag" not in missing.headers


async def change_elsewhere(db, cycle_id, reader, address: str, etag: str, tries: int):
    """Move the cycle on as another process would (SQL this process's session events do not
    see), then revalidate every 50 ms: the first answer that is not a 304, or None."""
    connection = await db.connection()
    await connection.exec_driver_sql(
        f"UPDATE cycles SET updated_at = now() WHERE id = '{cycle_id}'"
    )
    await db.commit()
    for _ in range(tries):
        answer = await reader.get(address, headers={"If-None-Match": etag})
        if answer.status_code != 304:
            return answer
        await asyncio.sleep(0.05)
    return None


async def test_readers_share_one_rendering_and_see_changes_from_other_processes(
    app, db, client, monkeypatch
):
    """The process renders a published version once per language and serves it to every
    signed-out reader with their own CSRF token; a change committed by this process changes the
    tag at once, and one committed by another process (here: SQL this process's caches do not
    see) within the fingerprint's time to live."""
    from deliberate.specs import cache

    monkeypatch.setattr(cache, "TTL_SECONDS", 0.5)
    world = await published_world(app, db)
    cycle_id = world.cycle.id
    address = f"/cycles/{cycle_id}/specification/v/1"
    first = await client.get(address)
    assert first.status_code == 200
    secret = app.state.settings.secret_key
    async with Browser(app) as other:
        second = await other.get(address)
        assert second.status_code == 200
        assert int(second.headers["x-query-count"]) == 0  # served from the process's cache
        assert second.headers["etag"] != first.headers["etag"]  # the tag carries the token
        token = csrf_from(second.text)
        assert token != csrf_from(first.text)
        assert token == csrf_token_for(secret, other.cookies[CSRF_COOKIE])
        assert first.text.replace(csrf_from(first.text), token) == second.text
        # The second reader's token is accepted: the language switch works from that page.
        switched = await other.post(
            "/language", data={"csrf_token": token, "language": "cy", "next": address}
        )
        assert switched.status_code == 303
        welsh = await other.get(address)
        assert soup(welsh).find("html")["lang"] == "cy"
        assert welsh.headers["etag"] != second.headers["etag"]
        assert csrf_from(welsh.text) == token

    etag = first.headers["etag"]
    assert (await client.get(address, headers={"If-None-Match": etag})).status_code == 304
    changed = await change_elsewhere(db, cycle_id, client, address, etag, tries=40)
    assert changed is not None, "the tag did not change within the time to live"
    assert changed.headers["etag"] != etag
    assert int(changed.headers["x-query-count"]) > 0  # a new fingerprint: rendered afresh

    # A change to the publication through this process (an update statement) shows at once.
    latest = await client.get(f"/cycles/{cycle_id}/specification")
    assert latest.status_code == 200
    spec = await spec_of(db, cycle_id)
    await db.execute(
        update(SpecVersion)
        .where(SpecVersion.specification_id == spec.id, SpecVersion.number == 1)
        .values(published_at=None)
    )
    await db.commit()
    gone = await client.get(
        f"/cycles/{cycle_id}/specification", headers={"If-None-Match": latest.headers["etag"]}
    )
    assert gone.status_code == 404 and "etag" not in gone.headers


async def test_a_change_committed_elsewhere_reaches_a_listening_process_at_once(
    app, db, live_server, monkeypatch
):
    """A served app listens for the trigger's NOTIFY: with fingerprints kept for an hour, a
    change committed by another process (here: SQL this process's session events do not see)
    still changes the tag as soon as the notification arrives."""
    from deliberate.specs import cache

    monkeypatch.setattr(cache, "TTL_SECONDS", 3600.0)
    monkeypatch.setattr(cache, "LISTENING_TTL_SECONDS", 3600.0)
    world = await published_world(app, db)
    address = f"{live_server.url}/cycles/{world.cycle.id}/specification/v/1"
    async with httpx.AsyncClient(timeout=15) as reader:
        first = await reader.get(address)
        assert first.status_code == 200
        etag = first.headers["etag"]
        again = await reader.get(address, headers={"If-None-Match": etag})
        assert again.status_code == 304
        assert int(again.headers["x-query-count"]) == 0  # the cached fingerprint
        changed = await change_elsewhere(db, world.cycle.id, reader, address, etag, tries=50)
    assert changed is not None, "the notification did not empty the cache"
    assert changed.headers["etag"] != etag
