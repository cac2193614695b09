"""Vote pages: the commissioner's ballot set-up, the voter's ballot (form, live feedback, review,
cast, confirmation), results, open-data files, the bulletin and the receipt check."""

from __future__ import annotations

import json
import secrets
import uuid
from typing import Any

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from deliberate import i18n
from deliberate.cycles import service as cycles
from deliberate.errors import Invalid, NotFound
from deliberate.forms import FormInput
from deliberate.i18n import lazy_gettext
from deliberate.middleware import db_session, request_context
from deliberate.templating import is_htmx, render
from deliberate.voting import exports, service
from deliberate.voting.chain import normalise_receipt
from deliberate.voting.counting import BUDGET_METHODS


def _cycle_id(request: Request) -> uuid.UUID:
    value = request.path_params["cycle_id"]
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


def _secret(request: Request) -> str:
    return str(request.app.state.settings.secret_key)


def _redirect(request: Request, name: str, cycle_id: uuid.UUID, query: str = "") -> Response:
    url = request.url_for(name, cycle_id=cycle_id).path
    return RedirectResponse(url + (f"?{query}" if query else ""), status_code=303)


# --- the commissioner's set-up -------------------------------------------------------------


def _definition_context(page: service.DefinitionPage, form: FormInput, **extra: Any) -> dict:
    return {
        "page": page,
        "cycle": page.cycle,
        "form": form,
        "methods": service.METHOD_LABELS,
        "explanations": service.METHOD_EXPLANATIONS,
        "params": service.PARAMS,
        "param_labels": service.PARAM_LABELS,
        "eligibility": service.ELIGIBILITY_LABELS,
        "weightings": service.WEIGHTING_LABELS,
        "visibilities": service.VISIBILITY_LABELS,
        "notice": extra.pop("notice", None),
        "upload_error": extra.pop("upload_error", None),
        **extra,
    }


async def definition(request: Request) -> Response:
    ctx = request_context(request)
    db = db_session(request)
    cycle_id = _cycle_id(request)
    page = await service.definition_page(db, ctx.viewer, cycle_id)
    if request.method == "GET":
        form = service.form_from_definition(page.definition)
        notice = request.query_params.get("notice")
        return render(
            request, "voting/definition.html", _definition_context(page, form, notice=notice)
        )
    form = FormInput(await request.form())
    try:
        await service.save_definition(db, ctx.viewer, cycle_id, form)
    except Invalid as error:
        form.errors.update(error.errors)
        return render(
            request,
            "voting/definition.html",
            _definition_context(page, form),
            status_code=422,
            block="definition_form",
        )
    return _redirect(request, "voting:definition", cycle_id, "notice=saved")


async def eligible_upload(request: Request) -> Response:
    ctx = request_context(request)
    db = db_session(request)
    cycle_id = _cycle_id(request)
    async with request.form() as data:
        upload = data.get("file")
        content = ""
        if isinstance(upload, UploadFile):
            raw = await upload.read()
            try:
                content = raw.decode("utf-8-sig")
            except UnicodeDecodeError:
                content = raw.decode("latin-1")
        elif isinstance(upload, str):
            content = upload
    try:
        await service.import_eligible(db, ctx.viewer, cycle_id, content)
    except Invalid as error:
        page = await service.definition_page(db, ctx.viewer, cycle_id)
        form = service.form_from_definition(page.definition)
        message = next(iter(error.errors.values()), error.message)
        return render(
            request,
            "voting/definition.html",
            _definition_context(page, form, upload_error=message),
            status_code=422,
        )
    return _redirect(request, "voting:definition", cycle_id, "notice=imported")


# --- the voter's ballot ----------------------------------------------------------------------


