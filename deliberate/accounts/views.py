"""Account pages: thin views that parse the form, call one service and render or redirect (303)."""

from __future__ import annotations

import datetime as dt
import hmac
import json
import uuid

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from deliberate import ratelimit, security
from deliberate.accounts import privacy, service
from deliberate.accounts.oidc import OIDCError
from deliberate.errors import Conflict, Invalid, NotAllowed, NotFound
from deliberate.forms import FormInput
from deliberate.i18n import LOCALES
from deliberate.i18n import gettext as _
from deliberate.logging import get_logger
from deliberate.mail import send_mail
from deliberate.middleware import after_commit, db_session, request_context
from deliberate.templating import render

log = get_logger("deliberate.accounts")
SIGNIN_LIMIT = 10  # failed sign-ins per address in the window
SIGNIN_WINDOW = dt.timedelta(minutes=15)
SIGNUP_LIMIT = 20  # sign-up attempts per network address in the window
SIGNUP_WINDOW = dt.timedelta(hours=1)


def redirect(request: Request, name: str, **params: str) -> RedirectResponse:
    return RedirectResponse(request.url_for(name, **params).path, status_code=303)


def _set_session_cookie(request: Request, response: Response, token: str) -> None:
    settings = request.app.state.settings
    response.set_cookie(
        security.SESSION_COOKIE,
        token,
        max_age=settings.session_days * 86400,
        httponly=True,
        samesite="lax",
        secure=settings.secure_cookies,
        path="/",
    )


def _queue_mail(request: Request, to: str, subject: str, body: str) -> None:
    settings = request.app.state.settings

    async def job() -> None:
        await send_mail(settings, to, subject, body)

    after_commit(request, job)


def _link(request: Request, name: str, **params: str) -> str:
    return request.app.state.settings.base_url + request.url_for(name, **params).path


# --- sign-up and verification ----------------------------------------------------------------


async def sign_up(request: Request) -> Response:
    if request.method == "GET":
        return render(request, "accounts/signup.html", {"form": FormInput()})
    form = FormInput(await request.form())
    key = ratelimit.key_for("signup-ip", request.client.host if request.client else "")
    await ratelimit.check(db_session(request), key, SIGNUP_LIMIT, SIGNUP_WINDOW)
    await ratelimit.record(request.app.state.sessionmaker, key)
    try:
        outcome = await service.sign_up(db_session(request), form)
    except Invalid:
        return render(request, "accounts/signup.html", {"form": form}, status_code=422)
    if outcome.created and outcome.token:
        _queue_mail(
            request,
            outcome.user.email,
            _("Confirm your e-mail address for Deliberate"),
            _(
                "Hello %(name)s,\n\nPlease confirm your e-mail address by opening this link "
                "within 48 hours:\n\n%(link)s\n\nIf you did not sign up, ignore this message.",
                name=outcome.user.display_name,
                link=_link(request, "accounts:verify", token=outcome.token),
            ),
        )
    else:
        _queue_mail(
            request,
            outcome.user.email,
            _("Someone tried to sign up with your e-mail address"),
            _(
                "Hello,\n\nSomeone tried to create a Deliberate account with this address, "
                "which already has one. If it was you, sign in or reset your password:\n\n"
                "%(link)s\n\nIf not, you can ignore this message.",
                link=_link(request, "accounts:forgot"),
            ),
        )
    return redirect(request, "accounts:signup_sent")


async def sign_up_sent(request: Request) -> Response:
    return render(request, "accounts/signup_sent.html")


async def verify(request: Request) -> Response:
    try:
        await service.verify_email(db_session(request), request.path_params["token"])
    except NotFound as error:
        return render(
            request, "accounts/link_invalid.html", {"message": error.message}, status_code=404
        )
    return render(request, "accounts/verified.html")


async def resend_verification(request: Request) -> Response:
    ctx = request_context(request)
    token = await service.resend_verification(db_session(request), ctx.viewer)
    if token and ctx.viewer.user:
        _queue_mail(
            request,
            ctx.viewer.user.email,
            _("Confirm your e-mail address for Deliberate"),
            _(
                "Hello %(name)s,\n\nPlease confirm your e-mail address by opening this link "
                "within 48 hours:\n\n%(link)s\n\nIf you did not sign up, ignore this message.",
                name=ctx.viewer.user.display_name,
                link=_link(request, "accounts:verify", token=token),
            ),
        )
    return RedirectResponse(request.url_for("accounts:profile").path + "?sent=1", 303)


