"""`deliberate backup` / `deliberate restore`, drilled while people vote and post.

pg_dump reads one consistent snapshot, so the restored database must be a consistent prefix of the
live one: every write acknowledged before the backup started is there, every bulletin chain
verifies and is the start of the live chain, the stored tally recounts to its result, and each
table holds exactly the rows the dump file holds."""

from __future__ import annotations

import asyncio
import os
import random
import secrets
import subprocess
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest
from factories import make_cycle, make_panel, make_thread
from sqlalchemy import select
from vote.support import build_world, close_vote, declare_carers, make_voters, voter_browser

from deliberate import backup
from deliberate import db as dbmod
from deliberate.accounts.models import User
from deliberate.security import csrf_token_for

ROOT = Path(__file__).resolve().parent.parent
DELIBERATE = ROOT / ".venv" / "bin" / "deliberate"

CLOSED_VOTERS = 24  # ballots in the cycle whose vote is closed and tallied before the drill
VOTERS = 80  # voters casting during the drill
POSTERS = 12  # panel members posting during the drill (five posts each, under the rate limit)
POSTS_EACH = 5
BACKUP_AFTER = 25  # acknowledged writes before the backup starts


def _with_database(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


async def _admin(url: str, statement: str) -> None:
    connection = await asyncpg.connect(dbmod.plain_url(_with_database(url, "postgres")))
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


@pytest.fixture
async def fresh_database(database_url: str):
    """Make empty databases on the test server (for restores); dropped afterwards."""
    made: list[str] = []

    async def make() -> str:
        name = f"deliberate_restore_{os.getpid()}_{uuid.uuid4().hex[:6]}"
        await _admin(database_url, f'CREATE DATABASE "{name}"')
        made.append(name)
        return _with_database(database_url, name)

    yield make
    for name in made:
        await _admin(database_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def _fetch(url: str, query: str, *args):
    connection = await asyncpg.connect(dbmod.plain_url(url))
    try:
        return await connection.fetch(query, *args)
    finally:
        await connection.close()


async def _row_counts(url: str) -> dict[str, int]:
    tables = [
        row["tablename"]
        for row in await _fetch(
            url, "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
        )
    ]
    counts = {}
    for table in tables:
        counts[table] = (await _fetch(url, f'SELECT count(*) AS n FROM "{table}"'))[0]["n"]
    return counts


def _dump_row_counts(dump: Path) -> dict[str, int]:
    """Rows per table as the dump file itself holds them (read by pg_restore, not the app)."""
    meta = backup.inspect_dump(dump)
    tools = meta[0]
    script = subprocess.run(
        [str(tools / "pg_restore"), "--data-only", "--file=-", str(dump)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    counts: dict[str, int] = {}
    table = None
    for line in script.splitlines():
        if table is None:
            if line.startswith("COPY public."):
                table = line.split()[1].removeprefix("public.").strip('"')
                counts[table] = 0
        elif line == "\\.":
            table = None
        else:
            counts[table] += 1
    return counts


async def _chain(url: str, cycle_id) -> list[str]:
    rows = await _fetch(
        url,
        "SELECT entry_hash FROM bulletin_entries WHERE cycle_id = $1 ORDER BY seq",
        cycle_id,
    )
    return [row["entry_hash"] for row in rows]


async def _build(app, db):
    """A tallied cycle, a cycle open for voting, and a deliberation thread with a panel."""
    closed = await build_world(db, slug="ceredigion")
    early = await make_voters(db, CLOSED_VOTERS, prefix="early")
    await declare_carers(db, closed.cycle.id, early)
    secret = str(app.state.settings.secret_key)
    for index, (_user_id, token) in enumerate(early):
        async with voter_browser(app, token) as browser:
            response = await browser.post(
                f"/cycles/{closed.cycle.id}/vote/cast",
                data={"option": [str(1 + index % 4)], "submission_token": secrets.token_hex(8)},
                headers={"X-CSRF-Token": csrf_token_for(secret, token)},
            )
        assert response.status_code == 303, response.text
    await close_vote(db, closed.cycle.id)

    voting = await build_world(db, slug="powys")
    voters = await make_voters(db, VOTERS, prefix="drill")
    await declare_carers(db, voting.cycle.id, voters)

    talking = await make_cycle(db, voting.organisation, stage="deliberation", title="Talking")
    posters = await make_voters(db, POSTERS, prefix="panel")
    members = (
        await db.execute(select(User).where(User.id.in_([user_id for user_id, _ in posters])))
    ).scalars()
    await make_panel(db, talking, list(members))
    thread = await make_thread(db, talking)
    return closed, voting, voters, thread, posters


async def test_backup_taken_while_people_vote_and_post_restores_a_consistent_prefix(
    app, db, database_url, fresh_database, tmp_path
):
    closed, voting, voters, thread, posters = await _build(app, db)
    secret = str(app.state.settings.secret_key)
    live = app.state.database_url
    acked: dict[str, float] = {}  # write key -> when its 303 arrived (monotonic)
    sent: set[str] = set()
    failures: list[tuple[int, str]] = []
    enough = asyncio.Event()

    def acknowledged(key: str) -> None:
        acked[key] = time.monotonic()
        if len(acked) >= BACKUP_AFTER:
            enough.set()

    async def cast(index: int, user_id, token: str) -> None:
        await asyncio.sleep(random.uniform(0, 4.0))
        key = f"ballot:{user_id}"
        sent.add(key)
        submission = secrets.token_hex(8)
        async with voter_browser(app, token) as browser:
            response = await browser.post(
                f"/cycles/{voting.cycle.id}/vote/cast",
                data={"option": [str(1 + index % 4), str(1 + (index + 1) % 4)],
                      "submission_token": submission},
                headers={"X-CSRF-Token": csrf_token_for(secret, token)},
            )  # fmt: skip
        if response.status_code == 303 and submission in response.headers["location"]:
            acknowledged(key)  # the receipt page
        else:
            failures.append((response.status_code, response.text[:200]))

    async def post(member: int, token: str) -> None:
        async with voter_browser(app, token) as browser:
            for n in range(POSTS_EACH):
                await asyncio.sleep(random.uniform(0, 0.8))
                body = f"drill post {member}-{n}"
                sent.add(f"post:{body}")
                response = await browser.post(
                    f"/threads/{thread.id}/posts",
                    data={"body": body, "stance": "supports"},
                    headers={"X-CSRF-Token": csrf_token_for(secret, token)},
                )
                if response.status_code == 303:
                    acknowledged(f"post:{body}")
                else:
                    failures.append((response.status_code, response.text[:200]))

    async def take_backup() -> tuple[float, Path, dict]:
        await asyncio.wait_for(enough.wait(), timeout=60)
        started = time.monotonic()
        path, meta = await asyncio.to_thread(backup.backup, live, tmp_path / "drill.dump")
        return started, path, meta

    writers = [cast(i, user_id, token) for i, (user_id, token) in enumerate(voters)]
    writers += [post(i, token) for i, (_user_id, token) in enumerate(posters)]
    backup_task = asyncio.create_task(take_backup())
    await asyncio.gather(*writers)
    started, dump, meta = await backup_task
    assert failures == []
    acked_before = {key for key, at in acked.items() if at < started}
    acked_after = {key for key, at in acked.items() if at >= started}
    # A real drill: writes were acknowledged on both sides of the backup's start.
    assert len(acked_before) >= BACKUP_AFTER and acked_after, (len(acked_before), len(acked_after))

    assert dump.is_file() and backup.sidecar_path(dump).is_file()
    assert meta["sha256"] == backup.sha256_of(dump)
    assert meta["alembic_revision"] == (await _fetch(live, "SELECT version_num FROM alembic_version"))[0]["version_num"]  # fmt: skip
    assert not list(tmp_path.glob("*.partial*")), "no temporary file is left behind"

    target = await fresh_database()
    tools, _meta, revision = backup.inspect_dump(dump)
    assert revision == meta["alembic_revision"]
    assert backup.check_revision(revision) is False  # at this release's head: no upgrade needed
    await asyncio.to_thread(backup.restore, target, dump, tools)

    # Every write acknowledged before the backup started is in the restored database.
    ballots = {
        f"ballot:{row['voter_id']}"
        for row in await _fetch(
            target, "SELECT voter_id FROM ballots WHERE cycle_id = $1", voting.cycle.id
        )
    }
    posts = {
        f"post:{row['body']}"
        for row in await _fetch(target, "SELECT body FROM posts WHERE thread_id = $1", thread.id)
    }
    restored_writes = ballots | posts
    print(
        "DEBUG",
        len(ballots),
        len(posts),
        len(acked_before),
        len(acked_after),
        await _fetch(live, "SELECT count(*) FROM ballots"),
        await _fetch(target, "SELECT count(*), count(distinct cycle_id) FROM ballots"),
        await _fetch(target, "SELECT count(*) FROM bulletin_entries"),
        meta,
    )
    assert acked_before <= restored_writes, acked_before - restored_writes
    assert restored_writes <= sent  # nothing that was never sent
    # ... and it is a prefix: the restored chain is the start of the live chain, ballot for entry.
    live_chain = await _chain(live, voting.cycle.id)
    restored_chain = await _chain(target, voting.cycle.id)
    assert len(restored_chain) == len(ballots)
    assert restored_chain == live_chain[: len(restored_chain)]
    assert len(live_chain) == VOTERS  # every cast was acknowledged

    # The chains verify, the tally recounts to its stored result and is the live one.
    report = await backup.verify_database(target)
    assert report.ok, list(report.lines())
    checks = {check.cycle_id: check for check in report.cycles}
    assert checks[str(closed.cycle.id)].tally == "matches"
    assert checks[str(closed.cycle.id)].entries == CLOSED_VOTERS
    assert checks[str(voting.cycle.id)].head == restored_chain[-1]
    tally_query = "SELECT result, ballots_counted FROM tallies WHERE cycle_id = $1"
    assert await _fetch(target, tally_query, closed.cycle.id) == await _fetch(
        live, tally_query, closed.cycle.id
    )

    # Each table holds exactly the rows the dump holds.
    restored_counts = await _row_counts(target)
    assert restored_counts == _dump_row_counts(dump)
    assert restored_counts["ballots"] == CLOSED_VOTERS + len(ballots)

    # Restoring over the live database (which has moved on since) gives the same database.
    await app.state.engine.dispose()
    await asyncio.to_thread(backup.restore, live, dump, tools)
    assert await _row_counts(live) == restored_counts
    assert await _chain(live, voting.cycle.id) == restored_chain


def _cli(*args: str, url: str, tmp_path: Path, stdin: str | None = None):
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "DATABASE_URL": url,
        "DELIBERATE_DATA_DIR": str(tmp_path / "data"),
        "DELIBERATE_ENV": "test",
    }
    return subprocess.run(
        [str(DELIBERATE), *args],
        capture_output=True,
        text=True,
        env=env,
        input=stdin,
        timeout=120,
        check=False,
    )


async def test_command_line_backup_and_restore_round_trip(
    app, db, database_url, fresh_database, tmp_path
):
    closed, *_rest = await _build(app, db)
    out = tmp_path / "backups"
    out.mkdir()
    made = await asyncio.to_thread(_cli, "backup", "--output", str(out), url=database_url,
                                   tmp_path=tmp_path)  # fmt: skip
    assert made.returncode == 0, made.stderr
    (dump,) = out.glob("deliberate-*.dump")
    assert f"backup written: {dump}" in made.stdout

    target = await fresh_database()
    # Without --yes and without a terminal it refuses, and changes nothing.
    refused = await asyncio.to_thread(_cli, "restore", str(dump), url=target, tmp_path=tmp_path)
    assert refused.returncode == 1
    assert "add --yes" in refused.stderr
    assert (await _fetch(target, "SELECT to_regclass('public.cycles') AS t"))[0]["t"] is None

    restored = await asyncio.to_thread(_cli, "restore", str(dump), "--yes", url=target,
                                       tmp_path=tmp_path)  # fmt: skip
    assert restored.returncode == 0, restored.stderr
    assert "Traceback" not in restored.stderr
    assert (
        f"OK  {closed.cycle.title_en} ({closed.cycle.id}): chain holds ({CLOSED_VOTERS} entries); tally recounts to the stored result"
        in restored.stdout
    )
    assert await _row_counts(target) == await _row_counts(database_url)


async def test_restore_refuses_bad_input_with_one_clear_line(
    app, db, database_url, fresh_database, tmp_path
):
    await _build(app, db)
    dump, _meta = await asyncio.to_thread(backup.backup, database_url, tmp_path / "good.dump")
    target = await fresh_database()

    async def restore(path: Path, url: str = target) -> subprocess.CompletedProcess:
        result = await asyncio.to_thread(_cli, "restore", str(path), "--yes", url=url,
                                         tmp_path=tmp_path)  # fmt: skip
        assert result.returncode != 0
        assert "Traceback" not in result.stderr, result.stderr
        return result

    missing = await restore(tmp_path / "missing.dump")
    assert missing.stderr.strip() == f"error: no such file: {tmp_path / 'missing.dump'}"

    garbage = tmp_path / "garbage.dump"
    garbage.write_bytes(b"this is not a dump at all" * 100)
    assert "not a pg_dump custom-format file" in (await restore(garbage)).stderr

    truncated = tmp_path / "truncated.dump"
    truncated.write_bytes(dump.read_bytes()[:2000])
    assert "error: reading" in (await restore(truncated)).stderr

    damaged = tmp_path / "damaged.dump"
    data = bytearray(dump.read_bytes())
    data[len(data) // 2] ^= 0xFF
    damaged.write_bytes(bytes(data))
    backup.sidecar_path(damaged).write_text(backup.sidecar_path(dump).read_text())
    assert "does not match its checksum" in (await restore(damaged)).stderr

    unreachable = await restore(dump, "postgresql://deliberate:wrong@127.0.0.1:1/deliberate")
    assert unreachable.stderr.startswith("error: cannot connect to database 'deliberate'")
    assert "wrong" not in unreachable.stderr  # the password is never shown
    parts = urlsplit(database_url)
    stranger = urlunsplit(parts._replace(netloc="no_such_role:secret-word@"))
    who = await restore(dump, stranger)
    assert 'role "no_such_role" does not exist' in who.stderr
    assert "secret-word" not in who.stderr
    nowhere = await restore(dump, _with_database(database_url, "no_such_database"))
    assert 'database "no_such_database" does not exist' in nowhere.stderr

    # A dump from a newer release (a migration this one does not know) is refused.
    future = await fresh_database()
    await asyncio.to_thread(backup.restore, future, dump, backup.inspect_dump(dump)[0])
    await _fetch(future, "UPDATE alembic_version SET version_num = '29990101_from_the_future'")
    newer, _ = await asyncio.to_thread(backup.backup, future, tmp_path / "newer.dump")
    refused = await restore(newer)
    assert "which this release does not know" in refused.stderr
    assert (await _fetch(target, "SELECT to_regclass('public.cycles') AS t"))[0]["t"] is None