def _ballot_context(
    vctx: service.VotingContext, form: FormInput, parsed: service.ParsedBallot, **extra: Any
) -> dict:
    options = {o.key: o for o in vctx.options}
    order = parsed.order if parsed.order else [o.key for o in vctx.options]
    return {
        "cycle": vctx.cycle,
        "v": vctx,
        "definition": vctx.definition,
        "params": vctx.params,
        "kind": service.method_kind(vctx.definition.method),
        "method_label": service.METHOD_LABELS[vctx.definition.method],
        "explanation": service.METHOD_EXPLANATIONS[vctx.definition.method],
        "options": options,
        "order": order,
        "form": form,
        "parsed": parsed,
        "feedback": parsed.feedback,
        "errors": {**parsed.errors, **form.errors},
        "needs_group": bool(vctx.groups) and vctx.group is None and not vctx.verified_group,
        "group_form": extra.pop("group_form", FormInput()),
        "notice": extra.pop("notice", None),
        **extra,
    }


def _form_from_ballot(vctx: service.VotingContext) -> FormInput:
    if vctx.ballot is None:
        return FormInput({})
    return _MultiForm(service.choice_fields(vctx.ballot.choice))


class _MultiForm(FormInput):
    """A FormInput over (name, value) pairs, with repeated names (checkboxes) kept."""

    def __init__(self, pairs: list[tuple[str, str]]) -> None:
        from starlette.datastructures import FormData

        super().__init__(FormData(pairs))


async def vote(request: Request) -> Response:
    """GET: the ballot (pre-filled with the voter's current ballot). POST: the same form shown
    again with the totals worked out and any up/down move applied (the no-JavaScript path of
    the live feedback and of the ranking buttons)."""
    ctx = request_context(request)
    db = db_session(request)
    vctx = await service.voting_context(db, ctx.viewer, _cycle_id(request))
    if request.method == "GET":
        form = _form_from_ballot(vctx)
    else:
        form = FormInput(await request.form())
        move = form.get("move")
        if move:
            parsed = service.parse_choice(vctx.definition.method, vctx.params, vctx.options, form)
            form = _MultiForm(list(service.move_in_ranking(parsed, move).items()))
    parsed = service.parse_choice(vctx.definition.method, vctx.params, vctx.options, form)
    if request.method == "GET":
        parsed.errors = {}
    notice = request.query_params.get("notice")
    return render(
        request,
        "voting/vote.html",
        _ballot_context(vctx, form, parsed, notice=notice),
        block="ballot_form",
    )


async def check(request: Request) -> Response:
    """Live feedback for htmx (points left, credits used, budget left); the whole page without."""
    ctx = request_context(request)
    db = db_session(request)
    vctx = await service.voting_context(db, ctx.viewer, _cycle_id(request))
    form = FormInput(await request.form())
    parsed = service.parse_choice(vctx.definition.method, vctx.params, vctx.options, form)
    return render(
        request, "voting/vote.html", _ballot_context(vctx, form, parsed), block="feedback"
    )


async def declare_group(request: Request) -> Response:
    ctx = request_context(request)
    db = db_session(request)
    cycle_id = _cycle_id(request)
    form = FormInput(await request.form())
    try:
        await service.declare_group(db, ctx.viewer, cycle_id, form)
    except Invalid as error:
        form.errors.update(error.errors)
        vctx = await service.voting_context(db, ctx.viewer, cycle_id)
        parsed = service.parse_choice(
            vctx.definition.method, vctx.params, vctx.options, FormInput()
        )
        parsed.errors = {}
        return render(
            request,
            "voting/vote.html",
            _ballot_context(vctx, FormInput(), parsed, group_form=form),
            status_code=422,
        )
    return _redirect(request, "voting:vote", cycle_id, "notice=group")


async def review(request: Request) -> Response:
    """ "You are voting for...": the choice read back in words, with a one-time submission token
    so that casting twice (a double click, a retry) records one ballot."""
    ctx = request_context(request)
    db = db_session(request)
    vctx = await service.voting_context(db, ctx.viewer, _cycle_id(request))
    form = FormInput(await request.form())
    parsed = service.parse_choice(vctx.definition.method, vctx.params, vctx.options, form)
    context = _ballot_context(vctx, form, parsed)
    if parsed.errors:
        return render(request, "voting/vote.html", context, status_code=422, block="ballot_form")
    context.update(
        fields=service.choice_fields(parsed.choice),
        choice=parsed.choice,
        submission_token=secrets.token_urlsafe(24),
    )
    return render(request, "voting/review.html", context, block="review")


