"""Panel and thread pages. Every form posts and redirects without JavaScript; with htmx, posting
and reacting swap fragments in place and new posts arrive live over Server-Sent Events."""

from __future__ import annotations

import uuid

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response, StreamingResponse

from deliberate.cycles import service as cycles
from deliberate.cycles.stages import Action, Actor, permits
from deliberate.deliberation import panels, service
from deliberate.errors import Invalid
from deliberate.forms import FormInput
from deliberate.i18n import get_locale
from deliberate.middleware import db_session, request_context
from deliberate.templating import is_htmx, render
from deliberate.text import attachment_disposition


def _uuid(request: Request, name: str) -> uuid.UUID:
    value = request.path_params[name]
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


def _redirect(request: Request, name: str, anchor: str = "", **params) -> RedirectResponse:
    return RedirectResponse(request.url_for(name, **params).path + anchor, status_code=303)


# --- panel ------------------------------------------------------------------------------------


async def _panel_page(request: Request, status_code: int = 200, **overrides) -> Response:
    ctx = request_context(request)
    db = db_session(request)
    cycle = await cycles.get_cycle(db, _uuid(request, "cycle_id"), ctx.viewer)
    actors = await cycles.actors_for(db, ctx.viewer, cycle)
    view = await panels.panel_view(db, ctx.viewer, cycle, actors)
    stage = cycle.current_stage
    context = {
        "cycle": cycle,
        "view": view,
        "panel": view.panel,
        "is_staff": bool({Actor.COMMISSIONER, Actor.FACILITATOR} & actors),
        "can_configure": permits(stage, Action.CONFIGURE_PANEL, actors),
        "can_draw": permits(stage, Action.DRAW_PANEL, actors),
        "can_volunteer": permits(stage, Action.VOLUNTEER, actors | {Actor.CITIZEN}),
        "can_leave": permits(stage, Action.LEAVE_PANEL, actors),
        "config_form": FormInput(
            {
                "size": str(
                    view.panel.size if view.panel else cycle.settings.get("panel_size", 24)
                ),
                "attributes": panels.attributes_text(view.panel),
                "threads_private": "on" if view.panel and view.panel.threads_private else "",
            }
        ),
        "volunteer_form": FormInput(
            {"name": ctx.viewer.user.display_name if ctx.viewer.user else ""}
        ),
        "seed_form": FormInput(),
        "invite_form": FormInput(),
        "import_error": None,
        "notice": request.query_params.get("notice"),
    }
    context.update(overrides)
    return render(request, "deliberation/panel.html", context, status_code=status_code)


async def panel_page(request: Request) -> Response:
    return await _panel_page(request)


async def _panel_action(request: Request, action, form_name: str, notice: str) -> Response:
    ctx = request_context(request)
    form = FormInput(await request.form())
    cycle_id = _uuid(request, "cycle_id")
    try:
        await action(db_session(request), ctx.viewer, cycle_id, form)
    except Invalid as error:
        form.errors.update(error.errors)
        return await _panel_page(request, 422, **{form_name: form})
    return _redirect(request, "panel:page", f"?notice={notice}", cycle_id=cycle_id)


async def panel_configure(request: Request) -> Response:
    return await _panel_action(request, panels.configure_panel, "config_form", "configured")


async def panel_volunteer(request: Request) -> Response:
    return await _panel_action(request, panels.volunteer, "volunteer_form", "volunteered")


async def panel_seed(request: Request) -> Response:
    return await _panel_action(request, panels.publish_seed, "seed_form", "seed")


async def panel_invite(request: Request) -> Response:
    return await _panel_action(request, panels.invite_member, "invite_form", "invited")


async def panel_withdraw(request: Request) -> Response:
    cycle_id = _uuid(request, "cycle_id")
    await panels.withdraw_volunteer(db_session(request), request_context(request).viewer, cycle_id)
    return _redirect(request, "panel:page", "?notice=withdrawn", cycle_id=cycle_id)


async def panel_draw(request: Request) -> Response:
    cycle_id = _uuid(request, "cycle_id")
    await panels.draw(db_session(request), request_context(request).viewer, cycle_id)
    return _redirect(request, "panel:page", "?notice=drawn", cycle_id=cycle_id)


