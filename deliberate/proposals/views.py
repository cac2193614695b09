"""Proposal pages: the list (search, filters, sorts, pages), proposing and editing, supports
(toggled in place by htmx, a plain form without it), answers and merges."""

from __future__ import annotations

import uuid

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from deliberate import security
from deliberate.cycles import service as cycles
from deliberate.cycles.stages import Action, Actor, Stage, permits
from deliberate.errors import Conflict, Invalid, WrongStage
from deliberate.forms import FormInput
from deliberate.middleware import db_session, request_context
from deliberate.proposals import service
from deliberate.templating import is_htmx, render

SEED_COOKIE = "deliberate_seed"


def _uuid(request: Request, name: str) -> uuid.UUID:
    value = request.path_params[name]
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


def _to_proposal(request: Request, proposal_id: uuid.UUID, notice: str = "") -> RedirectResponse:
    url = request.url_for("proposals:detail", proposal_id=proposal_id).path
    return RedirectResponse(url + (f"?notice={notice}" if notice else ""), status_code=303)


async def proposal_list(request: Request) -> Response:
    ctx = request_context(request)
    db = db_session(request)
    cycle = await cycles.get_cycle_row(db, _uuid(request, "cycle_id"), ctx.viewer)
    seed = request.cookies.get(SEED_COOKIE) or security.new_token(8)
    params = service.ListParams.parse(request.query_params, seed)
    page = await service.list_proposals(db, ctx.viewer, cycle, params)
    signed_in = ctx.viewer.is_authenticated
    response = render(
        request,
        "proposals/list.html",
        {
            "cycle": cycle,
            "page": page,
            "params": params,
            "statuses": service.STATUS_FILTERS,
            "sorts": service.SORTS,
            "answers": service.ANSWER_LABELS,
            "can_propose": permits(cycle.current_stage, Action.PROPOSE, {Actor.CITIZEN}),
            "can_support": signed_in
            and permits(cycle.current_stage, Action.SUPPORT, {Actor.CITIZEN}),
        },
        block="results",
    )
    if SEED_COOKIE not in request.cookies:
        response.set_cookie(SEED_COOKIE, seed, max_age=30 * 86400, httponly=True, samesite="lax")
    return response


def _proposal_form_context(cycle, form: FormInput, proposal=None) -> dict:
    return {
        "cycle": cycle,
        "form": form,
        "proposal": proposal,
        "asset_kinds": service.ASSET_KINDS,
        "asset_rows": range(service.ASSET_ROWS),
    }


async def proposal_new(request: Request) -> Response:
    ctx = request_context(request)
    db = db_session(request)
    cycle_id = _uuid(request, "cycle_id")
    if request.method == "GET":
        cycle = await cycles.get_cycle(db, cycle_id, ctx.viewer)
        cycles.require(
            ctx.viewer, cycle, Action.PROPOSE, await cycles.actors_for(db, ctx.viewer, cycle)
        )
        form = FormInput({"language": ctx.locale})
        return render(request, "proposals/form.html", _proposal_form_context(cycle, form))
    form = FormInput(await request.form())
    try:
        proposal = await service.create_proposal(db, ctx.viewer, cycle_id, form, ctx.locale)
    except Invalid as error:
        form.errors.update(error.errors)
        cycle = await cycles.get_cycle(db, cycle_id, ctx.viewer)
        return render(
            request, "proposals/form.html", _proposal_form_context(cycle, form), status_code=422
        )
    return _to_proposal(request, proposal.id, "created")


async def proposal_detail(request: Request) -> Response:
    ctx = request_context(request)
    try:
        detail = await service.get_proposal(
            db_session(request), ctx.viewer, _uuid(request, "proposal_id")
        )
    except service.Merged as merged:
        # A merged proposal's address leads, for good, to the proposal it joined.
        return RedirectResponse(
            request.url_for("proposals:detail", proposal_id=merged.target_id).path,
            status_code=301,
        )
    return render(request, "proposals/detail.html", _detail_context(request, detail))


def _detail_context(request: Request, detail: service.ProposalDetail, **overrides) -> dict:
    """What the proposal page shows; the commissioner's forms re-render it with their problems."""
    stage = detail.cycle.current_stage
    is_open = detail.proposal.status == "open"
    context = {
        "d": detail,
        "proposal": detail.proposal,
        "cycle": detail.cycle,
        "answers": service.ANSWER_LABELS,
        "asset_kinds": service.ASSET_KINDS,
        "can_edit": is_open and permits(stage, Action.EDIT_PROPOSAL, detail.actors),
        "can_answer": permits(stage, Action.ANSWER, detail.actors),
        "can_merge": bool(detail.merge_candidates) and permits(stage, Action.MERGE, detail.actors),
        "can_support": is_open and permits(stage, Action.SUPPORT, {Actor.CITIZEN}),
        "answer_form": FormInput(
            {"answer": detail.proposal.answer or "", "reason": detail.proposal.answer_reason or ""}
        ),
        "merge_form": FormInput(),
        "notice": request.query_params.get("notice"),
        "Stage": Stage,
    }
    context.update(overrides)
    return context


