"""Baselines for the web benchmarks, served the same way as the app (uvicorn, one worker):

- B0 `/b0`: a bare Starlette page rendering a Jinja2 template;
- B1 `/b1`: the same after one asyncpg SELECT of 20 rows;
- B2 `/b2` (POST): one INSERT in its own transaction;
- B3 `/b3`: one SELECT of 2,000 rows rendered.

The database URL comes from BENCH_DATABASE_URL.
"""

from __future__ import annotations

import contextlib
import os

import asyncpg
import jinja2
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse
from starlette.routing import Route

TEMPLATE = jinja2.Environment(autoescape=True).from_string(
    "<!doctype html><html lang=en><head><title>{{ title }}</title></head><body><main>"
    "<h1>{{ title }}</h1><ul>{% for row in rows %}<li><a href='/p/{{ row.id }}'>{{ row.title }}"
    "</a> {{ row.body[:200] }} ({{ row.support_count }})</li>{% endfor %}</ul></main></body></html>"
)


def create_app() -> Starlette:
    pool: asyncpg.Pool | None = None

    @contextlib.asynccontextmanager
    async def lifespan(app):
        nonlocal pool
        url = os.environ["BENCH_DATABASE_URL"].replace("postgresql+asyncpg", "postgresql")
        pool = await asyncpg.create_pool(url, min_size=2, max_size=10)
        yield
        await pool.close()

    async def healthz(request: Request):
        return PlainTextResponse("ok")

    async def b0(request: Request):
        return HTMLResponse(TEMPLATE.render(title="Baseline", rows=[]))

    async def b1(request: Request):
        assert pool is not None
        rows = await pool.fetch(
            "SELECT id, title, body, support_count FROM proposals ORDER BY created_at DESC LIMIT 20"
        )
        return HTMLResponse(TEMPLATE.render(title="Baseline", rows=rows))

    async def b2(request: Request):
        assert pool is not None
        async with pool.acquire() as connection, connection.transaction():
            await connection.execute("INSERT INTO bench_writes (note) VALUES ('x')")
        return PlainTextResponse("ok")

    async def b3(request: Request):
        assert pool is not None
        rows = await pool.fetch(
            "SELECT id, title, body, support_count FROM proposals ORDER BY created_at LIMIT 2000"
        )
        return HTMLResponse(TEMPLATE.render(title="Baseline", rows=rows))

    async def b3posts(request: Request):
        assert pool is not None
        rows = await pool.fetch(
            "SELECT id, body AS title, body, 0 AS support_count FROM posts ORDER BY path LIMIT 2000"
        )
        return HTMLResponse(TEMPLATE.render(title="Baseline", rows=rows))

    return Starlette(
        routes=[
            Route("/b3posts", b3posts),
            Route("/healthz", healthz),
            Route("/b0", b0),
            Route("/b1", b1),
            Route("/b2", b2, methods=["POST"]),
            Route("/b3", b3),
        ],
        lifespan=lifespan,
    )