async def panel_leave(request: Request) -> Response:
    cycle_id = _uuid(request, "cycle_id")
    await panels.leave_panel(db_session(request), request_context(request).viewer, cycle_id)
    return _redirect(request, "panel:page", "?notice=left", cycle_id=cycle_id)


async def panel_import(request: Request) -> Response:
    ctx = request_context(request)
    cycle_id = _uuid(request, "cycle_id")
    form = await request.form()
    upload = form.get("file")
    text = ""
    if isinstance(upload, UploadFile):
        raw = await upload.read(5 * 1024 * 1024 + 1)
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            return await _panel_page(
                request, 422, import_error="The file must be CSV saved as UTF-8."
            )
    try:
        result = await panels.import_pool(db_session(request), ctx.viewer, cycle_id, text)
    except Invalid as error:
        return await _panel_page(
            request, 422, import_error=next(iter(error.errors.values()), error.message)
        )
    return _redirect(
        request, "panel:page", f"?notice=imported&added={result.added}", cycle_id=cycle_id
    )


async def panel_report(request: Request) -> Response:
    """The anonymised selection report as JSON: the pool's features (no names), the quotas, the
    seed and each volunteer's probability, so anyone can re-run the draw."""
    from starlette.responses import JSONResponse

    ctx = request_context(request)
    db = db_session(request)
    cycle = await cycles.get_cycle(db, _uuid(request, "cycle_id"), ctx.viewer)
    actors = await cycles.actors_for(db, ctx.viewer, cycle)
    view = await panels.panel_view(db, ctx.viewer, cycle, actors | {Actor.FACILITATOR})
    if view.panel is None or view.panel.status != "drawn":
        from deliberate.errors import NotFound

        raise NotFound()
    people = sorted(view.people, key=lambda p: str(p.id))
    return JSONResponse(
        {
            "seed": view.panel.seed,
            "size": view.panel.size,
            "algorithm": view.panel.report.get("algorithm"),
            "minimum_probability": view.panel.report.get("minimum_probability"),
            "quotas": view.panel.report.get("quotas"),
            "pool": [
                {
                    "volunteer": index + 1,
                    "features": p.attributes,
                    "probability": p.probability,
                    "selected": p.status in ("selected", "accepted", "declined"),
                }
                for index, p in enumerate(people)
                if p.source != "invited"
            ],
        }
    )


# --- threads ---------------------------------------------------------------------------------


async def thread_list(request: Request) -> Response:
    ctx = request_context(request)
    db = db_session(request)
    rights, rows = await service.list_threads(db, ctx.viewer, _uuid(request, "cycle_id"))
    return render(
        request,
        "deliberation/threads.html",
        {"cycle": rights.cycle, "rights": rights, "rows": rows, "form": FormInput()},
    )


async def thread_create(request: Request) -> Response:
    ctx = request_context(request)
    db = db_session(request)
    form = FormInput(await request.form())
    cycle_id = _uuid(request, "cycle_id")
    try:
        thread = await service.create_thread(db, ctx.viewer, cycle_id, form)
    except Invalid as error:
        form.errors.update(error.errors)
        rights, rows = await service.list_threads(db, ctx.viewer, cycle_id)
        return render(
            request,
            "deliberation/threads.html",
            {"cycle": rights.cycle, "rights": rights, "rows": rows, "form": form},
            status_code=422,
        )
    return _redirect(request, "threads:detail", thread_id=thread.id)


def _thread_context(page: service.ThreadPage, **extra) -> dict:
    return {
        "page": page,
        "thread": page.thread,
        "cycle": page.access.cycle,
        "rights": page.access,
        "stances": service.STANCES,
        "reactions": service.REACTIONS,
        "post_form": extra.pop("post_form", None)
        or FormInput({"stance": "neutral", "language": get_locale()}),
        "reply_to": extra.pop("reply_to", None),
        **extra,
    }


async def thread_detail(request: Request) -> Response:
    ctx = request_context(request)
    after = request.query_params.get("after") or None
    page = await service.thread_page(
        db_session(request), ctx.viewer, _uuid(request, "thread_id"), after
    )
    reply_to = request.query_params.get("reply")
    return render(
        request,
        "deliberation/thread.html",
        _thread_context(page, reply_to=int(reply_to) if reply_to and reply_to.isdigit() else None),
        block="posts" if after else None,
    )


