"""Specification pages: the document and its versions, edits, amendments, sign-off, the golden
thread per clause, delivery reports and ratings, and the exports of a published version. Every
form posts and redirects (303); a problem shows the form again (422) with the input kept."""

from __future__ import annotations

import functools
import hashlib
import json
import uuid
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from deliberate.errors import Invalid, NotFound
from deliberate.forms import FormInput
from deliberate.middleware import db_session, request_context
from deliberate.specs import cache, diffing, exports, service
from deliberate.templating import TEMPLATES_DIR, is_htmx, render


def _uuid(request: Request, name: str) -> uuid.UUID:
    value = request.path_params[name]
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


def stable_url(request: Request, cycle_id: uuid.UUID, number: int) -> str:
    """The citable address of a version: the configured public address, never the request's."""
    path = request.url_for("specs:version", cycle_id=cycle_id, number=number).path
    return str(request.app.state.settings.base_url).rstrip("/") + path


def _to(request: Request, name: str, anchor: str = "", query: str = "", **params: Any) -> Response:
    url = request.url_for(name, **params).path
    if query:
        url += f"?{query}"
    if anchor:
        url += f"#{anchor}"
    return RedirectResponse(url, status_code=303)


def _common() -> dict[str, Any]:
    return {
        "delivery_labels": service.DELIVERY_LABELS,
        "stance_labels": service.STANCE_LABELS,
        "amendment_labels": service.AMENDMENT_LABELS,
        "decisions": service.DECISIONS,
        "clause_text": service.clause_text,
        "OUTCOMES": service.OUTCOMES,
    }


# --- the document ------------------------------------------------------------------------------


async def _document(
    request: Request,
    number: int | None,
    *,
    endorse_form: FormInput | None = None,
    status_code: int = 200,
) -> Response:
    ctx = request_context(request)
    page = await service.document_page(
        db_session(request), ctx.viewer, _uuid(request, "cycle_id"), number
    )
    form = endorse_form or FormInput()
    if endorse_form is None and page.my_endorsement is not None:
        form = FormInput(
            {"stance": page.my_endorsement.stance, "reason": page.my_endorsement.reason}
        )
    return render(
        request,
        "specs/document.html",
        {
            "page": page,
            "cycle": page.cycle,
            "snapshot": page.version.snapshot,
            "stable_url": stable_url(request, page.cycle.id, page.version.number),
            "published_url": stable_url(request, page.cycle.id, page.spec.published_version)
            if page.spec.published_version
            else None,
            "endorse_form": form,
            "notice": request.query_params.get("notice"),
            **_common(),
        },
        status_code=status_code,
    )


# --- conditional GET for signed-out readers of a published version -----------------------------

# Public, but every request revalidates: delivery reports and ratings change the page. The page
# differs by language (Accept-Language or the language cookie) and carries the reader's CSRF
# token (a cookie), so caches keep one copy per Cookie and Accept-Language.
PUBLIC_CACHE_CONTROL = "public, no-cache"
PUBLIC_VARY = "HX-Request, Accept-Language, Cookie"


@functools.cache
def _build_tag() -> str:
    """Changes when a deployment changes the templates or the translations."""
    translations = Path(__file__).resolve().parent.parent / "translations"
    files = sorted([*TEMPLATES_DIR.rglob("*.html"), *translations.rglob("*.[mp]o")])
    stamp = [(str(f), f.stat().st_mtime_ns, f.stat().st_size) for f in files]
    return hashlib.sha256(repr(stamp).encode()).hexdigest()[:12]


def _public_key(request: Request, number: int | None) -> tuple[Any, ...] | None:
    """What a signed-out reader's page depends on besides the data: None when signed in (those
    pages are `no-store`)."""
    ctx = request_context(request)
    if ctx.viewer.is_authenticated:
        return None
    query = request.scope.get("query_string", b"").decode("latin-1")
    return (_uuid(request, "cycle_id"), number, ctx.locale, query, is_htmx(request))


async def _public_etag(
    request: Request, number: int | None, key: tuple[Any, ...] | None
) -> tuple[str, tuple[Any, ...]] | None:
    """The ETag of a signed-out reader's page of a published version and the page cache's key,
    from the process's cached fingerprint (or one cheap query), read before the page so a tag
    never labels an older page. None when signed in or when the version is not published."""
    if key is None:
        return None
    fingerprint = await cache.fingerprint(db_session(request), key[0], number)
    if fingerprint is None:
        return None
    tagged = (fingerprint, key[2], request_context(request).csrf_token, *key[3:])
    digest = hashlib.sha256(f"{_build_tag()}{tagged!r}".encode()).hexdigest()[:32]
    return f'W/"{digest}"', (_build_tag(), fingerprint, *key)