async def cast(request: Request) -> Response:
    ctx = request_context(request)
    db = db_session(request)
    cycle_id = _cycle_id(request)
    form = FormInput(await request.form())
    if form.get("change"):
        # "Change my choices": back to the form with the choices kept (no JavaScript needed).
        vctx = await service.voting_context(db, ctx.viewer, cycle_id)
        parsed = service.parse_choice(vctx.definition.method, vctx.params, vctx.options, form)
        return render(request, "voting/vote.html", _ballot_context(vctx, form, parsed))
    try:
        outcome = await service.cast(db, ctx.viewer, cycle_id, form, secret=_secret(request))
    except Invalid as error:
        if "group" in error.errors:
            return _redirect(request, "voting:vote", cycle_id)
        vctx = await service.voting_context(db, ctx.viewer, cycle_id)
        parsed = service.parse_choice(vctx.definition.method, vctx.params, vctx.options, form)
        context = _ballot_context(vctx, form, parsed)
        context["errors"] = {**context["errors"], **error.errors}
        return render(request, "voting/vote.html", context, status_code=422)
    token = form.get("submission_token")
    if is_htmx(request):
        return _receipt_response(request, cycle_id, outcome.receipt, outcome.seq, outcome.replaced)
    return _redirect(request, "voting:receipt", cycle_id, f"t={token}")


def _receipt_response(
    request: Request, cycle_id: uuid.UUID, receipt: str, seq: int, replaced: bool | None
) -> Response:
    return render(
        request,
        "voting/receipt.html",
        {"cycle_id": cycle_id, "receipt": receipt, "seq": seq, "replaced": replaced},
        block="confirmation",
        headers={"cache-control": "no-store"},
    )


async def receipt(request: Request) -> Response:
    ctx = request_context(request)
    db = db_session(request)
    cycle_id = _cycle_id(request)
    found = await service.receipt_for(
        db, ctx.viewer, cycle_id, request.query_params.get("t", ""), secret=_secret(request)
    )
    if found is None:
        raise NotFound(lazy_gettext("We could not find that receipt."))
    code, entry = found
    return _receipt_response(request, cycle_id, code, entry.seq, None)


# --- results, open data and the bulletin ---------------------------------------------------


async def results(request: Request) -> Response:
    ctx = request_context(request)
    page = await service.results_page(db_session(request), ctx.viewer, _cycle_id(request))
    context: dict[str, Any] = {
        "page": page,
        "cycle": page.cycle,
        "method_labels": service.METHOD_LABELS,
        "rows": [],
        "turnout": [],
        "breakdown": None,
        "payments": None,
        "budget": False,
        "explanation": {},
        "preflib": None,
    }
    if page.tally is not None:
        context.update(results_context(page, ctx.locale))
    return render(request, "voting/results.html", context)


def _in_locale(message: Any, locale: str) -> str:
    token = i18n.locale_var.set(locale)
    try:
        return str(message)
    finally:
        i18n.locale_var.reset(token)