# --- sign-in and sign-out --------------------------------------------------------------------


async def sign_in(request: Request) -> Response:
    next_path = security.safe_next(request.query_params.get("next"))
    if request.method == "GET":
        return render(request, "accounts/signin.html", {"form": FormInput(), "next": next_path})
    data = await request.form()
    form = FormInput(data)
    next_path = security.safe_next(form.get("next"))
    db = db_session(request)
    # Failed sign-ins are limited per address and per network address, across every process;
    # the same limit applies whether or not the address has an account.
    keys = [
        ratelimit.key_for("signin-email", form.get("email")),
        ratelimit.key_for("signin-ip", request.client.host if request.client else ""),
    ]
    await ratelimit.check(db, keys[0], SIGNIN_LIMIT, SIGNIN_WINDOW)
    await ratelimit.check(db, keys[1], SIGNIN_LIMIT * 5, SIGNIN_WINDOW)
    try:
        user = await service.authenticate(db, form)
    except Invalid as error:
        await ratelimit.record(request.app.state.sessionmaker, *keys)
        return render(
            request,
            "accounts/signin.html",
            {"form": form, "next": next_path, "error": error.message},
            status_code=422,
        )
    await service.end_session(db, request_context(request).viewer.session_token)
    token = await service.start_session(
        db, user, request.app.state.settings.session_days, request.headers.get("user-agent")
    )
    log.info("signed_in", user_id=str(user.id), via="password")
    response = RedirectResponse(next_path, status_code=303)
    _set_session_cookie(request, response, token)
    return response


async def sign_out(request: Request) -> Response:
    await service.end_session(db_session(request), request_context(request).viewer.session_token)
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(security.SESSION_COOKIE, path="/")
    return response


# --- password reset --------------------------------------------------------------------------


async def forgot_password(request: Request) -> Response:
    if request.method == "GET":
        return render(request, "accounts/forgot.html", {"form": FormInput()})
    form = FormInput(await request.form())
    try:
        found = await service.request_password_reset(db_session(request), form)
    except Invalid:
        return render(request, "accounts/forgot.html", {"form": form}, status_code=422)
    if found is not None:
        user, token = found
        _queue_mail(
            request,
            user.email,
            _("Reset your Deliberate password"),
            _(
                "Hello %(name)s,\n\nTo choose a new password, open this link within an hour:"
                "\n\n%(link)s\n\nIf you did not ask for this, ignore this message: your password "
                "has not changed.",
                name=user.display_name,
                link=_link(request, "accounts:reset", token=token),
            ),
        )
    # The same page whether or not the address has an account.
    return render(request, "accounts/forgot_sent.html", {"email": form.get("email")})


async def reset_password(request: Request) -> Response:
    token = request.path_params["token"]
    db = db_session(request)
    if request.method == "GET":
        try:
            await service.check_reset_token(db, token)
        except NotFound as error:
            return render(
                request, "accounts/link_invalid.html", {"message": error.message}, status_code=404
            )
        return render(request, "accounts/reset.html", {"form": FormInput(), "token": token})
    form = FormInput(await request.form())
    try:
        await service.reset_password(db, token, form)
    except Invalid:
        return render(
            request, "accounts/reset.html", {"form": form, "token": token}, status_code=422
        )
    except NotFound as error:
        return render(
            request, "accounts/link_invalid.html", {"message": error.message}, status_code=404
        )
    response = RedirectResponse(request.url_for("accounts:signin").path + "?reset=1", 303)
    response.delete_cookie(security.SESSION_COOKIE, path="/")
    return response


# --- profile ---------------------------------------------------------------------------------


