"""The schema is built by the migrations, and the models agree with it."""

from __future__ import annotations

import asyncpg
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.ext.asyncio import create_async_engine

from deliberate import db as dbmod
from deliberate.models import metadata


async def test_migrations_reach_head_and_match_the_models(database_url):
    engine = create_async_engine(dbmod.async_url(database_url))
    try:
        async with engine.connect() as connection:

            def diff(sync_connection):
                context = MigrationContext.configure(sync_connection, opts={"compare_type": True})
                return compare_metadata(context, metadata)

            differences = await connection.run_sync(diff)
    finally:
        await engine.dispose()
    assert differences == []


async def test_downgrade_and_upgrade_again(database_url, tmp_path):
    """Every migration can be undone: build a scratch database, go down to base and back up."""
    import asyncio
    from urllib.parse import urlsplit, urlunsplit

    from alembic import command

    from deliberate.cli import _alembic_config

    parts = urlsplit(database_url)
    scratch = urlunsplit(parts._replace(path=parts.path + "_scratch"))
    admin_url = dbmod.plain_url(urlunsplit(parts._replace(path="/postgres")))
    name = parts.path.lstrip("/") + "_scratch"
    admin = await asyncpg.connect(admin_url)
    await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        config = _alembic_config(scratch)
        await asyncio.to_thread(command.upgrade, config, "head")
        await asyncio.to_thread(command.downgrade, config, "base")
        connection = await asyncpg.connect(dbmod.plain_url(scratch))
        tables = await connection.fetch(
            "SELECT tablename FROM pg_tables WHERE schemaname='public' "
            "AND tablename <> 'alembic_version'"
        )
        await connection.close()
        assert tables == []
        await asyncio.to_thread(command.upgrade, config, "head")
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
