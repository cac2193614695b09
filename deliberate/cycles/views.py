"""Cycle pages: the public lists and cycle page, and the commissioner's create/edit/move forms."""

from __future__ import annotations

import uuid

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from deliberate import notifications
from deliberate.cycles import service
from deliberate.cycles.stages import (
    ACTION_LABELS,
    STAGE_DESCRIPTIONS,
    Action,
    Actor,
    Stage,
    transitions_from,
)
from deliberate.errors import Invalid, NotFound
from deliberate.forms import FormInput
from deliberate.middleware import db_session, request_context
from deliberate.templating import render


def _cycle_id(request: Request) -> uuid.UUID:
    value = request.path_params["cycle_id"]
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


def _to_cycle(request: Request, cycle_id: uuid.UUID, **query: str) -> RedirectResponse:
    url = request.url_for("cycles:detail", cycle_id=cycle_id).path
    if query:
        url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    return RedirectResponse(url, status_code=303)


async def cycle_list(request: Request) -> Response:
    area = request.query_params.get("area") or None
    lists = await service.list_cycles(db_session(request), area)
    return render(
        request,
        "cycles/list.html",
        {"lists": lists, "areas": service.SERVICE_AREAS, "area": area or ""},
        block="results",
    )


async def _detail(request: Request, cycle_id: uuid.UUID, status_code: int = 200, **overrides):
    ctx = request_context(request)
    db = db_session(request)
    cycle = await service.get_cycle(db, cycle_id, ctx.viewer)
    actors = await service.actors_for(db, ctx.viewer, cycle)
    moves = []
    if Actor.COMMISSIONER in actors and cycle.current_stage != Stage.CLOSED:
        moves = transitions_from(cycle.current_stage)
    context = {
        "cycle": cycle,
        "timeline": service.timeline(cycle),
        "actions": service.what_you_can_do(cycle, actors),
        "action_labels": ACTION_LABELS,
        "Action": Action,
        "stage_description": STAGE_DESCRIPTIONS[cycle.current_stage],
        "is_commissioner": Actor.COMMISSIONER in actors,
        "moves": moves,
        "following": await service.is_following(db, ctx.viewer, cycle),
        "areas": service.SERVICE_AREAS,
        "move_error": None,
        "extend_form": FormInput(),
        "notice": request.query_params.get("notice"),
    }
    context.update(await service.page_context(db, ctx.viewer, cycle, actors))
    context.update(overrides)
    return render(request, "cycles/detail.html", context, status_code=status_code)


async def cycle_detail(request: Request) -> Response:
    return await _detail(request, _cycle_id(request))


def _form_context(organisations, form: FormInput, cycle=None) -> dict:
    return {
        "form": form,
        "organisations": organisations,
        "areas": service.SERVICE_AREAS,
        "group_rows": range(service.GROUP_ROWS),
        "scheduled_stages": service.SCHEDULED_STAGES,
        "cycle": cycle,
    }


async def cycle_new(request: Request) -> Response:
    ctx = request_context(request)
    db = db_session(request)
    organisations = await service.commissioner_organisations(db, ctx.viewer)
    if not organisations:
        from deliberate.errors import NotAllowed
        from deliberate.i18n import lazy_gettext

        raise NotAllowed(lazy_gettext("Only commissioners can create cycles."))
    if request.method == "GET":
        form = FormInput({"signoff_quorum": "67", "panel_size": "24"})
        return render(request, "cycles/form.html", _form_context(organisations, form))
    form = FormInput(await request.form())
    try:
        cycle = await service.create_cycle(db, ctx.viewer, form)
    except Invalid as error:
        form.errors.update(error.errors)
        return render(
            request, "cycles/form.html", _form_context(organisations, form), status_code=422
        )
    return _to_cycle(request, cycle.id, notice="created")


async def cycle_edit(request: Request) -> Response:
    ctx = request_context(request)
    db = db_session(request)
    cycle = await service.get_cycle(db, _cycle_id(request), ctx.viewer)
    actors = await service.actors_for(db, ctx.viewer, cycle)
    service.require(ctx.viewer, cycle, Action.EDIT_CYCLE, actors)
    organisations = await service.commissioner_organisations(db, ctx.viewer)
    if request.method == "GET":
        slug = next((s for s, o in organisations.items() if o.id == cycle.organisation_id), "")
        form = service.form_from_cycle(cycle, slug)
        return render(request, "cycles/form.html", _form_context(organisations, form, cycle))
    form = FormInput(await request.form())
    try:
        await service.update_cycle(db, ctx.viewer, cycle.id, form)
    except Invalid as error:
        form.errors.update(error.errors)
        return render(
            request,
            "cycles/form.html",
            _form_context(organisations, form, cycle),
            status_code=422,
        )
    return _to_cycle(request, cycle.id, notice="saved")


async def cycle_move(request: Request) -> Response:
    ctx = request_context(request)
    db = db_session(request)
    form = FormInput(await request.form())
    try:
        target = Stage(form.get("target"))
    except ValueError:
        raise NotFound() from None
    cycle_id = _cycle_id(request)
    try:
        await service.move_cycle(db, ctx.viewer, cycle_id, target, reason=form.get("reason"))
    except Invalid as error:
        message = next(iter(error.errors.values()), error.message)
        return await _detail(request, cycle_id, 422, move_error=message, notice=None)
    return _to_cycle(request, cycle_id, notice="moved")


async def cycle_extend(request: Request) -> Response:
    ctx = request_context(request)
    db = db_session(request)
    form = FormInput(await request.form())
    cycle_id = _cycle_id(request)
    try:
        await service.extend_stage(db, ctx.viewer, cycle_id, form)
    except Invalid as error:
        form.errors.update(error.errors)
        return await _detail(request, cycle_id, 422, extend_form=form, notice=None)
    return _to_cycle(request, cycle_id, notice="extended")


async def cycle_follow(request: Request) -> Response:
    ctx = request_context(request)
    form = FormInput(await request.form())
    on = form.get("follow") == "on"
    cycle = await service.follow(db_session(request), ctx.viewer, _cycle_id(request), on=on)
    return _to_cycle(request, cycle.id, notice="following" if on else "unfollowed")


async def manage(request: Request) -> Response:
    ctx = request_context(request)
    if not ctx.viewer.is_authenticated:
        from deliberate.errors import SignInRequired

        raise SignInRequired()
    cycles = await service.cycles_to_manage(db_session(request), ctx.viewer)
    return render(request, "cycles/manage.html", {"cycles": cycles})


async def notification_list(request: Request) -> Response:
    ctx = request_context(request)
    rows = await notifications.list_notifications(db_session(request), ctx.viewer, ctx.locale)
    return render(request, "cycles/notifications.html", {"rows": rows, "stages": Stage})


async def notifications_read(request: Request) -> Response:
    await notifications.mark_all_read(db_session(request), request_context(request).viewer)
    return RedirectResponse(request.url_for("notifications").path, status_code=303)