def _profile_context(request: Request, form: FormInput | None = None, **extra):
    viewer = request_context(request).viewer
    assert viewer.user is not None
    user = viewer.user
    if form is None:
        form = FormInput(
            {
                "display_name": user.display_name,
                "language": user.language,
                "stakeholder_group": user.stakeholder_group or "",
                "email_notifications": user.email_notifications,
            }
        )
    return {
        "form": form,
        "password_form": extra.pop("password_form", FormInput()),
        "groups": service.STAKEHOLDER_GROUP_LABELS,
        "email_choices": service.EMAIL_CHOICES,
        "saved": request.query_params.get("saved") == "1",
        "sent": request.query_params.get("sent") == "1",
        **extra,
    }


async def profile(request: Request) -> Response:
    viewer = request_context(request).viewer
    if not viewer.is_authenticated:
        return RedirectResponse(
            request.url_for("accounts:signin").path + f"?next={request.url.path}", 303
        )
    if request.method == "GET":
        return render(request, "accounts/profile.html", _profile_context(request))
    form = FormInput(await request.form())
    try:
        await service.update_profile(db_session(request), viewer, form)
    except Invalid:
        return render(
            request, "accounts/profile.html", _profile_context(request, form), status_code=422
        )
    response = RedirectResponse(request.url_for("accounts:profile").path + "?saved=1", 303)
    # The profile language wins over an earlier switch, so drop the switch's cookie.
    response.delete_cookie(security.LANG_COOKIE, path="/")
    return response


async def change_password(request: Request) -> Response:
    viewer = request_context(request).viewer
    form = FormInput(await request.form())
    db = db_session(request)
    try:
        user = await service.change_password(db, viewer, form)
    except Invalid:
        return render(
            request,
            "accounts/profile.html",
            _profile_context(request, password_form=form),
            status_code=422,
        )
    # Every session ended with the change; this browser gets a new one.
    token = await service.start_session(
        db, user, request.app.state.settings.session_days, request.headers.get("user-agent")
    )
    response = RedirectResponse(request.url_for("accounts:profile").path + "?saved=1", 303)
    _set_session_cookie(request, response, token)
    return response


async def set_language(request: Request) -> Response:
    form = await request.form()
    language = form.get("language")
    next_path = security.safe_next(form.get("next") if isinstance(form.get("next"), str) else None)
    if language not in LOCALES:
        language = "en"
    await service.set_language(db_session(request), request_context(request).viewer, language)
    response = RedirectResponse(next_path, status_code=303)
    response.set_cookie(
        security.LANG_COOKIE, str(language), max_age=365 * 86400, samesite="lax", path="/"
    )
    return response


# --- your data: download and deletion --------------------------------------------------------


def _sign_in_first(request: Request) -> RedirectResponse:
    return RedirectResponse(
        request.url_for("accounts:signin").path + f"?next={request.url.path}", 303
    )


async def sessions(request: Request) -> Response:
    viewer = request_context(request).viewer
    if not viewer.is_authenticated:
        return _sign_in_first(request)
    idle = request.app.state.settings.session_idle_minutes
    listed = await service.list_sessions(db_session(request), viewer, idle)
    ended = request.query_params.get("ended", "")
    return render(
        request,
        "accounts/sessions.html",
        {
            "sessions": listed,
            "idle_hours": round(idle / 60, 1) if idle % 60 else idle // 60,
            "ended": int(ended) if ended.isdigit() else 0,
        },
    )


async def end_sessions(request: Request) -> Response:
    viewer = request_context(request).viewer
    if not viewer.is_authenticated:
        return _sign_in_first(request)
    form = await request.form()
    key = form.get("session")
    ended = await service.end_other_sessions(
        db_session(request), viewer, key if isinstance(key, str) and key else None
    )
    return RedirectResponse(
        request.url_for("accounts:sessions").path + f"?ended={ended}", status_code=303
    )


async def data(request: Request) -> Response:
    if not request_context(request).viewer.is_authenticated:
        return _sign_in_first(request)
    return render(request, "accounts/data.html")


async def data_download(request: Request) -> Response:
    viewer = request_context(request).viewer
    if not viewer.is_authenticated:
        return _sign_in_first(request)
    exported = await privacy.export_data(
        db_session(request), viewer, secret=str(request.app.state.settings.secret_key)
    )
    filename = f"deliberate-data-{dt.date.today().isoformat()}.json"
    return Response(
        json.dumps(exported, ensure_ascii=False, indent=2),
        media_type="application/json",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )


