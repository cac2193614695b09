"""The application factory, its lifespan, and the one place errors become pages."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from deliberate import db as dbmod
from deliberate import tasks
from deliberate.accounts.oidc import OIDCClient
from deliberate.db import database_unavailable
from deliberate.errors import DomainError, Invalid, NotAllowed, RateLimited, SignInRequired
from deliberate.i18n import gettext as _
from deliberate.i18n import lazy_gettext
from deliberate.logging import configure_logging, get_logger
from deliberate.middleware import RequestMiddleware
from deliberate.settings import Settings, load_settings
from deliberate.templating import is_htmx, make_environment, render

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
log = get_logger("deliberate.app")


async def home(request: Request) -> Response:
    return render(request, "home.html")


async def accessibility(request: Request) -> Response:
    return render(request, "accessibility.html")


async def healthz(request: Request) -> Response:
    engine: AsyncEngine = request.app.state.engine
    try:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    except Exception:
        log.warning("healthz_database_unavailable")
        return JSONResponse({"status": "unavailable", "database": "unavailable"}, 503)
    return JSONResponse({"status": "ok", "database": "ok"})


def all_routes() -> list[BaseRoute]:
    from deliberate.accounts.routes import routes as account_routes
    from deliberate.api.routes import routes as api_routes
    from deliberate.cycles.routes import routes as cycle_routes
    from deliberate.deliberation.routes import routes as deliberation_routes
    from deliberate.proposals.routes import routes as proposal_routes
    from deliberate.specs.routes import routes as spec_routes
    from deliberate.voting.routes import routes as voting_routes

    return [
        Route("/", home, name="home"),
        Route("/healthz", healthz, name="healthz"),
        Route("/accessibility", accessibility, name="accessibility"),
        *account_routes,
        *cycle_routes,
        *proposal_routes,
        *deliberation_routes,
        *voting_routes,
        *spec_routes,
        *api_routes,
        Mount("/static", app=StaticFiles(directory=STATIC_DIR), name="static"),
    ]


ERROR_TITLES = {
    400: lazy_gettext("That request could not be understood"),
    401: lazy_gettext("Please sign in"),
    403: lazy_gettext("You cannot do that"),
    404: lazy_gettext("Page not found"),
    405: lazy_gettext("That is not allowed here"),
    409: lazy_gettext("That cannot be done now"),
    422: lazy_gettext("Please check what you entered"),
    429: lazy_gettext("Too many attempts"),
    500: lazy_gettext("Something went wrong on our side"),
    503: lazy_gettext("The service is busy"),
}


def render_error(request: Request, status_code: int, message: Any = None) -> Response:
    title = str(ERROR_TITLES.get(status_code) or _("Something went wrong"))
    template = "errors/_message.html" if is_htmx(request) else "errors/error.html"
    try:
        response = render(
            request,
            template,
            {"status_code": status_code, "title": title, "message": message},
            status_code=status_code,
        )
    except Exception:  # the error page itself must never fail
        log.exception("error_page_failed")
        response = Response(f"{status_code} {title}", status_code, media_type="text/plain")
    if is_htmx(request):
        # htmx swaps only 2xx answers by default; this one replaces the form's message area.
        response.headers["HX-Retarget"] = "#messages"
        response.headers["HX-Reswap"] = "innerHTML"
    return response


async def domain_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, DomainError)
    ctx = getattr(request.state, "ctx", None)
    if isinstance(exc, SignInRequired | NotAllowed) and ctx and not ctx.viewer.is_authenticated:
        if request.method == "GET" and not is_htmx(request):
            signin = request.url_for("accounts:signin").path
            return RedirectResponse(f"{signin}?next={request.url.path}", status_code=303)
        return render_error(request, 401, _("Please sign in to continue."))
    response = render_error(request, exc.status_code, exc.message)
    if isinstance(exc, RateLimited):
        response.headers["Retry-After"] = str(exc.retry_after)
    if isinstance(exc, Invalid):
        response.status_code = 422
    return response


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    return render_error(request, exc.status_code)


async def busy(request: Request, exc: Exception) -> Response:
    """Every database connection is in use: say so at once, and when to try again."""
    log.warning("database_pool_exhausted")
    response = render_error(
        request,
        503,
        _(
            "The service is very busy. Nothing you sent has been saved: "
            "please try again in a moment."
        ),
    )
    response.headers["Retry-After"] = "5"
    return response


def unavailable(request: Request) -> Response:
    response = render_error(
        request,
        503,
        _(
            "The service is briefly unavailable. Please try again in a moment: "
            "if you were sending something, check afterwards whether it arrived."
        ),
    )
    response.headers["Retry-After"] = "5"
    return response


class DatabaseUnavailableMiddleware:
    """Around the request pipeline: a request that finds the database gone (it restarts, fails
    over, or the network breaks) gets a quick 503 with Retry-After instead of a 500 and a stack
    trace. The pool's pre-ping replaces dead connections, so the next request after the database
    is back is served as usual."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracked(message: Any) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracked)
        except Exception as exc:
            if started or not database_unavailable(exc):
                raise
            log.warning("database_unavailable", error_type=type(exc).__name__, error=str(exc))
            await unavailable(Request(scope, receive))(scope, receive, send)


async def server_error(request: Request, exc: Exception) -> Response:
    log.error("unhandled_error", error_type=type(exc).__name__, exc_info=exc)
    return render_error(request, 500, _("The problem has been logged. Please try again later."))