def _figure(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def results_context(page: service.ResultsPage, locale: str) -> dict[str, Any]:
    """The figures the results page shows, from the stored (or live) tally."""
    tally = page.tally
    assert tally is not None
    result = tally.result
    options = {o.key: o for o in page.options}
    groups = {g.key: g for g in page.groups}
    selected = set(result.get("selected", []))
    scores = result.get("scores", {})
    numbers = {k: float(v) for k, v in scores.items() if isinstance(v, int | float)}
    top = max([abs(v) for v in numbers.values()] or [0]) or 1
    rows = []
    for key in result.get("ranking", []):
        option = options.get(key)
        value = numbers.get(key, 0.0)
        rows.append(
            {
                "key": key,
                "title": option.title if option else key,
                "language": option.language if option else "en",
                "proposal_id": option.proposal_id if option else None,
                "cost": (option.cost or 0) if option else 0,
                "selected": key in selected,
                "display": _figure(scores.get(key, 0)),
                "width": round(max(value, 0) / top * 300, 1),
            }
        )

    def group_name(key: str) -> str:
        group = groups.get(key)
        return group.name(locale) if group else (key or str(lazy_gettext("No group")))

    turnout = []
    for key, row in tally.summary.get("groups", {}).items():
        target = row.get("target_share")
        turnout.append(
            {
                "name": group_name(key),
                "ballots": row["ballots"],
                "share_of_ballots": _figure(round(row["share_of_ballots"] * 100, 1)),
                "share_of_voice": _figure(round(row["share_of_voice"] * 100, 1)),
                "target": f"{_figure(round(target * 100, 1))}%" if target is not None else "–",
                "weight": _figure(round(row["weight_each"], 3)),
            }
        )
    breakdown = None
    by_group = result.get("group_breakdown") or {}
    if by_group:
        keys = list(by_group)
        breakdown = {
            "groups": [{"name": group_name(k)} for k in keys],
            "rows": [
                {
                    "title": r["title"],
                    "language": r["language"],
                    "cells": [_figure(by_group[k].get(r["key"], 0)) for k in keys],
                }
                for r in rows
            ],
        }
    payments = None
    paid = tally.summary.get("payments_by_group") or {}
    if paid:
        keys = list(paid)
        payments = {
            "groups": [{"name": group_name(k)} for k in keys],
            "rows": [
                {
                    "title": r["title"],
                    "language": r["language"],
                    "cells": [_figure(round(paid[k].get(r["key"], 0), 2)) for k in keys],
                }
                for r in rows
                if r["selected"]
            ],
        }
    explanation = service.METHOD_EXPLANATIONS[tally.method]
    return {
        "rows": rows,
        "turnout": turnout,
        "breakdown": breakdown,
        "payments": payments,
        "budget": tally.method in BUDGET_METHODS,
        "explanation": {loc: _in_locale(explanation, loc) for loc in ("en", "cy")},
        "preflib": exports.preflib_kind(tally.method, list(tally.summary["weights"].values()))
        if "weights" in tally.summary
        else None,
    }


def _download(body: str, filename: str, media_type: str) -> Response:
    return Response(
        body,
        media_type=media_type,
        headers={"content-disposition": f'attachment; filename="{filename}"'},
    )


async def ballots_pb(request: Request) -> Response:
    ctx = request_context(request)
    export = await service.published_export(db_session(request), ctx.viewer, _cycle_id(request))
    return _download(exports.pb_text(export), "ballots.pb", "text/plain; charset=utf-8")


async def ballots_preflib(request: Request) -> Response:
    ctx = request_context(request)
    export = await service.published_export(db_session(request), ctx.viewer, _cycle_id(request))
    if exports.preflib_kind(export["method"], exports.export_weights(export)) is None:
        raise NotFound(lazy_gettext("This vote has no PrefLib file: use the .pb file."))
    return _download(exports.preflib_text(export), "ballots.soi", "text/plain; charset=utf-8")


async def ballots_csv(request: Request) -> Response:
    ctx = request_context(request)
    export = await service.published_export(db_session(request), ctx.viewer, _cycle_id(request))
    return _download(exports.csv_text(export), "ballots.csv", "text/csv; charset=utf-8")


async def bulletin_json(request: Request) -> Response:
    ctx = request_context(request)
    db = db_session(request)
    cycle = await cycles.get_cycle_row(db, _cycle_id(request), ctx.viewer)
    document = await service.bulletin_document(db, cycle)
    return JSONResponse(
        json.loads(json.dumps(document)),
        headers={"content-disposition": 'inline; filename="bulletin.json"'},
    )


async def bulletin_check(request: Request) -> Response:
    ctx = request_context(request)
    db = db_session(request)
    cycle = await cycles.get_cycle_row(db, _cycle_id(request), ctx.viewer)
    code = request.query_params.get("receipt", "").strip()[:64]
    entry = await service.find_receipt(db, cycle.id, code) if code else None
    current = None
    if entry is not None and service.closed_at(cycle) is not None:
        current = await service.is_current_receipt(db, cycle.id, entry.receipt_hash)
    return render(
        request,
        "voting/bulletin_check.html",
        {
            "cycle": cycle,
            "code": code,
            "normalised": normalise_receipt(code) if code else "",
            "entry": entry,
            "current": current,
            "form": FormInput({"receipt": code}),
        },
        block="outcome",
    )
