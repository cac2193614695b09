"""Alembic environment: runs migrations over asyncpg against deliberate's database."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.engine import Connection

from deliberate import db as dbmod
from deliberate.models import metadata
from deliberate.settings import load_settings

config = context.config
target_metadata = metadata

# A migration runs while the previous release serves traffic: if it cannot take its lock within
# LOCK_TIMEOUT it fails (and can be run again) rather than queue every request behind it. The
# app's engine already sets a 30 s statement_timeout; the offline SQL (which squawk checks in
# `make lint`) states both.
LOCK_TIMEOUT = "5s"
STATEMENT_TIMEOUT = "30s"


def database_url() -> str:
    url = config.attributes.get("database_url")
    if url:
        return url
    return dbmod.resolve_database_url(load_settings())


def run_migrations_offline() -> None:
    context.configure(
        url=dbmod.async_url(database_url()),
        target_metadata=target_metadata,
        literal_binds=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.execute(f"SET lock_timeout = '{LOCK_TIMEOUT}'")
        context.execute(f"SET statement_timeout = '{STATEMENT_TIMEOUT}'")
        context.run_migrations()


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        compare_type=True,
        transaction_per_migration=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def run_migrations_online() -> None:
    engine = dbmod.make_engine(database_url(), pool_size=1, max_overflow=0)
    async with engine.connect() as connection:
        await connection.exec_driver_sql(f"SET lock_timeout = '{LOCK_TIMEOUT}'")
        await connection.commit()
        await connection.run_sync(_run)
        await connection.commit()
    await engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    existing = config.attributes.get("connection")
    if existing is not None:
        _run(existing)
    else:
        asyncio.run(run_migrations_online())