async def run_scheduler(sessionmaker: Any, interval: float, settings: Settings) -> None:
    """Move cycles on when their stage's end date passes. Every app process runs this loop; an
    advisory lock in `run_due_transitions` makes sure only one of them acts each time."""
    import datetime as dt
    from zoneinfo import ZoneInfo

    from deliberate.cycles.service import run_due_transitions
    from deliberate.notifications import send_daily_digests

    while True:
        try:
            moved = await run_due_transitions(sessionmaker)
            if moved:
                log.info("scheduled_transitions", moved=moved)
            # Daily digests go out once each morning, UK time.
            if dt.datetime.now(ZoneInfo("Europe/London")).hour >= 7:
                await send_daily_digests(sessionmaker, settings)
        except Exception as error:  # the loop must survive a database restart
            if database_unavailable(error):
                log.warning("scheduler_database_unavailable", error=str(error))
            else:
                log.exception("scheduler_failed")
        await asyncio.sleep(interval)


def fast_url_path_for(app: Starlette) -> Any:
    """`url_path_for` that goes straight to the named route: Starlette's tries every route in
    turn (about 0.3 ms a link with ~100 routes), which dominated page rendering."""
    by_name = {getattr(route, "name", None): route for route in app.routes}

    def url(name: str, /, **params: Any) -> Any:
        route = by_name.get(name)
        if route is not None:
            try:
                return route.url_path_for(name, **params)
            except Exception:  # nosec B110  # noqa: S110 - fall back to the router's own search and error
                pass
        return app.url_path_for(name, **params)

    return url


def make_post_events(app: Starlette, database_url: str) -> Any:
    """The live-post hub: renders a post once per language for the readers of its thread."""
    from deliberate import i18n
    from deliberate.deliberation import service as deliberation
    from deliberate.deliberation.events import PostEvents
    from deliberate.specs import cache as spec_cache

    async def render_post(post_id: int, locale: str) -> str | None:
        async with app.state.sessionmaker() as session:
            found = await deliberation.post_for_event(session, post_id)
        if found is None:
            return None
        post, author = found
        token = i18n.locale_var.set(locale)
        try:
            template = app.state.templates.get_template("deliberation/_post_item.html")
            return template.render(
                row=deliberation.PostRow(post, author, None, None),
                rights=None,
                live=True,
                viewer=None,
                thread=None,
                csrf_token="",
                stances=deliberation.STANCES,
                reactions=deliberation.REACTIONS,
                locale=locale,
            )
        finally:
            i18n.locale_var.reset(token)

    # Published specifications' caches are emptied when another process changes what their
    # pages show (a trigger NOTIFYs: migrations 20261128_public_page_notify).
    also = {spec_cache.CHANNEL: spec_cache.notified}
    on_connection = spec_cache.listening
    writer = app.state.export_writer
    if writer is not None:
        from deliberate.voting.background import EXPORTS_CHANNEL

        also[EXPORTS_CHANNEL] = writer.notified

        def on_connection(up: bool) -> None:
            spec_cache.listening(up)
            if up:  # a tally stored while the connection was down is written now
                writer.notified("")

    return PostEvents(
        database_url,
        deliberation.POSTS_CHANNEL,
        render_post,
        also=also,
        on_connection=on_connection,
    )


def create_app(settings: Settings | None = None) -> Starlette:
    from deliberate import parts

    parts.load()
    settings = settings or load_settings()
    configure_logging(settings.log_level, json=settings.production)
    database_url = dbmod.resolve_database_url(settings)
    engine = dbmod.make_engine(database_url)
    sessionmaker = dbmod.make_sessionmaker(engine)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        log.info("started", env=settings.env)
        scheduler = None
        app.state.post_events = post_events
        await post_events.start()  # listening from the start (live posts, cache freshness)
        if settings.scheduler_interval > 0:
            scheduler = asyncio.create_task(
                run_scheduler(sessionmaker, settings.scheduler_interval, settings)
            )
        if export_writer is not None:
            await export_writer.start()
        try:
            yield
        finally:
            await tasks.stop(scheduler)
            if export_writer is not None:
                await export_writer.stop()
            await post_events.stop()
            await engine.dispose()

    from deliberate import access

    app = Starlette(
        debug=False,
        # Every route behind the one access table (deliberate/access.py).
        routes=access.guard(all_routes()),
        middleware=[
            Middleware(DatabaseUnavailableMiddleware),
            Middleware(RequestMiddleware, settings=settings, sessionmaker=sessionmaker),
        ],
        exception_handlers={
            DomainError: domain_error,
            HTTPException: http_error,
            PoolTimeout: busy,
            Exception: server_error,
        },
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessionmaker = sessionmaker
    app.state.database_url = database_url
    app.state.templates = make_environment(fast_url_path_for(app))
    app.state.oidc = OIDCClient(settings) if settings.oidc_enabled else None
    from deliberate.voting.background import ExportWriter

    # Background work (moving cycles on, writing exports) is off where the scheduler is (tests).
    export_writer = (
        ExportWriter(sessionmaker, settings.scheduler_interval)
        if settings.scheduler_interval > 0
        else None
    )
    app.state.export_writer = export_writer
    post_events = make_post_events(app, database_url)
    app.state.post_events = post_events
    return app