async def delete_account(request: Request) -> Response:
    viewer = request_context(request).viewer
    if not viewer.is_authenticated:
        return _sign_in_first(request)
    db = db_session(request)
    assert viewer.user is not None
    context = {
        "has_password": viewer.user.password_hash is not None,
        "phrase": privacy.CONFIRM_PHRASE,
    }
    if request.method == "GET":
        refusal = await privacy.erasure_refusal(db, viewer)
        return render(
            request, "accounts/delete.html", {**context, "form": FormInput(), "error": refusal}
        )
    form = FormInput(await request.form())
    try:
        address = await privacy.erase_own_account(db, viewer, form)
    except (Invalid, Conflict) as error:
        return render(
            request,
            "accounts/delete.html",
            {
                **context,
                "form": form,
                "error": None if isinstance(error, Invalid) else error.message,
            },
            status_code=error.status_code,
        )
    log.info("account_erased", via="self")
    _send_erased_mail(request, address)
    response = redirect(request, "accounts:deleted")
    response.delete_cookie(security.SESSION_COOKIE, path="/")
    return response


def _send_erased_mail(request: Request, address: str) -> None:
    """The last message to the address, sent once the deletion is committed."""
    _queue_mail(
        request,
        address,
        _("Your Deliberate account has been deleted"),
        _(
            "Hello,\n\nYour Deliberate account has been deleted and your personal details "
            "removed. What you wrote in public stays, shown as written by a former member, and "
            "any ballot you cast is still counted but no longer linked to you.\n\nYou can "
            "create a new account with this address at any time."
        ),
    )


async def account_deleted(request: Request) -> Response:
    return render(request, "accounts/deleted.html")


# --- OpenID Connect --------------------------------------------------------------------------

OIDC_STATE_COOKIE = "deliberate_oidc_state"


async def oidc_start(request: Request) -> Response:
    client = request.app.state.oidc
    if client is None:
        raise NotFound()
    pending = await service.begin_oidc(db_session(request), request.query_params.get("next", "/"))
    try:
        url = await client.authorization_url(pending)
    except Exception:
        log.exception("oidc_discovery_failed")
        return _oidc_failed(request, status_code=503)
    response = RedirectResponse(url, status_code=303)
    settings = request.app.state.settings
    # Binds the pending request to this browser: a state from elsewhere is refused.
    response.set_cookie(
        OIDC_STATE_COOKIE,
        pending.state,
        max_age=600,
        httponly=True,
        samesite="lax",
        secure=settings.secure_cookies,
        path="/auth/oidc/",
    )
    return response


def _oidc_failed(request: Request, status_code: int = 400) -> Response:
    response = render(
        request,
        "accounts/oidc_failed.html",
        {"provider": request.app.state.settings.oidc_provider_name},
        status_code=status_code,
    )
    response.delete_cookie(OIDC_STATE_COOKIE, path="/auth/oidc/")
    return response


async def oidc_callback(request: Request) -> Response:
    client = request.app.state.oidc
    if client is None:
        raise NotFound()
    state = request.query_params.get("state", "")
    code = request.query_params.get("code", "")
    cookie_state = request.cookies.get(OIDC_STATE_COOKIE, "")
    db = db_session(request)
    if not state or not code or not hmac.compare_digest(state, cookie_state):
        log.warning("oidc_refused", reason="state mismatch")
        return _oidc_failed(request)
    pending = await service.take_oidc_request(db, state)
    if pending is None:
        log.warning("oidc_refused", reason="unknown or used state")
        return _oidc_failed(request)
    try:
        claims = await client.exchange(code, pending)
    except OIDCError as error:
        log.warning("oidc_refused", reason=str(error))
        return _oidc_failed(request)
    try:
        user = await service.sign_in_oidc(db, request.app.state.settings.oidc_issuer, claims)
    except (Conflict, Invalid, NotAllowed) as error:
        response = render(
            request,
            "accounts/oidc_failed.html",
            {"provider": request.app.state.settings.oidc_provider_name, "reason": error.message},
            status_code=409,
        )
        response.delete_cookie(OIDC_STATE_COOKIE, path="/auth/oidc/")
        # The pending request is gone whatever happens next: keep its deletion.
        return response
    await service.end_session(db, request_context(request).viewer.session_token)
    token = await service.start_session(
        db, user, request.app.state.settings.session_days, request.headers.get("user-agent")
    )
    log.info("signed_in", user_id=str(user.id), via="oidc")
    response = RedirectResponse(pending.next_path, status_code=303)
    _set_session_cookie(request, response, token)
    response.delete_cookie(OIDC_STATE_COOKIE, path="/auth/oidc/")
    return response


