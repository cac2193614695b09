"""Database plumbing: the declarative base, the engine, and the embedded PostgreSQL.

With no DATABASE_URL the app runs PostgreSQL itself (the `pgserver` package) in the data folder,
so a new user installs nothing by hand. Production points DATABASE_URL at any PostgreSQL >= 14.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import time
import uuid
from contextvars import ContextVar
from pathlib import Path
from typing import Annotated, Any, ClassVar
from urllib.parse import urlsplit, urlunsplit

from sqlalchemy import DateTime, MetaData, event, exc, func
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.pool import AsyncAdaptedQueuePool
from sqlalchemy.util import await_

from deliberate.settings import Settings

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

EMBEDDED_DB_NAME = "deliberate"

Timestamp = Annotated[dt.datetime, mapped_column(DateTime(timezone=True))]


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {dt.datetime: DateTime(timezone=True)}


class CreatedAt:
    created_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def new_uuid() -> uuid.UUID:
    return uuid.uuid4()


def async_url(url: str) -> str:
    """Turn any PostgreSQL URL into one SQLAlchemy's asyncpg dialect accepts."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(scheme="postgresql+asyncpg"))


def plain_url(url: str) -> str:
    """The libpq form of a URL (for asyncpg directly, pg_dump and psql)."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(scheme="postgresql"))


def embedded_url(data_dir: Path) -> str:
    """Start (or join) the embedded PostgreSQL in `data_dir/pg` and return its URL.

    The server keeps running after this process exits, so `deliberate db upgrade` followed by
    `deliberate serve` share one server; pgserver reuses a running one.
    """
    import warnings

    with warnings.catch_warnings():
        # platformdirs complains about XDG_RUNTIME_DIR on servers; it does not matter here.
        warnings.simplefilter("ignore")
        import pgserver  # imported late: production never needs it

    pgdata = (data_dir / "pg").resolve()
    pgdata.mkdir(parents=True, exist_ok=True)
    server = pgserver.get_server(str(pgdata), cleanup_mode=None)
    exists = server.psql(
        f"SELECT 1 FROM pg_database WHERE datname = '{EMBEDDED_DB_NAME}';"  # nosec B608  # noqa: S608 - constant
    )
    if "(1 row)" not in exists:
        server.psql(f"CREATE DATABASE {EMBEDDED_DB_NAME};")
    parts = urlsplit(server.get_uri())
    return urlunsplit(parts._replace(path=f"/{EMBEDDED_DB_NAME}"))


def resolve_database_url(settings: Settings) -> str:
    """The URL to use: DATABASE_URL when set, else the embedded server (started on demand).

    The resolved URL is put into the environment so worker processes and Alembic reuse it.
    """
    if settings.database_url:
        return settings.database_url
    url = embedded_url(settings.data_dir)
    os.environ["DATABASE_URL"] = url
    return url


# Each request counts its queries (shown as X-Query-Count outside production), so tests and
# benchmarks can check that a page's query count does not grow with the data.
query_counter: ContextVar[list[int] | None] = ContextVar("query_counter", default=None)


def _count_query(*_args: Any) -> None:
    counter = query_counter.get()
    if counter is not None:
        counter[0] += 1


class PatientPool(AsyncAdaptedQueuePool):
    """A queue pool whose waiters queue (in order) as long as the pool makes progress.

    When every connection is in use, a request waits its turn for as long as connections keep
    coming back (a burst of voters queues briefly instead of failing), but gives up after
    `timeout` seconds in which none came back (a stuck pool: every connection held by something
    hung), or after `patience` seconds in all; the app answers that with a quick 503.
    """

    patience = 60.0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._returned = 0  # connections checked back in, ever: the sign of progress

    def recreate(self) -> PatientPool:
        pool = super().recreate()
        pool.patience = self.patience
        return pool  # type: ignore[return-value]

    def _do_return_conn(self, record: Any) -> None:
        self._returned += 1
        super()._do_return_conn(record)

    def _do_get(self) -> Any:
        if self._max_overflow > -1 and self._overflow >= self._max_overflow:
            record = await_(self._wait_in_turn())
            if record is not None:
                return record
            raise exc.TimeoutError(
                f"QueuePool limit of size {self.size()} overflow {self._max_overflow} reached: "
                f"no connection came back for {self._timeout:.1f}s",
                code="3o7r",
            )
        return super()._do_get()

    async def _wait_in_turn(self) -> Any:
        """The next connection in first-come order, or None when the pool is stuck."""
        queue: asyncio.Queue[Any] = self._pool._queue  # type: ignore[attr-defined]
        if not queue.empty():
            return queue.get_nowait()
        started = time.monotonic()
        getter = asyncio.ensure_future(queue.get())
        handed = False
        try:
            while True:
                seen = self._returned
                done, _ = await asyncio.wait({getter}, timeout=self._timeout)
                if done:
                    handed = True
                    return getter.result()
                if self._returned == seen or time.monotonic() - started > self.patience:
                    return None
        finally:
            if not getter.done():
                getter.cancel()  # the queue passes a connection on to the next in line
            elif not handed and not getter.cancelled() and getter.exception() is None:
                queue.put_nowait(getter.result())  # we were cancelled as it arrived


# A few connections per process: one async worker is bound by its CPU, so more requests in
# flight only make each one slower, and stretch the time a cast holds its cycle's lock (across
# the event loop's turns) before it commits. 200 voters casting on one worker (bench/ballots.py):
# 0.24 x B2 with 10 + 5 connections, 0.43 x B2 with 4 + 2. The others queue (PatientPool).
def make_engine(
    url: str,
    *,
    pool_size: int = 4,
    max_overflow: int = 2,
    pool_timeout: float = 5.0,
    patience: float = 60.0,
) -> AsyncEngine:
    engine = create_async_engine(
        async_url(url),
        poolclass=PatientPool,
        pool_size=pool_size,
        max_overflow=max_overflow,
        pool_timeout=pool_timeout,
        pool_pre_ping=True,
        connect_args={
            "server_settings": {
                "application_name": "deliberate",
                # A runaway query or a forgotten transaction must not hold locks for ever.
                "statement_timeout": "30000",
                "idle_in_transaction_session_timeout": "60000",
            },
            "timeout": 5,
        },
    )
    engine.pool.patience = patience  # type: ignore[attr-defined]
    event.listen(engine.sync_engine, "before_cursor_execute", _count_query)
    return engine


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


def database_unavailable(exc: BaseException) -> bool:
    """True when `exc` means the database could not be reached or dropped the connection (a
    restart, a failover, a network break), rather than a fault in the code."""
    import asyncpg
    from sqlalchemy.exc import DBAPIError

    seen: BaseException | None = exc
    for _depth in range(6):
        if seen is None:
            return False
        if isinstance(seen, DBAPIError) and seen.connection_invalidated:
            return True
        if isinstance(
            seen,
            asyncpg.PostgresConnectionError  # SQLSTATE class 08: connection exceptions
            | asyncpg.exceptions.OperatorInterventionError  # 57: shutting down, starting up
            | asyncpg.exceptions.ConnectionDoesNotExistError,
        ):
            return True
        if isinstance(seen, asyncpg.InterfaceError) and "connection" in str(seen).lower():
            return True
        if isinstance(seen, OSError | TimeoutError) and _raised_by_the_driver(seen):
            return True  # refused, reset, the socket file gone, or no answer in time
        seen = seen.__cause__ or seen.__context__
    return False


def _raised_by_the_driver(exc: BaseException) -> bool:
    tb = exc.__traceback__
    while tb is not None:
        module = tb.tb_frame.f_globals.get("__name__", "")
        if module.startswith(("asyncpg", "sqlalchemy")):
            return True
        tb = tb.tb_next
    return False