def _etag_matches(header: str | None, etag: str) -> bool:
    if not header:
        return False
    if header.strip() == "*":
        return True
    weak = etag.removeprefix("W/")
    return any(tag.strip().removeprefix("W/") == weak for tag in header.split(","))


async def _public_document(request: Request, number: int | None) -> Response:
    generation = cache.generation()
    tagged = await _public_etag(request, number, _public_key(request, number))
    if tagged is None:
        return await _document(request, number)
    etag, page_key = tagged
    headers = {"etag": etag, "cache-control": PUBLIC_CACHE_CONTROL, "vary": PUBLIC_VARY}
    if _etag_matches(request.headers.get("if-none-match"), etag):
        return Response(status_code=304, headers=headers)
    csrf_token = request_context(request).csrf_token
    html = cache.page(page_key, csrf_token)
    if html is not None:
        return HTMLResponse(html, headers=headers)
    response = await _document(request, number)
    if response.status_code == 200:
        response.headers.update(headers)
        body = response.body
        cache.store_page(page_key, bytes(body).decode(), csrf_token, generation)
    return response


async def document(request: Request) -> Response:
    return await _public_document(request, None)


async def version(request: Request) -> Response:
    return await _public_document(request, int(request.path_params["number"]))


async def history(request: Request) -> Response:
    ctx = request_context(request)
    cycle, spec, rows = await service.versions(
        db_session(request), ctx.viewer, _uuid(request, "cycle_id")
    )
    return render(request, "specs/history.html", {"cycle": cycle, "spec": spec, "rows": rows})


async def compare(request: Request) -> Response:
    ctx = request_context(request)
    try:
        old = int(request.query_params.get("from", ""))
        new = int(request.query_params.get("to", ""))
    except ValueError:
        raise NotFound() from None
    cycle, spec, first, second = await service.compare(
        db_session(request), ctx.viewer, _uuid(request, "cycle_id"), old, new
    )
    changes = diffing.version_diff(first.snapshot, second.snapshot)
    return render(
        request,
        "specs/compare.html",
        {"cycle": cycle, "spec": spec, "first": first, "second": second, "changes": changes},
    )


async def endorse(request: Request) -> Response:
    ctx = request_context(request)
    form = FormInput(await request.form())
    cycle_id = _uuid(request, "cycle_id")
    try:
        await service.endorse(db_session(request), ctx.viewer, cycle_id, form)
    except Invalid as error:
        form.errors.update(error.errors)
        return await _document(request, None, endorse_form=form, status_code=422)
    return _to(request, "specs:document", "signoff", "notice=endorsed", cycle_id=cycle_id)


# --- the commissioner's edits ------------------------------------------------------------------


def _clause_form_context(cycle, clause, shortlist, linked, form, sections=None) -> dict:
    return {
        "cycle": cycle,
        "clause": clause,
        "shortlist": shortlist,
        "linked": linked,
        "form": form,
        "sections": sections,
        **_common(),
    }


async def clause_edit(request: Request) -> Response:
    ctx = request_context(request)
    db = db_session(request)
    clause_id = _uuid(request, "clause_id")
    clause, cycle, shortlist, linked = await service.edit_form(db, ctx.viewer, clause_id)
    if request.method == "GET":
        form = FormInput({"body_en": clause.body_en, "body_cy": clause.body_cy})
        return render(
            request,
            "specs/clause_form.html",
            _clause_form_context(cycle, clause, shortlist, linked, form),
        )
    form = FormInput(await request.form())
    try:
        await service.edit_clause(db, ctx.viewer, clause_id, form)
    except Invalid as error:
        form.errors.update(error.errors)
        ticked = set(form._raw.getlist("proposals")) if form._raw is not None else set()
        return render(
            request,
            "specs/clause_form.html",
            _clause_form_context(cycle, clause, shortlist, ticked, form),
            status_code=422,
        )
    return _to(request, "specs:document", f"clause-{clause_id}", "notice=saved", cycle_id=cycle.id)