# --- administration --------------------------------------------------------------------------


async def _admin_page(
    request: Request, query: str, org_form: FormInput, status_code: int = 200
) -> Response:
    viewer = request_context(request).viewer
    db = db_session(request)
    people = await service.search_people(db, viewer, query)
    organisations = await service.list_organisations(db)
    return render(
        request,
        "admin/index.html",
        {
            "people": people,
            "organisations": organisations,
            "query": query,
            "org_form": org_form,
            "roles": service.ROLE_LABELS,
        },
        status_code=status_code,
        block="people" if request.query_params.get("fragment") == "people" else None,
    )


async def admin_home(request: Request) -> Response:
    return await _admin_page(request, request.query_params.get("q", ""), FormInput())


async def admin_create_organisation(request: Request) -> Response:
    viewer = request_context(request).viewer
    service.require_admin(viewer)
    form = FormInput(await request.form())
    try:
        await service.create_organisation(db_session(request), viewer, form)
    except Invalid:
        return await _admin_page(request, "", form, status_code=422)
    return redirect(request, "admin:index")


async def admin_person(request: Request) -> Response:
    viewer = request_context(request).viewer
    db = db_session(request)
    try:
        user_id = uuid.UUID(request.path_params["user_id"])
    except ValueError:
        raise NotFound() from None
    person = await service.get_person(db, viewer, user_id)
    organisations = await service.list_organisations(db)
    return render(
        request,
        "admin/person.html",
        {
            "person": person,
            "organisations": organisations,
            "roles": service.ROLE_LABELS,
            "form": FormInput(),
            "error": None,
        },
    )


async def admin_change_role(request: Request) -> Response:
    viewer = request_context(request).viewer
    db = db_session(request)
    action = request.path_params["action"]
    if action not in {"grant", "revoke"}:
        raise NotFound()
    grant = action == "grant"
    form = FormInput(await request.form())
    try:
        user = await service.change_roles_from_form(db, viewer, form, grant=grant)
    except (Invalid, Conflict, NotFound) as error:
        if isinstance(error, NotFound) and not form.get("role"):
            raise
        service.require_admin(viewer)
        try:
            user_id = uuid.UUID(form.get("user_id"))
        except ValueError:
            raise NotFound() from None
        person = await service.get_person(db, viewer, user_id)
        organisations = await service.list_organisations(db)
        errors = error.errors if isinstance(error, Invalid) else {}
        form.errors.update(errors)
        return render(
            request,
            "admin/person.html",
            {
                "person": person,
                "organisations": organisations,
                "roles": service.ROLE_LABELS,
                "form": form,
                "error": error.message,
            },
            status_code=error.status_code,
        )
    return redirect(request, "admin:person", user_id=str(user.id))


async def admin_erase_person(request: Request) -> Response:
    viewer = request_context(request).viewer
    service.require_admin(viewer)
    db = db_session(request)
    try:
        user_id = uuid.UUID(request.path_params["user_id"])
    except ValueError:
        raise NotFound() from None
    form = FormInput(await request.form())
    try:
        address = await privacy.erase_by_admin(db, viewer, user_id, form)
    except (Invalid, Conflict) as error:
        person = await service.get_person(db, viewer, user_id)
        return render(
            request,
            "admin/person.html",
            {
                "person": person,
                "organisations": await service.list_organisations(db),
                "roles": service.ROLE_LABELS,
                "form": FormInput(),
                "erase_form": form,
                "error": error.message,
            },
            status_code=error.status_code,
        )
    log.info("account_erased", via="admin")
    _send_erased_mail(request, address)
    return redirect(request, "admin:person", user_id=str(user_id))


async def admin_audit(request: Request) -> Response:
    viewer = request_context(request).viewer
    events = await service.recent_audit_events(db_session(request), viewer)
    return render(request, "admin/audit.html", {"events": events})
