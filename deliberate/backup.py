"""`deliberate backup` and `deliberate restore`: pg_dump's custom format, a JSON sidecar, and a
check of every bulletin chain and tally after a restore.

A backup is two files: `NAME.dump` (pg_dump -Fc: one consistent snapshot, readable by any
pg_restore) and `NAME.dump.json` (the app version, the migration revision, the time and the
dump's sha256). Both are written under temporary names and renamed into place, so a backup that
was interrupted never looks complete.

A restore replaces the database's `public` schema in ONE transaction: psql runs
`DROP SCHEMA public CASCADE; CREATE SCHEMA public;` followed by the SQL pg_restore makes from the
dump, all inside `--single-transaction` with ON_ERROR_STOP. Either the whole backup is in place or
nothing changed. Restoring in place (rather than into a new database that is then renamed) needs
no CREATEDB or rename rights, which managed PostgreSQL services often withhold, and keeps
DATABASE_URL unchanged; dropping the schema first (rather than pg_restore --clean) also removes
tables a newer migration had added, so an older backup comes back exactly as it was taken.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit, urlunsplit

FORMAT = "deliberate-backup-v1"
ROOT = Path(__file__).resolve().parent.parent


class BackupError(Exception):
    """Something an operator can fix; the message says what, in one line."""


# --- finding pg_dump, pg_restore and psql ------------------------------------------------------


def _candidate_dirs() -> list[Path]:
    dirs: list[Path] = []
    try:
        import importlib.util

        spec = importlib.util.find_spec("pgserver")
        if spec is not None and spec.origin is not None:
            dirs.append(Path(spec.origin).parent / "pginstall" / "bin")
    except (ImportError, ValueError):
        pass
    for entry in os.environ.get("PATH", "").split(os.pathsep):
        if entry:
            dirs.append(Path(entry))
    dirs += sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)
    return dirs


def _major(executable: Path) -> int | None:
    try:
        out = subprocess.run(  # nosec B603  # noqa: S603 - our own tool path, no shell
            [str(executable), "--version"], capture_output=True, text=True, timeout=10, check=True
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    found = re.search(r"\(PostgreSQL\)\s+(\d+)", out)
    return int(found.group(1)) if found else None


def find_tools(server_major: int) -> Path:
    """The folder holding pg_dump, pg_restore and psql of one release able to read this server:
    the same major version when there is one, else the newest newer one (pg_dump refuses a
    server newer than itself). The three come from one folder so their formats agree."""
    seen: set[Path] = set()
    found: list[tuple[int, Path]] = []
    for folder in _candidate_dirs():
        dump = folder / "pg_dump"
        try:
            real = dump.resolve()
        except OSError:
            continue
        if real in seen or not dump.is_file():
            continue
        seen.add(real)
        if not all((folder / tool).is_file() for tool in ("pg_restore", "psql")):
            continue
        major = _major(dump)
        if major is not None and major >= server_major:
            found.append((major, folder))
    if not found:
        raise BackupError(
            f"no pg_dump for PostgreSQL {server_major} or newer was found: install the "
            f"PostgreSQL {server_major} client tools (e.g. postgresql-client-{server_major})"
        )
    found.sort(key=lambda item: (item[0] != server_major, -item[0]))
    return found[0][1]


# --- connections -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """A database URL split for libpq tools: the password goes in the environment, never argv."""

    url: str  # postgresql://user@host/db?..., no password
    password: str | None
    database: str
    where: str  # what to show a person: host and database, no secrets

    @property
    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        if self.password is not None:
            env["PGPASSWORD"] = self.password
        return env


def target(database_url: str) -> Target:
    from deliberate.db import plain_url

    parts = urlsplit(plain_url(database_url))
    password = unquote(parts.password) if parts.password else None
    netloc = parts.hostname or ""
    if ":" in netloc:
        netloc = f"[{netloc}]"
    if parts.port:
        netloc += f":{parts.port}"
    if parts.username:
        netloc = f"{parts.username}@{netloc}"
    query = parse_qsl(parts.query)
    host = parts.hostname or dict(query).get("host", "localhost")
    database = unquote(parts.path.lstrip("/")) or (parts.username or "postgres")
    url = urlunsplit(parts._replace(netloc=netloc, query=urlencode(query)))
    return Target(url, password, database, f"database {database!r} on {host}")


def _connection_error(error: BaseException, where: str) -> BackupError:
    text = str(error).strip() or type(error).__name__
    return BackupError(f"cannot connect to {where}: {text}")


async def _server_facts(database_url: str) -> tuple[int, str | None]:
    """(server major version, the database's alembic revision or None)."""
    import asyncpg

    from deliberate.db import plain_url

    try:
        connection = await asyncpg.connect(plain_url(database_url), timeout=10)
    except Exception as error:  # a wrong password, host or database: one clear line
        raise _connection_error(error, target(database_url).where) from None
    try:
        version = int(await connection.fetchval("SHOW server_version_num"))
        revision = None
        if await connection.fetchval("SELECT to_regclass('public.alembic_version') IS NOT NULL"):
            revision = await connection.fetchval("SELECT version_num FROM alembic_version")
    finally:
        await connection.close()
    return version // 10000, revision


def _run(command: list[str], *, env: dict[str, str], what: str, **kwargs: Any) -> str:
    result = subprocess.run(  # nosec B603  # noqa: S603 - a fixed argument list, no shell
        command, capture_output=True, text=True, env=env, check=False, **kwargs
    )
    if result.returncode != 0:
        lines = [line for line in result.stderr.strip().splitlines() if line.strip()]
        detail = "; ".join(lines[-3:]) or f"exit code {result.returncode}"
        raise BackupError(f"{what} failed: {detail}")
    return result.stdout


def app_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("deliberate")
    except PackageNotFoundError:
        return "unknown"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def sidecar_path(dump: Path) -> Path:
    return dump.with_name(dump.name + ".json")


# --- backup ------------------------------------------------------------------------------------


def default_output(now: dt.datetime | None = None) -> Path:
    now = now or dt.datetime.now(dt.UTC)
    return Path(f"deliberate-{now:%Y%m%dT%H%M%SZ}.dump")


def backup(database_url: str, output: Path | None = None) -> tuple[Path, dict[str, Any]]:
    """Dump the database to `output` (custom format) with its sidecar; return both."""
    output = Path(output or default_output())
    if output.is_dir():
        output = output / default_output()
    if not output.parent.is_dir():
        raise BackupError(f"no such folder: {output.parent}")
    db = target(database_url)
    major, revision = asyncio.run(_server_facts(database_url))
    tools = find_tools(major)
    started = dt.datetime.now(dt.UTC)
    descriptor, temporary = tempfile.mkstemp(
        prefix=f".{output.name}.", suffix=".partial", dir=output.parent
    )
    os.close(descriptor)
    partial = Path(temporary)
    try:
        _run(
            [str(tools / "pg_dump"), "--format=custom", "--no-password",
             f"--file={partial}", f"--dbname={db.url}"],
            env=db.env,
            what="pg_dump",
        )  # fmt: skip
        with partial.open("rb") as handle:
            os.fsync(handle.fileno())
        meta = {
            "format": FORMAT,
            "app_version": app_version(),
            "alembic_revision": revision,
            "server_version": major,
            "pg_dump": str(tools / "pg_dump"),
            "database": db.database,
            "started_at": started.isoformat(),
            "finished_at": dt.datetime.now(dt.UTC).isoformat(),
            "size": partial.stat().st_size,
            "sha256": sha256_of(partial),
        }
        side_partial = partial.with_name(partial.name + ".json")
        side_partial.write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
        partial.replace(output)
        side_partial.replace(sidecar_path(output))
    finally:
        partial.unlink(missing_ok=True)
        partial.with_name(partial.name + ".json").unlink(missing_ok=True)
    return output, meta


# --- restore -----------------------------------------------------------------------------------


def known_revisions() -> tuple[set[str], set[str]]:
    """(every migration revision this release knows, its heads)."""
    from alembic.script import ScriptDirectory

    from deliberate.cli import _alembic_config

    script = ScriptDirectory.from_config(_alembic_config("postgresql://unused/unused"))
    return {rev.revision for rev in script.walk_revisions()}, set(script.get_heads())


def dump_revision(tools: Path, dump: Path) -> str | None:
    """The alembic revision recorded inside the dump itself (its alembic_version row)."""
    out = _run(
        [str(tools / "pg_restore"), "--data-only", "--table=alembic_version", "--file=-",
         str(dump)],
        env=dict(os.environ),
        what="reading the dump",
    )  # fmt: skip
    copying = False
    for line in out.splitlines():
        if line.startswith("COPY ") and "alembic_version" in line:
            copying = True
            continue
        if copying:
            if line.strip() == "\\.":
                break
            if line.strip():
                return line.strip()
    return None


def inspect_dump(dump: Path) -> tuple[Path, dict[str, Any] | None, str | None]:
    """Check a dump before anything is touched: it exists, its checksum matches its sidecar, and
    pg_restore can read it. Returns (the tools folder, the sidecar, the revision inside)."""
    if not dump.is_file():
        raise BackupError(f"no such file: {dump}")
    meta: dict[str, Any] | None = None
    side = sidecar_path(dump)
    if side.is_file():
        try:
            meta = json.loads(side.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise BackupError(f"{side} is not a backup description (not JSON)") from None
        if not isinstance(meta, dict) or meta.get("format") != FORMAT:
            raise BackupError(f"{side} is not a backup description")
        if meta.get("sha256") != sha256_of(dump):
            raise BackupError(
                f"{dump} does not match its checksum in {side.name}: the file is damaged "
                "or was changed after the backup"
            )
    with dump.open("rb") as handle:
        if handle.read(5) != b"PGDMP":
            raise BackupError(f"{dump} is not a pg_dump custom-format file (damaged?)")
    server_major = int(meta["server_version"]) if meta and meta.get("server_version") else 14
    tools = find_tools(server_major)
    _run([str(tools / "pg_restore"), "--list", str(dump)], env=dict(os.environ),
         what=f"reading {dump} (damaged?)")  # fmt: skip
    revision = dump_revision(tools, dump)
    return tools, meta, revision


def check_revision(revision: str | None) -> bool:
    """Refuse a dump made by a newer release; True when the restored database needs
    `deliberate db upgrade` afterwards."""
    known, heads = known_revisions()
    if revision is None:
        raise BackupError("the dump has no migration revision (alembic_version): not a backup")
    if revision not in known:
        raise BackupError(
            f"the dump is at migration {revision}, which this release does not know: it was "
            "made by a newer version of Deliberate; restore it with that version"
        )
    return revision not in heads


def restore(database_url: str, dump: Path, tools: Path) -> None:
    """Replace the database's contents with the dump, in one transaction: pg_restore turns the
    dump into SQL, streamed into psql after the schema is dropped, all in one transaction."""
    db = target(database_url)
    asyncio.run(_server_facts(database_url))  # a wrong URL or password: one clear line
    with tempfile.TemporaryFile() as restore_err, tempfile.TemporaryFile() as psql_err:
        psql = subprocess.Popen(  # nosec B603  # noqa: S603 - a fixed argument list, no shell
            [str(tools / "psql"), "--no-psqlrc", "--quiet", "--no-password",
             "--single-transaction", "--set=ON_ERROR_STOP=1", f"--dbname={db.url}",
             "--file=-"],
            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=psql_err, env=db.env,
        )  # fmt: skip
        assert psql.stdin is not None
        reader = subprocess.Popen(  # nosec B603  # noqa: S603 - a fixed argument list, no shell
            [str(tools / "pg_restore"), "--no-owner", "--no-acl", "--file=-", str(dump)],
            stdout=subprocess.PIPE, stderr=restore_err,
        )  # fmt: skip
        assert reader.stdout is not None
        try:
            psql.stdin.write(b"DROP SCHEMA IF EXISTS public CASCADE;\nCREATE SCHEMA public;\n")
            shutil.copyfileobj(reader.stdout, psql.stdin, 1 << 20)
        except BrokenPipeError:
            pass  # psql stopped at an error: reported below
        finally:
            reader.stdout.close()
            reader_code = reader.wait()
            killed = reader_code != 0 and psql.poll() is None
            if killed:
                # psql would commit what it had on end of input: end it, so nothing commits.
                psql.kill()
            with contextlib.suppress(BrokenPipeError):
                psql.stdin.close()
            psql_code = psql.wait()
        if psql_code != 0 and not killed:
            raise BackupError(f"the restore failed, nothing was changed: {_tail(psql_err)}")
        if reader_code != 0:
            raise BackupError(f"pg_restore failed, nothing was changed: {_tail(restore_err)}")


def _tail(handle: Any) -> str:
    handle.seek(0)
    lines = [line for line in handle.read().decode(errors="replace").splitlines() if line.strip()]
    return "; ".join(lines[-3:]) or "no message"


# --- verification ------------------------------------------------------------------------------


@dataclass
class CycleCheck:
    cycle_id: str
    title: str
    entries: int
    chain_ok: bool
    chain_reason: str = ""
    head: str | None = None
    tally: str = "none"  # "none", "matches", or what differs


@dataclass
class VerifyReport:
    cycles: list[CycleCheck] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(c.chain_ok and c.tally in {"none", "matches"} for c in self.cycles)

    def lines(self) -> Iterable[str]:
        for check in self.cycles:
            chain = (
                f"chain holds ({check.entries} entries)"
                if check.chain_ok
                else f"chain BROKEN: {check.chain_reason}"
            )
            tally = {"none": "no tally", "matches": "tally recounts to the stored result"}.get(
                check.tally, f"tally DIFFERS: {check.tally}"
            )
            yield f"{'OK ' if check.chain_ok and check.tally in {'none', 'matches'} else 'BAD'} " \
                f"{check.title} ({check.cycle_id}): {chain}; {tally}"  # fmt: skip
        if not self.cycles:
            yield "no cycles with ballots or tallies"


async def _ballots_as_exported(connection: Any, cycle_id: Any, stored: Any) -> dict[str, Any]:
    """The ballots as the open-data export will hold them (in no particular order), read with
    plain SQL, each weighted by its group's weight as the tally recorded it: recounting these
    ballot by ballot checks a result the app counted from per-group sums."""
    weights = json.loads(stored["summary"]).get("weights", {})
    options = await connection.fetch(
        "SELECT position, title, cost FROM ballot_options WHERE cycle_id = $1 ORDER BY position",
        cycle_id,
    )
    ballots = await connection.fetch(
        "SELECT b.choice, coalesce(g.group_key, b.group_key) AS grp FROM ballots b "
        "LEFT JOIN voter_groups g ON g.cycle_id = b.cycle_id AND g.user_id = b.voter_id "
        "WHERE b.cycle_id = $1",
        cycle_id,
    )
    return {
        "method": stored["method"],
        "budget": json.loads(stored["params"]).get("budget"),
        "options": [
            {"id": str(o["position"]), "title": o["title"], "cost": o["cost"]} for o in options
        ],
        "ballots": [
            [f"v{i}", b["grp"], weights.get(b["grp"] or "", "1"), json.loads(b["choice"])]
            for i, b in enumerate(ballots, start=1)
        ],
    }


async def verify_database(database_url: str) -> VerifyReport:
    """Recompute every cycle's bulletin chain, and recount every stored tally from the export
    it was computed from. Plain SQL, so it also reads a database restored from an older
    release before `deliberate db upgrade`."""
    import asyncpg

    from deliberate.db import plain_url
    from deliberate.voting import exports
    from deliberate.voting.chain import verify_entries
    from deliberate.voting.counting import CountingError

    try:
        connection = await asyncpg.connect(plain_url(database_url), timeout=10)
    except Exception as error:
        raise _connection_error(error, target(database_url).where) from None
    report = VerifyReport()
    try:
        cycles = await connection.fetch(
            "SELECT id, title_en FROM cycles WHERE id IN "
            "(SELECT cycle_id FROM bulletin_entries UNION SELECT cycle_id FROM tallies) "
            "ORDER BY created_at, id"
        )
        for cycle in cycles:
            entries = await connection.fetch(
                "SELECT seq, receipt_hash, prev_hash, entry_hash FROM bulletin_entries "
                "WHERE cycle_id = $1 ORDER BY seq",
                cycle["id"],
            )
            verdict = verify_entries(str(cycle["id"]), [dict(e) for e in entries])
            check = CycleCheck(
                str(cycle["id"]),
                cycle["title_en"],
                verdict.entries,
                verdict.ok,
                verdict.reason,
                entries[-1]["entry_hash"] if entries else None,
            )
            stored = await connection.fetchrow(
                "SELECT method, params, summary, result, export, ballots_counted "
                "FROM tallies WHERE cycle_id = $1",
                cycle["id"],
            )
            if stored is not None:
                export = json.loads(stored["export"])
                if not export:  # an additive count whose export nobody has asked for yet
                    export = await _ballots_as_exported(connection, cycle["id"], stored)
                result = json.loads(stored["result"])
                try:
                    recounted = json.loads(json.dumps(exports.result_json(exports.count(export))))
                except CountingError as error:
                    check.tally = f"cannot recount: {error}"
                else:
                    if len(export.get("ballots", [])) != stored["ballots_counted"]:
                        check.tally = "the ballot count differs from the export"
                    elif recounted != result:
                        check.tally = "the recount differs from the stored result"
                    else:
                        check.tally = "matches"
            report.cycles.append(check)
    finally:
        await connection.close()
    return report
