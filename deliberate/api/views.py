"""Open-data API views: GET only, JSON, `Cache-Control: public, max-age=60`, no session needed.
Errors are JSON too."""

from __future__ import annotations

import functools
import uuid
from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from deliberate.api import openapi, service
from deliberate.errors import DomainError
from deliberate.middleware import db_session

CACHE = "public, max-age=60"

View = Callable[[Request], Awaitable[Response]]


def api_view(view: View) -> View:
    @functools.wraps(view)
    async def wrapped(request: Request) -> Response:
        try:
            response = await view(request)
        except DomainError as error:
            response = JSONResponse({"error": str(error.message)}, status_code=error.status_code)
        response.headers["Cache-Control"] = CACHE
        response.headers["Access-Control-Allow-Origin"] = "*"
        return response

    return wrapped


def _base(request: Request) -> str:
    return str(request.app.state.settings.base_url).rstrip("/")


def _url(request: Request, name: str, **params) -> str:
    return _base(request) + request.url_for(name, **params).path


def _cycle_urls(request: Request, cycle, published: int | None) -> dict[str, str | None]:
    return {
        "self": _url(request, "api:cycle", cycle_id=cycle.id),
        "html": _url(request, "cycles:detail", cycle_id=cycle.id),
        "proposals": _url(request, "api:proposals", cycle_id=cycle.id),
        "results": _url(request, "api:results", cycle_id=cycle.id)
        if service.results_public(cycle)
        else None,
        "specification": _url(request, "api:specification", cycle_id=cycle.id)
        if published
        else None,
    }


def _cycle_id(request: Request) -> uuid.UUID:
    value = request.path_params["cycle_id"]
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


@api_view
async def openapi_document(request: Request) -> Response:
    return JSONResponse(openapi.document(_base(request)))


@api_view
async def cycles(request: Request) -> Response:
    rows = await service.list_cycles(db_session(request))
    return JSONResponse(
        {"data": [service.cycle_json(c, o, _cycle_urls(request, c, n)) for c, o, n in rows]}
    )


@api_view
async def cycle(request: Request) -> Response:
    found, organisation, published = await service.get_cycle(
        db_session(request), _cycle_id(request)
    )
    return JSONResponse(
        service.cycle_json(found, organisation, _cycle_urls(request, found, published))
    )


@api_view
async def proposals(request: Request) -> Response:
    db = db_session(request)
    found, _organisation, _published = await service.get_cycle(db, _cycle_id(request))
    try:
        limit = int(request.query_params.get("limit", service.DEFAULT_LIMIT))
    except ValueError:
        limit = service.DEFAULT_LIMIT
    limit = min(max(limit, 1), service.MAX_LIMIT)
    rows, cursor = await service.proposal_page(
        db, found.id, limit, request.query_params.get("after") or None
    )
    next_url = None
    if cursor:
        next_url = (
            _url(request, "api:proposals", cycle_id=found.id) + f"?limit={limit}&after={cursor}"
        )
    return JSONResponse({"data": [service.proposal_json(p) for p in rows], "next": next_url})


@api_view
async def results(request: Request) -> Response:
    db = db_session(request)
    found, _organisation, _published = await service.get_cycle(db, _cycle_id(request))
    return JSONResponse(await service.results(db, found))


async def _specification(request: Request, number: int | None) -> Response:
    db = db_session(request)
    found, _organisation, _published = await service.get_cycle(db, _cycle_id(request))
    spec, version, updates, private = await service.published_specification(db, found, number)
    etag = service.etag_for(version, updates)
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers={"ETag": etag})
    url = (
        _base(request)
        + request.url_for("specs:version", cycle_id=found.id, number=version.number).path
    )
    body = service.specification_json(spec, version, updates, private, url)
    return JSONResponse(body, headers={"ETag": etag})


@api_view
async def specification(request: Request) -> Response:
    return await _specification(request, None)


@api_view
async def specification_version(request: Request) -> Response:
    return await _specification(request, int(request.path_params["number"]))
