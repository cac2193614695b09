"""The request pipeline, as one pure ASGI middleware so its order is plain to read:

request id and log line -> database session -> who is asking -> language -> CSRF check -> the view
-> commit at the response's start (or roll back) -> security headers -> after-commit work (mail).

One transaction per request, committed at its edge: services never commit.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import urlsplit

from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from deliberate import i18n, security
from deliberate.accounts.viewer import Viewer, load_viewer
from deliberate.db import query_counter
from deliberate.logging import get_logger, request_id_var
from deliberate.settings import Settings

log = get_logger("deliberate.request")

MAX_BODY = 12 * 1024 * 1024  # buffered for the CSRF check; uploads are small documents

AfterCommit = Callable[[], Awaitable[None]]


@dataclass
class RequestContext:
    """What the pipeline learnt about a request, kept at `request.state.ctx`."""

    request_id: str
    viewer: Viewer
    locale: str
    csrf_token: str
    new_csrf_cookie: str | None = None
    after_commit: list[AfterCommit] = field(default_factory=list)


class RequestMiddleware:
    def __init__(
        self, app: ASGIApp, *, settings: Settings, sessionmaker: async_sessionmaker[AsyncSession]
    ) -> None:
        self.app = app
        self.settings = settings
        self.sessionmaker = sessionmaker
        self.site_origin = _origin(settings.base_url)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith("/static/"):
            await self.app(scope, receive, send)
            return

        started = time.perf_counter()
        request_id = uuid.uuid4().hex[:16]
        request_id_token = request_id_var.set(request_id)
        counter_token = query_counter.set([0])
        status_holder: dict[str, int] = {}
        try:
            async with self.sessionmaker() as db:
                await self._handle(scope, receive, send, db, request_id, status_holder)
        finally:
            log.info(
                "request",
                method=scope["method"],
                path=scope["path"],
                status=status_holder.get("status"),
                ms=round((time.perf_counter() - started) * 1000, 1),
            )
            request_id_var.reset(request_id_token)
            query_counter.reset(counter_token)

    async def _handle(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        db: AsyncSession,
        request_id: str,
        status_holder: dict[str, int],
    ) -> None:
        scope.setdefault("state", {})
        scope["state"]["db"] = db
        request = Request(scope)
        cookies = request.cookies

        session_token = cookies.get(security.SESSION_COOKIE)
        pool_busy: PoolTimeout | None = None
        try:
            viewer = (
                await load_viewer(db, session_token, self.settings.session_idle_minutes)
                if session_token
                else Viewer.anonymous()
            )
        except PoolTimeout as error:  # answered 503 below, once the language is known
            viewer, pool_busy = Viewer.anonymous(), error
        if scope["path"] == "/healthz":
            # Health checks must not depend on the session table answering.
            viewer = Viewer.anonymous()

        locale = (
            cookies.get(security.LANG_COOKIE)
            if cookies.get(security.LANG_COOKIE) in i18n.LOCALES
            else None
        )
        locale = (
            locale
            or (viewer.user.language if viewer.user else None)
            or i18n.negotiate(request.headers.get("accept-language"))
            or i18n.DEFAULT_LOCALE
        )
        locale_token = i18n.locale_var.set(locale)

        new_csrf_cookie = None
        if viewer.session_token:
            csrf_base = viewer.session_token
        else:
            csrf_base = cookies.get(security.CSRF_COOKIE)
            if not csrf_base:
                csrf_base = new_csrf_cookie = security.new_token(16)

        ctx = RequestContext(
            request_id=request_id,
            viewer=viewer,
            locale=locale,
            csrf_token=security.csrf_token_for(self.settings.secret_key, csrf_base),
            new_csrf_cookie=new_csrf_cookie,
        )
        scope["state"]["ctx"] = ctx

        try:
            if pool_busy is not None:
                from deliberate.app import busy  # late: app imports this module

                response = await busy(request, pool_busy)
                await response(scope, receive, self._wrap_send(send, db, ctx, status_holder))
                return
            if scope["method"] not in security.SAFE_METHODS:
                receive, failure = await self._check_csrf(request, receive, csrf_base)
                if failure is not None:
                    from deliberate.app import render_error  # late: app imports this module

                    scope["state"]["csrf_failure"] = failure
                    response = render_error(request, 403, failure)
                    await response(scope, receive, self._wrap_send(send, db, ctx, status_holder))
                    return
            await self.app(scope, receive, self._wrap_send(send, db, ctx, status_holder))
        except BaseException:
            await db.rollback()
            raise
        finally:
            i18n.locale_var.reset(locale_token)

    def _wrap_send(
        self, send: Send, db: AsyncSession, ctx: RequestContext, status_holder: dict[str, int]
    ) -> Send:
        settings = self.settings

        async def wrapped(message: Message) -> None:
            if message["type"] == "http.response.start":
                status = message["status"]
                status_holder["status"] = status
                committed = False
                if status < 400:
                    if db.in_transaction():  # a request that never used the database skips it
                        await db.commit()
                    committed = True
                else:
                    await db.rollback()
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                for name, value in security.security_headers(
                    production=settings.production, signed_in=ctx.viewer.is_authenticated
                ):
                    if name not in present:
                        headers.append((name, value))
                counted = query_counter.get()
                if counted is not None and not settings.production:
                    headers.append((b"x-query-count", str(counted[0]).encode()))
                if ctx.new_csrf_cookie:
                    headers.append((b"set-cookie", _csrf_cookie(ctx.new_csrf_cookie, settings)))
                message = {**message, "headers": headers}
                await send(message)
                if committed:
                    for job in ctx.after_commit:
                        try:
                            await job()
                        except Exception:  # a failed e-mail must not fail the page
                            log.exception("after_commit_failed")
                return
            await send(message)

        return wrapped

    async def _check_csrf(
        self, request: Request, receive: Receive, csrf_base: str
    ) -> tuple[Receive, str | None]:
        from deliberate.i18n import gettext as _

        origin = request.headers.get("origin")
        if origin and origin != "null":
            own = {self.site_origin, _origin(str(request.base_url))}
            if origin.rstrip("/") not in own:
                return receive, _("This request came from another website, so it was refused.")

        submitted = request.headers.get(security.CSRF_HEADER)
        if submitted is None:
            body = await _read_body(receive)
            if body is None:
                return receive, _("The request was too large.")
            receive = _replay(body)
            content_type = request.headers.get("content-type", "")
            if content_type.startswith(
                ("application/x-www-form-urlencoded", "multipart/form-data")
            ):
                probe = Request(request.scope, _replay(body))
                async with probe.form() as form:
                    value = form.get(security.CSRF_FIELD)
                    submitted = value if isinstance(value, str) else None
            receive = _replay(body)
        if not security.csrf_valid(self.settings.secret_key, csrf_base, submitted):
            return receive, _(
                "Your form had expired or did not come from this site. Please go back, reload "
                "the page and try again."
            )
        return receive, None


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


async def _read_body(receive: Receive) -> bytes | None:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replay(body: bytes) -> Receive:
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return {"type": "http.disconnect"}

    return receive


def _csrf_cookie(value: str, settings: Settings) -> bytes:
    cookie: SimpleCookie = SimpleCookie()
    cookie[security.CSRF_COOKIE] = value
    morsel = cookie[security.CSRF_COOKIE]
    morsel["path"] = "/"
    morsel["httponly"] = True
    morsel["samesite"] = "Lax"
    if settings.secure_cookies:
        morsel["secure"] = True
    return morsel.OutputString().encode()


def request_context(request: Request) -> RequestContext:
    return request.state.ctx


def db_session(request: Request) -> AsyncSession:
    return request.state.db


def after_commit(request: Request, job: AfterCommit) -> None:
    """Run `job` once the request's transaction has committed (e.g. send an e-mail)."""
    request.state.ctx.after_commit.append(job)


__all__ = ["RequestContext", "RequestMiddleware", "after_commit", "db_session", "request_context"]