async def thread_events(request: Request) -> Response:
    ctx = request_context(request)
    thread_id = _uuid(request, "thread_id")
    # Checks read access now; the stream itself holds no database connection.
    await service._thread_with_access(db_session(request), ctx.viewer, thread_id)
    hub = request.app.state.post_events
    return StreamingResponse(
        hub.stream(thread_id, ctx.locale),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )


async def post_create(request: Request) -> Response:
    ctx = request_context(request)
    db = db_session(request)
    thread_id = _uuid(request, "thread_id")
    form = FormInput(await request.form())
    try:
        posted = await service.create_post(db, ctx.viewer, thread_id, form, ctx.locale)
    except Invalid as error:
        form.errors.update(error.errors)
        page = await service.thread_page(db, ctx.viewer, thread_id)
        parent = form.get("parent")
        return render(
            request,
            "deliberation/thread.html",
            _thread_context(
                page, post_form=form, reply_to=int(parent) if parent.isdigit() else None
            ),
            status_code=422,
            block="post_form" if is_htmx(request) else None,
        )
    _queue_mention_mail(request, posted)
    if is_htmx(request):
        from deliberate.deliberation.service import PostRow

        row = PostRow(
            posted.post, ctx.viewer.user.display_name if ctx.viewer.user else None, None, None
        )
        page_rights = await service.access(
            db, ctx.viewer, await cycles.get_cycle_row(db, posted.post.cycle_id, ctx.viewer)
        )
        return render(
            request,
            "deliberation/_post.html",
            {
                "row": row,
                "rights": page_rights,
                "stances": service.STANCES,
                "reactions": service.REACTIONS,
                "thread": await db.get(service.Thread, thread_id),
                "just_posted": True,
            },
        )
    root = posted.post.path.split(".")[0]
    return RedirectResponse(
        request.url_for("threads:detail", thread_id=thread_id).path
        + f"?after={_before(root)}#post-{posted.post.id}",
        status_code=303,
    )


def _before(path: str) -> str:
    """A keyset position just before `path`, so the page starts at that post's thread root."""
    return path[:-1] + chr(ord(path[-1]) - 1) if path else ""


def _queue_mention_mail(request: Request, posted) -> None:
    from deliberate.i18n import lazy_gettext as N_
    from deliberate.mail import send_translated
    from deliberate.middleware import after_commit

    settings = request.app.state.settings
    path = request.url_for("threads:detail", thread_id=posted.post.thread_id).path
    link = f"{settings.base_url}{path}#post-{posted.post.id}"
    subject = N_("You were mentioned in a panel discussion").message
    body = N_("Someone mentioned you in the citizens' panel's discussion:\n\n%(link)s\n").message
    for user in posted.mentioned:
        if user.email_notifications != "immediate":
            continue

        async def job(to: str = user.email, language: str = user.language) -> None:
            await send_translated(settings, to, language, subject, body, link=link)

        after_commit(request, job)


async def post_edit(request: Request) -> Response:
    ctx = request_context(request)
    db = db_session(request)
    post_id = int(request.path_params["post_id"])
    post, _revisions, _rights = await service.post_history(db, ctx.viewer, post_id)
    if request.method == "GET":
        form = FormInput({"body": post.body, "stance": post.stance, "language": post.language})
        return render(
            request,
            "deliberation/edit_post.html",
            {"post": post, "form": form, "stances": service.STANCES},
        )
    form = FormInput(await request.form())
    try:
        await service.edit_post(db, ctx.viewer, post_id, form, ctx.locale)
    except Invalid as error:
        form.errors.update(error.errors)
        return render(
            request, "deliberation/edit_post.html",
            {"post": post, "form": form, "stances": service.STANCES}, status_code=422,
        )  # fmt: skip
    return _redirect(request, "threads:detail", f"#post-{post_id}", thread_id=post.thread_id)


async def post_history(request: Request) -> Response:
    ctx = request_context(request)
    post, revisions, _rights = await service.post_history(
        db_session(request), ctx.viewer, int(request.path_params["post_id"])
    )
    return render(
        request,
        "deliberation/history.html",
        {"post": post, "revisions": revisions, "stances": service.STANCES},
    )


