"""The `deliberate` command (also `python -m deliberate`)."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any

from deliberate.settings import SettingsError, load_settings

ROOT = Path(__file__).resolve().parent.parent


def _alembic_config(database_url: str):
    from alembic.config import Config

    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    config.attributes["database_url"] = database_url
    return config


def _database_url() -> str:
    from deliberate.db import resolve_database_url

    return resolve_database_url(load_settings())


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    # Resolve (and, when embedded, start) the database once, here, so every worker shares it.
    _database_url()
    uvicorn.run(
        "deliberate.app:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        proxy_headers=True,
        log_config=None,
        access_log=False,
    )
    return 0


def cmd_db(args: argparse.Namespace) -> int:
    from alembic import command

    config = _alembic_config(_database_url())
    if args.action == "upgrade":
        command.upgrade(config, args.revision or "head")
    elif args.action == "downgrade":
        command.downgrade(config, args.revision or "-1")
    else:
        command.current(config, verbose=False)
    return 0


def _run_async(job: Callable[[Any], Awaitable[int]]) -> int:
    """Run `job(session)` in one transaction, committed only if it succeeds."""
    from deliberate import db as dbmod
    from deliberate import parts
    from deliberate.errors import DomainError

    parts.load()

    async def runner() -> int:
        engine = dbmod.make_engine(_database_url(), pool_size=2, max_overflow=0)
        try:
            async with dbmod.make_sessionmaker(engine)() as session:
                try:
                    code = await job(session)
                except DomainError as error:
                    await session.rollback()
                    messages = getattr(error, "errors", None)
                    detail = "; ".join(f"{k}: {v}" for k, v in messages.items()) if messages else ""
                    print(
                        f"error: {error.message}{' (' + detail + ')' if detail else ''}",
                        file=sys.stderr,
                    )
                    return 1
                await session.commit()
                return code
        finally:
            await engine.dispose()

    return asyncio.run(runner())


def cmd_demo(args: argparse.Namespace) -> int:
    from deliberate.demo import load_demo

    async def job(session) -> int:
        loaded = await load_demo(session, once=args.once)
        print("demo data loaded" if loaded else "demo data already present")
        return 0

    return _run_async(job)


def cmd_user(args: argparse.Namespace) -> int:
    from deliberate.accounts import service
    from deliberate.accounts.models import Role

    async def job(session) -> int:
        if args.action == "create":
            user = await service.create_user(
                session,
                email=args.email,
                display_name=args.name or args.email.split("@")[0],
                password=args.password or os.environ.get("DELIBERATE_PASSWORD"),
            )
            print(f"created {user.email}")
        else:
            user = await service.find_user_by_email(session, args.email)
            if user is None:
                print(f"error: no account with e-mail {args.email}", file=sys.stderr)
                return 1
        if args.role:
            role = Role(args.role)
            org = await service.get_organisation(session, args.org) if args.org else None
            if args.action == "revoke":
                await service.revoke_role(session, None, user, role, org)
                print(f"revoked {role.value} from {user.email}")
            else:
                await service.grant_role(session, None, user, role, org)
                print(f"granted {role.value}{' for ' + org.slug if org else ''} to {user.email}")
        elif args.action in {"grant", "revoke"}:
            print("error: --role is required", file=sys.stderr)
            return 2
        return 0

    return _run_async(job)


def cmd_org(args: argparse.Namespace) -> int:
    from deliberate.accounts import service
    from deliberate.forms import FormInput

    async def job(session) -> int:
        form = FormInput({"slug": args.slug, "name_en": args.name, "name_cy": args.name_cy or ""})
        organisation = await service.create_organisation(session, None, form)
        print(f"created organisation {organisation.slug}")
        return 0

    return _run_async(job)


def cmd_digest(args: argparse.Namespace) -> int:
    """Send today's daily digests (the app's scheduler also does this each morning)."""
    from deliberate import db as dbmod
    from deliberate.notifications import send_daily_digests

    async def runner() -> int:
        settings = load_settings()
        engine = dbmod.make_engine(_database_url(), pool_size=2, max_overflow=0)
        try:
            sent = await send_daily_digests(dbmod.make_sessionmaker(engine), settings)
        finally:
            await engine.dispose()
        print(f"sent {sent} digest(s)")
        return 0

    return asyncio.run(runner())


def cmd_backup(args: argparse.Namespace) -> int:
    """pg_dump the database (custom format) with a JSON description beside it."""
    from deliberate import backup

    try:
        path, meta = backup.backup(_database_url(), Path(args.output) if args.output else None)
    except backup.BackupError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(
        f"backup written: {path} ({meta['size']} bytes, migration {meta['alembic_revision']}, "
        f"sha256 {meta['sha256'][:12]}...)"
    )
    print(f"description: {backup.sidecar_path(path)}")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    """Replace the database with a backup, in one transaction, then check every chain and tally."""
    from deliberate import backup

    dump = Path(args.file)
    try:
        tools, meta, revision = backup.inspect_dump(dump)
        upgrade_needed = backup.check_revision(revision)
        url = _database_url()
        where = backup.target(url).where
        taken = (meta or {}).get("started_at", "unknown time (no description file)")
        print(f"backup {dump}: migration {revision}, taken {taken}")
        if not args.yes:
            if not sys.stdin.isatty():
                print(f"error: this replaces everything in {where}; add --yes", file=sys.stderr)
                return 1
            answer = input(f"This replaces everything in {where}. Type yes to go on: ")
            if answer.strip().lower() != "yes":
                print("nothing was changed")
                return 1
        backup.restore(url, dump, tools)
        print(f"restored into {where}")
        report = asyncio.run(backup.verify_database(url))
    except backup.BackupError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    for line in report.lines():
        print(line)
    if upgrade_needed:
        print("the backup is from an older release: now run `deliberate db upgrade`")
    if not report.ok:
        print("error: the restored data does not verify (see BAD above)", file=sys.stderr)
        return 1
    return 0


def cmd_routes(args: argparse.Namespace) -> int:
    """The access table as a route x stage matrix (docs/routes.md is `--markdown`)."""
    from deliberate import access
    from deliberate.app import all_routes

    routes = all_routes()
    sys.stdout.write(access.markdown(routes) if args.markdown else access.text_table(routes) + "\n")
    return 1 if access.missing(routes) else 0


def build_parser() -> argparse.ArgumentParser:
    from deliberate.accounts.models import Role

    parser = argparse.ArgumentParser(prog="deliberate", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = commands.add_parser("serve", help="serve the web app")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    serve.set_defaults(func=cmd_serve)

    db = commands.add_parser("db", help="database migrations")
    db.add_argument("action", choices=["upgrade", "downgrade", "current"])
    db.add_argument("revision", nargs="?")
    db.set_defaults(func=cmd_db)

    demo = commands.add_parser("demo", help="load the demo data (idempotent)")
    demo.add_argument("--once", action="store_true", help="skip if it was ever loaded")
    demo.set_defaults(func=cmd_demo)

    user = commands.add_parser("user", help="manage accounts and roles")
    user.add_argument("action", choices=["create", "grant", "revoke"])
    user.add_argument("--email", required=True)
    user.add_argument("--name", help="display name (create)")
    user.add_argument(
        "--password", help="password (create); or set DELIBERATE_PASSWORD; omit for none"
    )
    user.add_argument("--role", choices=[role.value for role in Role])
    user.add_argument("--org", help="organisation slug, for facilitator and commissioner")
    user.set_defaults(func=cmd_user)

    org = commands.add_parser("org", help="manage organisations")
    org.add_argument("action", choices=["create"])
    org.add_argument("--slug", required=True)
    org.add_argument("--name", required=True, help="name in English")
    org.add_argument("--name-cy", help="name in Welsh")
    org.set_defaults(func=cmd_org)

    digest = commands.add_parser("digest", help="send today's daily notification digests")
    digest.set_defaults(func=cmd_digest)

    backup = commands.add_parser(
        "backup", help="back up the database (pg_dump custom format, with a description file)"
    )
    backup.add_argument(
        "--output", "-o", help="file or folder to write (default: ./deliberate-TIME.dump)"
    )
    backup.set_defaults(func=cmd_backup)

    restore = commands.add_parser(
        "restore",
        help="replace the database with a backup, then verify every bulletin chain and tally",
    )
    restore.add_argument("file", help="a .dump file written by `deliberate backup`")
    restore.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    restore.set_defaults(func=cmd_restore)

    routes = commands.add_parser("routes", help="print who may use each route, in which stage")
    routes.add_argument("--markdown", action="store_true", help="as docs/routes.md")
    routes.set_defaults(func=cmd_routes)

    from deliberate.voting import cli as voting_cli

    voting_cli.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except SettingsError as error:
        print(f"configuration error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