async def proposal_edit(request: Request) -> Response:
    ctx = request_context(request)
    db = db_session(request)
    proposal_id = _uuid(request, "proposal_id")
    detail, form = await service.form_for_edit(db, ctx.viewer, proposal_id)
    if request.method == "GET":
        return render(
            request,
            "proposals/form.html",
            _proposal_form_context(detail.cycle, form, detail.proposal),
        )
    form = FormInput(await request.form())
    try:
        await service.update_proposal(db, ctx.viewer, proposal_id, form)
    except Invalid as error:
        form.errors.update(error.errors)
        return render(
            request,
            "proposals/form.html",
            _proposal_form_context(detail.cycle, form, detail.proposal),
            status_code=422,
        )
    return _to_proposal(request, proposal_id, "saved")


async def proposal_withdraw(request: Request) -> Response:
    ctx = request_context(request)
    proposal = await service.withdraw_proposal(
        db_session(request), ctx.viewer, _uuid(request, "proposal_id")
    )
    return _to_proposal(request, proposal.id, "withdrawn")


async def proposal_support(request: Request) -> Response:
    """Support or remove support. With htmx, answer with the button fragment in place."""
    ctx = request_context(request)
    form = FormInput(await request.form())
    on = form.get("support") == "on"
    proposal_id = _uuid(request, "proposal_id")
    try:
        state = await service.set_support(db_session(request), ctx.viewer, proposal_id, on=on)
    except (Conflict, WrongStage) as error:
        if not is_htmx(request):
            raise
        # Keep the button as it was and say why, in the live region next to it.
        return render(
            request,
            "proposals/_support.html",
            {"proposal_id": proposal_id, "error": error.message, "state": None},
            status_code=200,
            headers={"HX-Reswap": "outerHTML"},
        )
    if is_htmx(request):
        return render(
            request,
            "proposals/_support.html",
            {"proposal_id": proposal_id, "state": state, "error": None},
        )
    back = form.get("next")
    return RedirectResponse(
        security.safe_next(back, request.url_for("proposals:detail", proposal_id=proposal_id).path),
        303,
    )


async def proposal_answer(request: Request) -> Response:
    ctx = request_context(request)
    db = db_session(request)
    form = FormInput(await request.form())
    proposal_id = _uuid(request, "proposal_id")
    try:
        await service.answer_proposal(db, ctx.viewer, proposal_id, form)
    except Invalid as error:
        form.errors.update(error.errors)
        return await _detail_with(request, proposal_id, answer_form=form)
    return _to_proposal(request, proposal_id, "answered")


async def proposal_merge(request: Request) -> Response:
    ctx = request_context(request)
    db = db_session(request)
    form = FormInput(await request.form())
    proposal_id = _uuid(request, "proposal_id")
    try:
        target = await service.merge_proposals(db, ctx.viewer, proposal_id, form)
    except Invalid as error:
        form.errors.update(error.errors)
        return await _detail_with(request, proposal_id, merge_form=form)
    return _to_proposal(request, target.id, "merged")


async def _detail_with(request: Request, proposal_id: uuid.UUID, **forms: FormInput) -> Response:
    ctx = request_context(request)
    detail = await service.get_proposal(db_session(request), ctx.viewer, proposal_id)
    context = _detail_context(
        request,
        detail,
        can_edit=False,
        can_merge=permits(detail.cycle.current_stage, Action.MERGE, detail.actors),
        can_support=False,
        answer_form=forms.get("answer_form", FormInput()),
        merge_form=forms.get("merge_form", FormInput()),
        notice=None,
    )
    return render(request, "proposals/detail.html", context, status_code=422)


async def shortlist(request: Request) -> Response:
    ctx = request_context(request)
    db = db_session(request)
    cycle = await cycles.get_cycle(db, _uuid(request, "cycle_id"), ctx.viewer)
    actors = await cycles.actors_for(db, ctx.viewer, cycle)
    items = await service.shortlist(db, cycle.id)
    return render(
        request,
        "proposals/shortlist.html",
        {
            "cycle": cycle,
            "items": items,
            "is_commissioner": Actor.COMMISSIONER in actors,
        },
    )