async def clause_new(request: Request) -> Response:
    ctx = request_context(request)
    db = db_session(request)
    cycle_id = _uuid(request, "cycle_id")
    page = await service.document_page(db, ctx.viewer, cycle_id)
    if not page.can_edit:
        from deliberate.cycles import service as cycles
        from deliberate.cycles.stages import Action

        cycles.require(ctx.viewer, page.cycle, Action.EDIT_SPECIFICATION, page.actors)
    sections = [(s["key"], s) for s in page.version.snapshot["sections"]]
    if request.method == "GET":
        form = FormInput({"section": request.query_params.get("section", "")})
        return render(
            request,
            "specs/clause_form.html",
            _clause_form_context(page.cycle, None, page.proposals, set(), form, sections),
        )
    form = FormInput(await request.form())
    try:
        await service.add_clause(db, ctx.viewer, cycle_id, form)
    except Invalid as error:
        form.errors.update(error.errors)
        ticked = set(form._raw.getlist("proposals")) if form._raw is not None else set()
        return render(
            request,
            "specs/clause_form.html",
            _clause_form_context(page.cycle, None, page.proposals, ticked, form, sections),
            status_code=422,
        )
    return _to(request, "specs:document", "", "notice=added", cycle_id=cycle_id)


async def clause_remove(request: Request) -> Response:
    ctx = request_context(request)
    db = db_session(request)
    clause_id = _uuid(request, "clause_id")
    form = FormInput(await request.form())
    clause, cycle, shortlist, linked = await service.edit_form(db, ctx.viewer, clause_id)
    try:
        await service.remove_clause(db, ctx.viewer, clause_id, form)
    except Invalid as error:
        form.errors = {f"remove_{k}": v for k, v in error.errors.items()}
        edit = FormInput({"body_en": clause.body_en, "body_cy": clause.body_cy})
        edit.errors = form.errors
        return render(
            request,
            "specs/clause_form.html",
            _clause_form_context(cycle, clause, shortlist, linked, edit),
            status_code=422,
        )
    return _to(request, "specs:document", "", "notice=removed", cycle_id=cycle.id)


# --- amendments --------------------------------------------------------------------------------


async def amend(request: Request) -> Response:
    ctx = request_context(request)
    db = db_session(request)
    clause_id = _uuid(request, "clause_id")
    status = 200
    if request.method == "GET":
        clause = await service.amend_form(db, ctx.viewer, clause_id)
        form = FormInput({"body_en": clause.body_en, "body_cy": clause.body_cy})
    else:
        form = FormInput(await request.form())
        try:
            amendment = await service.propose_amendment(db, ctx.viewer, clause_id, form)
        except Invalid as error:
            form.errors.update(error.errors)
            status = 422
        else:
            return _to(request, "specs:amendment", "", "notice=proposed", amendment_id=amendment.id)
    origin = await service.clause_origin(db, ctx.viewer, clause_id)
    return render(
        request,
        "specs/amend.html",
        {
            "origin": origin,
            "cycle": origin.cycle,
            "clause": origin.clause,
            "form": form,
            **_common(),
        },
        status_code=status,
    )


async def _amendment(
    request: Request,
    *,
    comment_form: FormInput | None = None,
    decide_form: FormInput | None = None,
    status_code: int = 200,
) -> Response:
    ctx = request_context(request)
    page = await service.amendment_page(
        db_session(request), ctx.viewer, _uuid(request, "amendment_id")
    )
    amendment = page.amendment
    current = page.clause
    return render(
        request,
        "specs/amendment.html",
        {
            "page": page,
            "cycle": page.cycle,
            "amendment": amendment,
            "diff_en": diffing.word_diff(amendment.base_en, amendment.body_en),
            "diff_cy": diffing.word_diff(amendment.base_cy, amendment.body_cy),
            "current_diff_en": diffing.word_diff(current.body_en, amendment.body_en)
            if current and page.stale
            else None,
            "comment_form": comment_form or FormInput(),
            "decide_form": decide_form or FormInput(),
            "notice": request.query_params.get("notice"),
            **_common(),
        },
        status_code=status_code,
    )


async def amendment(request: Request) -> Response:
    return await _amendment(request)


async def amendment_comment(request: Request) -> Response:
    ctx = request_context(request)
    form = FormInput(await request.form())
    amendment_id = _uuid(request, "amendment_id")
    try:
        await service.comment_on_amendment(db_session(request), ctx.viewer, amendment_id, form)
    except Invalid as error:
        form.errors.update(error.errors)
        return await _amendment(request, comment_form=form, status_code=422)
    return _to(
        request, "specs:amendment", "comments", "notice=commented", amendment_id=amendment_id
    )


async def amendment_decide(request: Request) -> Response:
    ctx = request_context(request)
    form = FormInput(await request.form())
    amendment_id = _uuid(request, "amendment_id")
    try:
        await service.decide_amendment(db_session(request), ctx.viewer, amendment_id, form)
    except Invalid as error:
        form.errors.update(error.errors)
        return await _amendment(request, decide_form=form, status_code=422)
    return _to(request, "specs:amendment", "", "notice=decided", amendment_id=amendment_id)


