"""The open-data API answers its own OpenAPI schema: every response is validated against the
schema the document at /api/openapi.json gives for that path and status. Nothing private leaks,
pages cost the same queries, the published specification carries an ETag."""

from __future__ import annotations

import re

import jsonschema
from factories import make_cycle, make_proposal
from specs.support import build_world, clauses_of, published_world, signed_in

from deliberate.cycles.models import Cycle


async def _openapi(client) -> dict:
    response = await client.get("/api/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert document["openapi"].startswith("3.1")
    return document


def _template_for(document: dict, path: str) -> str:
    for template in document["paths"]:
        pattern = "^" + re.sub(r"\{[^}]+\}", "[^/]+", template) + "$"
        if re.match(pattern, path):
            return template
    raise AssertionError(f"{path} is not in the OpenAPI document")


async def check(client, document: dict, url: str, status: int = 200, **kw):
    """GET `url` and validate the body against the document's schema for it."""
    response = await client.get(url, **kw)
    assert response.status_code == status, response.text
    path = url.split("?")[0].replace("http://testserver", "")
    operation = document["paths"][_template_for(document, path)]["get"]
    declared = operation["responses"][str(status)]
    if status == 304:
        return response
    schema = dict(declared["content"]["application/json"]["schema"])
    schema["components"] = document["components"]
    jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    ).validate(response.json())
    assert response.headers["cache-control"] == "public, max-age=60"
    return response


async def test_the_api_answers_its_own_openapi_schema(app, db, client):
    world = await published_world(app, db)
    clause = (await clauses_of(db, world.cycle.id))[0]
    async with signed_in(app, "com@example.org") as commissioner:
        reported = await commissioner.submit(
            f"/clauses/{clause.id}/delivery",
            {"status": "in_progress", "note": "Three clubs open", "evidence_url": ""},
        )
        assert reported.status_code == 303
    document = await _openapi(client)
    jsonschema.Draft202012Validator.check_schema({"$defs": document["components"]["schemas"]})
    cycle_id = world.cycle.id
    listing = await check(client, document, "/api/v1/cycles")
    assert [c["id"] for c in listing.json()["data"]] == [str(cycle_id)]
    detail = await check(client, document, f"/api/v1/cycles/{cycle_id}")
    links = detail.json()["links"]
    assert links["specification"].endswith(f"/api/v1/cycles/{cycle_id}/specification")
    page = await check(client, document, f"/api/v1/cycles/{cycle_id}/proposals?limit=2")
    assert len(page.json()["data"]) == 2 and page.json()["next"]
    rest = await check(client, document, page.json()["next"])
    assert len(rest.json()["data"]) == 1 and rest.json()["next"] is None
    ids = {p["id"] for p in page.json()["data"] + rest.json()["data"]}
    assert ids == {str(p.id) for p in world.proposals}
    assert page.headers["x-query-count"] == rest.headers["x-query-count"]
    results = await check(client, document, f"/api/v1/cycles/{cycle_id}/results")
    assert results.json()["options"][0]["proposal_id"] == str(world.proposals[2].id)
    spec = await check(client, document, f"/api/v1/cycles/{cycle_id}/specification")
    body = spec.json()
    requirement = body["sections"][1]["clauses"][0]
    assert requirement["proposals"][0]["id"] == str(world.proposals[2].id)
    assert requirement["threads"][0]["summary_id"] == str(world.summaries[2].id)
    assert requirement["results"][0]["rank"] == 1
    assert requirement["delivery"][0]["status"] == "in_progress"
    assert body["url"] == f"http://testserver/cycles/{cycle_id}/specification/v/1"
    etag = spec.headers["etag"]
    versioned = await check(client, document, f"/api/v1/cycles/{cycle_id}/specification/versions/1")
    assert versioned.headers["etag"] == etag
    cached = await check(
        client,
        document,
        f"/api/v1/cycles/{cycle_id}/specification",
        304,
        headers={"If-None-Match": etag},
    )
    assert cached.content == b""
    missing = await check(
        client, document, f"/api/v1/cycles/{cycle_id}/specification/versions/9", 404
    )
    assert missing.json()["error"]
    # Nothing private: no e-mail addresses or author names anywhere.
    for response in (listing, detail, page, rest, results, spec):
        assert "@example.org" not in response.text
        assert "Cit" not in re.sub(r"Cit\w+", "", response.text)


async def test_nothing_unpublished_is_open_data(app, db, client):
    world = await build_world(db)
    document = await _openapi(client)
    cycle_id = world.cycle.id
    await check(client, document, f"/api/v1/cycles/{cycle_id}/specification", 404)
    # Results only after the close: a cycle still voting has none.
    row = await db.get(Cycle, cycle_id)
    row.stage = "voting"
    await db.commit()
    await check(client, document, f"/api/v1/cycles/{cycle_id}/results", 404)
    # Private drafts are not listed and not found.
    draft = await make_cycle(db, world.organisation, stage="draft", title="Secret plans")
    await make_proposal(db, draft, world.citizen)
    listing = await check(client, document, "/api/v1/cycles")
    assert str(draft.id) not in listing.text
    await check(client, document, f"/api/v1/cycles/{draft.id}", 404)
    await check(client, document, f"/api/v1/cycles/{draft.id}/proposals", 404)
    # Read-only: no other method.
    assert (await client.post("/api/v1/cycles")).status_code in (403, 405)