async def post_react(request: Request) -> Response:
    ctx = request_context(request)
    db = db_session(request)
    form = FormInput(await request.form())
    post_id = int(request.path_params["post_id"])
    post = await service.react(db, ctx.viewer, post_id, form.get("kind"))
    if is_htmx(request):
        mine = await service.my_reactions(db, ctx.viewer, post_id)
        return render(
            request,
            "deliberation/_reactions.html",
            {"post": post, "mine": mine, "reactions": service.REACTIONS, "can_react": True},
        )
    return _redirect(request, "threads:detail", f"#post-{post_id}", thread_id=post.thread_id)


async def post_flag(request: Request) -> Response:
    ctx = request_context(request)
    form = FormInput(await request.form())
    post = await service.flag_post(
        db_session(request), ctx.viewer, int(request.path_params["post_id"]), form
    )
    return _redirect(
        request, "threads:detail", f"?notice=flagged#post-{post.id}", thread_id=post.thread_id
    )


async def post_hide(request: Request) -> Response:
    ctx = request_context(request)
    form = FormInput(await request.form())
    hide = request.url.path.endswith("/hide")
    post = await service.hide_post(
        db_session(request), ctx.viewer, int(request.path_params["post_id"]), form, hide=hide
    )
    return _redirect(request, "threads:detail", f"#post-{post.id}", thread_id=post.thread_id)


async def thread_lock(request: Request) -> Response:
    ctx = request_context(request)
    form = FormInput(await request.form())
    lock = request.url.path.endswith("/lock")
    thread = await service.lock_thread(
        db_session(request), ctx.viewer, _uuid(request, "thread_id"), form, lock=lock
    )
    return _redirect(request, "threads:detail", thread_id=thread.id)


async def thread_summary(request: Request) -> Response:
    ctx = request_context(request)
    db = db_session(request)
    thread_id = _uuid(request, "thread_id")
    if request.method == "GET":
        thread, versions = await service.summary_versions(db, ctx.viewer, thread_id)
        return render(
            request, "deliberation/summaries.html", {"thread": thread, "versions": versions}
        )
    form = FormInput(await request.form())
    try:
        await service.add_summary(db, ctx.viewer, thread_id, form, ctx.locale)
    except Invalid as error:
        return await _thread_with_form_errors(request, thread_id, "summary_form", form, error)
    return _redirect(request, "threads:detail", "#summary", thread_id=thread_id)


async def thread_evidence(request: Request) -> Response:
    ctx = request_context(request)
    db = db_session(request)
    thread_id = _uuid(request, "thread_id")
    data = await request.form()
    form = FormInput(data)
    upload = data.get("document")
    file = None
    if isinstance(upload, UploadFile) and upload.filename:
        content = await upload.read(service.MAX_EVIDENCE_BYTES + 1)
        file = (upload.filename, (upload.content_type or "").split(";")[0], content)
    try:
        await service.add_evidence(db, ctx.viewer, thread_id, form, file)
    except Invalid as error:
        return await _thread_with_form_errors(request, thread_id, "evidence_form", form, error)
    return _redirect(request, "threads:detail", "#evidence", thread_id=thread_id)


async def _thread_with_form_errors(
    request: Request, thread_id: uuid.UUID, name: str, form: FormInput, error: Invalid
) -> Response:
    """The thread page again, with one of its forms showing the person's input and problems."""
    form.errors.update(error.errors)
    ctx = request_context(request)
    page = await service.thread_page(db_session(request), ctx.viewer, thread_id)
    return render(
        request, "deliberation/thread.html", _thread_context(page, **{name: form}), status_code=422
    )


async def evidence_download(request: Request) -> Response:
    ctx = request_context(request)
    evidence = await service.evidence_document(
        db_session(request), ctx.viewer, _uuid(request, "evidence_id")
    )
    # Only the types an upload may have; whatever else the row holds is a plain download.
    known = evidence.content_type in service.EVIDENCE_TYPES
    return Response(
        evidence.content or b"",
        media_type=evidence.content_type if known else "application/octet-stream",
        headers={"Content-Disposition": attachment_disposition(evidence.filename)},
    )


async def flags(request: Request) -> Response:
    ctx = request_context(request)
    cycle, rows = await service.flagged_posts(
        db_session(request), ctx.viewer, _uuid(request, "cycle_id")
    )
    return render(request, "deliberation/flags.html", {"cycle": cycle, "rows": rows})
