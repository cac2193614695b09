"""Test fixtures: a real PostgreSQL built by the real migrations, an app per test, isolation by
truncating every table after each test, and helpers that act like a person with a browser."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest
from helpers import Browser

from deliberate import db as dbmod
from deliberate.settings import load_settings

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("DELIBERATE_SHARED", ROOT.parent / "shared"))


def _server_url() -> str:
    """DATABASE_URL when set (any PostgreSQL >= 14), else the embedded server."""
    url = os.environ.get("DATABASE_URL")
    if url:
        return url
    data_dir = Path(os.environ.get("DELIBERATE_DATA_DIR", ROOT / ".deliberate"))
    return dbmod.embedded_url(data_dir)


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


@pytest.fixture(scope="session")
async def database_url() -> AsyncIterator[str]:
    """A fresh database for this test run, built by `alembic upgrade head`."""
    from alembic import command

    from deliberate.cli import _alembic_config

    server = _server_url()
    name = f"deliberate_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = await asyncpg.connect(dbmod.plain_url(_with_database(server, "postgres")))
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    url = _with_database(server, name)
    await asyncio.to_thread(command.upgrade, _alembic_config(url), "head")
    yield url
    admin = await asyncpg.connect(dbmod.plain_url(_with_database(server, "postgres")))
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


@pytest.fixture(scope="session")
async def tables(database_url: str) -> list[str]:
    connection = await asyncpg.connect(dbmod.plain_url(database_url))
    try:
        rows = await connection.fetch(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
            "AND tablename <> 'alembic_version'"
        )
    finally:
        await connection.close()
    return [row["tablename"] for row in rows]


@pytest.fixture
async def clean_db(database_url: str, tables: list[str]) -> AsyncIterator[str]:
    yield database_url
    connection = await asyncpg.connect(dbmod.plain_url(database_url))
    try:
        quoted = ", ".join(f'"{table}"' for table in tables)
        await connection.execute(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE")
    finally:
        await connection.close()


@pytest.fixture
def settings_env(clean_db: str, tmp_path: Path) -> dict[str, str]:
    """The environment a test app is built from; tests add to it before calling `make_app`."""
    return {
        "DELIBERATE_ENV": "test",
        "DATABASE_URL": clean_db,
        "DELIBERATE_DATA_DIR": str(tmp_path / "data"),
        "SECRET_KEY": "test-secret-key-that-is-long-enough-1234567890",
        "BASE_URL": "http://testserver",
        "LOG_LEVEL": "WARNING",
    }


@pytest.fixture
async def make_app(settings_env: dict[str, str]) -> AsyncIterator[Callable[..., Any]]:
    from deliberate.app import create_app

    apps = []

    def factory(**overrides: str):
        env = {**settings_env, **overrides}
        app = create_app(load_settings(env))
        apps.append(app)
        return app

    yield factory
    for app in apps:
        await app.state.engine.dispose()


@pytest.fixture
async def app(make_app):
    return make_app()


@pytest.fixture
async def client(app) -> AsyncIterator[Browser]:
    async with Browser(app) as browser:
        yield browser


@pytest.fixture
async def db(app) -> AsyncIterator[Any]:
    """A session on the test database for arranging data and checking what was stored. Each use
    commits, as a request would."""
    async with app.state.sessionmaker() as session:
        yield session


@pytest.fixture
def shared_data() -> Path:
    data = SHARED / "data"
    if not data.exists():
        pytest.skip(f"shared data folder not found at {data}")
    return data


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def mailbox(settings_env: dict[str, str]):
    """A real SMTP server on loopback; the app under test is configured to send through it."""
    from aiosmtpd.controller import Controller
    from helpers import MailBox

    box = MailBox()
    port = _free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    settings_env.update({"SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(port)})
    yield box
    controller.stop()


class LiveServer:
    """The app served by uvicorn on loopback in a thread with its own event loop, for a browser."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = env
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.server = None
        self.thread = None

    def start(self) -> None:
        import threading
        import time

        import uvicorn

        from deliberate.app import create_app

        app = create_app(load_settings({**self.env, "BASE_URL": self.url}))
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("live server did not start")
            time.sleep(0.05)

    def stop(self) -> None:
        if self.server is not None:
            self.server.should_exit = True
        if self.thread is not None:
            self.thread.join(timeout=10)


@pytest.fixture
def live_server(settings_env: dict[str, str]):
    server = LiveServer(settings_env)
    server.start()
    yield server
    server.stop()


CHROMIUM = os.environ.get("DELIBERATE_CHROMIUM", "/usr/bin/chromium")


@pytest.fixture
async def browser():
    """The system Chromium driven by Playwright; skipped (with the reason) where there is no
    Chromium, except under CI (`DELIBERATE_REQUIRE_BROWSER=1`), where that is a failure."""
    if not os.path.exists(CHROMIUM):  # noqa: ASYNC240 - a single stat before the browser starts
        message = f"Chromium not found at {CHROMIUM}: install it (apt-get install chromium)"
        if os.environ.get("DELIBERATE_REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        instance = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield instance
        finally:
            await instance.close()


CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
async def browser_page():
    """A page in the system Chromium driven by Playwright; skipped (with the reason) where there
    is no Chromium, except under CI (`DELIBERATE_REQUIRE_BROWSER=1`), where that is a failure."""
    if not os.path.exists(CHROMIUM):  # noqa: ASYNC240 - a single stat before the browser starts
        message = f"Chromium not found at {CHROMIUM}: install it (apt-get install chromium)"
        if os.environ.get("DELIBERATE_REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        context = await browser.new_context()
        page = await context.new_page()
        try:
            yield page
        finally:
            await context.close()
            await browser.close()