# --- the golden thread, delivery ---------------------------------------------------------------


async def origin(request: Request) -> Response:
    ctx = request_context(request)
    found = await service.clause_origin(
        db_session(request), ctx.viewer, _uuid(request, "clause_id")
    )
    return render(
        request, "specs/origin.html", {"origin": found, "cycle": found.cycle, **_common()}
    )


async def _delivery(
    request: Request,
    *,
    report_form: FormInput | None = None,
    rating_form: FormInput | None = None,
    status_code: int = 200,
) -> Response:
    ctx = request_context(request)
    db = db_session(request)
    found = await service.clause_origin(db, ctx.viewer, _uuid(request, "clause_id"))
    page = await service.document_page(db, ctx.viewer, found.cycle.id, found.spec.published_version)
    clause_id = str(found.clause.id)
    mine = page.my_ratings.get(clause_id)
    return render(
        request,
        "specs/delivery.html",
        {
            "origin": found,
            "cycle": found.cycle,
            "page": page,
            "updates": page.delivery.get(clause_id, []),
            "rating": page.ratings.get(clause_id),
            "is_outcome": found.section.key == service.OUTCOMES,
            "report_form": report_form or FormInput(),
            "rating_form": rating_form
            or FormInput({"rating": str(mine.rating), "comment": mine.comment} if mine else {}),
            "notice": request.query_params.get("notice"),
            **_common(),
        },
        status_code=status_code,
    )


async def delivery(request: Request) -> Response:
    return await _delivery(request)


async def delivery_report(request: Request) -> Response:
    ctx = request_context(request)
    form = FormInput(await request.form())
    clause_id = _uuid(request, "clause_id")
    try:
        await service.report_delivery(db_session(request), ctx.viewer, clause_id, form)
    except Invalid as error:
        form.errors.update(error.errors)
        return await _delivery(request, report_form=form, status_code=422)
    return _to(request, "specs:delivery", "", "notice=reported", clause_id=clause_id)


async def delivery_rate(request: Request) -> Response:
    ctx = request_context(request)
    form = FormInput(await request.form())
    clause_id = _uuid(request, "clause_id")
    try:
        await service.rate_delivery(db_session(request), ctx.viewer, clause_id, form)
    except Invalid as error:
        form.errors.update(error.errors)
        return await _delivery(request, rating_form=form, status_code=422)
    return _to(request, "specs:delivery", "", "notice=rated", clause_id=clause_id)


# --- exports -----------------------------------------------------------------------------------


async def _published(request: Request):
    ctx = request_context(request)
    cycle_id = _uuid(request, "cycle_id")
    number = int(request.path_params["number"])
    cycle, spec, found = await service.published_version(
        db_session(request), ctx.viewer, cycle_id, number
    )
    return cycle, spec, found, stable_url(request, cycle.id, number), ctx.locale


def _download(body: bytes | str, media_type: str, filename: str, etag: str) -> Response:
    return Response(
        body,
        media_type=media_type,
        headers={
            "Content-Disposition": f'inline; filename="{filename}"',
            "Cache-Control": "public, max-age=300",
            "ETag": etag,
        },
    )


def _filename(cycle, number: int, ext: str) -> str:
    return f"specification-{str(cycle.id)[:8]}-v{number}.{ext}"


async def export_markdown(request: Request) -> Response:
    cycle, _spec, found, url, locale = await _published(request)
    return _download(
        exports.markdown(found, url, locale),
        "text/markdown; charset=utf-8",
        _filename(cycle, found.number, "md"),
        f'"spec-{found.id}-{locale}"',
    )


async def export_json(request: Request) -> Response:
    cycle, spec, found, url, _locale = await _published(request)
    document = exports.document(found, spec, url)
    if await service.threads_private(db_session(request), cycle.id):
        for section in document["sections"]:
            for clause in section["clauses"]:
                clause["threads"] = []
    body = json.dumps(document, ensure_ascii=False, indent=2)
    return _download(
        body,
        "application/json",
        _filename(cycle, found.number, "json"),
        f'"spec-{found.id}"',
    )


async def export_pdf(request: Request) -> Response:
    import asyncio

    cycle, _spec, found, url, locale = await _published(request)
    body = await asyncio.to_thread(exports.pdf, found, url, locale)
    return _download(
        body,
        "application/pdf",
        _filename(cycle, found.number, "pdf"),
        f'"spec-{found.id}-{locale}"',
    )
