"""Jinja2 set-up and the one `render` helper views use.

A page template has named blocks; for an htmx request a view may ask for one block alone, and every
response that can differ on HX-Request says so with `Vary: HX-Request`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import HTMLResponse

from deliberate import i18n
from deliberate.text import render_markdown, safe_link

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


def make_environment(app_routes_url: Any) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        autoescape=jinja2.select_autoescape(default=True, default_for_string=True),
        extensions=["jinja2.ext.i18n", "jinja2.ext.do"],
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )
    env.install_gettext_callables(  # type: ignore[attr-defined]
        i18n.gettext, i18n.ngettext, newstyle=True
    )
    env.globals.update(
        url=app_routes_url,
        LOCALES=i18n.LOCALES,
        LANGUAGE_NAMES=i18n.LANGUAGE_NAMES,
        get_locale=i18n.get_locale,
    )
    env.filters.update(
        date=i18n.format_date_local,
        datetime=i18n.format_datetime_local,
        number=i18n.format_number,
        markdown=lambda text: Markup(render_markdown(text or "")),  # nosec B704  # noqa: S704 - sanitised
        safe_link=safe_link,
    )
    return env


def render(
    request: Request,
    template_name: str,
    context: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
    block: str | None = None,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    """Render a page, or only `block` of it when htmx asked for a fragment."""
    env: jinja2.Environment = request.app.state.templates
    template = env.get_template(template_name)
    values = base_context(request)
    values.update(context or {})
    if block is not None and is_htmx(request):
        block_render = template.blocks[block]
        html = "".join(block_render(template.new_context(values)))
    else:
        html = template.render(values)
    response = HTMLResponse(html, status_code=status_code, headers=headers)
    response.headers.setdefault("vary", "HX-Request")
    return response


def base_context(request: Request) -> dict[str, Any]:
    ctx = getattr(request.state, "ctx", None)
    settings = request.app.state.settings
    return {
        "request": request,
        "viewer": ctx.viewer if ctx else None,
        "csrf_token": ctx.csrf_token if ctx else "",
        "locale": ctx.locale if ctx else i18n.DEFAULT_LOCALE,
        "settings": settings,
        "flash": None,
    }
