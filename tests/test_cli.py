"""The `deliberate` command against the test database."""

from __future__ import annotations

import os
import subprocess
import sys

from sqlalchemy import select, text

from deliberate.accounts.models import Organisation, RoleGrant, User


def run(clean_db: str, tmp_path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "DATABASE_URL": clean_db,
        "DELIBERATE_DATA_DIR": str(tmp_path),
        "LOG_LEVEL": "WARNING",
    }
    return subprocess.run(
        [sys.executable, "-m", "deliberate", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


async def test_org_and_user_commands(clean_db, tmp_path, db):
    created = run(clean_db, tmp_path, "org", "create", "--slug", "powys", "--name", "Powys")
    assert created.returncode == 0, created.stderr
    again = run(clean_db, tmp_path, "org", "create", "--slug", "powys", "--name", "Powys")
    assert again.returncode == 1
    assert "already uses" in again.stderr

    user = run(
        clean_db, tmp_path, "user", "create", "--email", "Nia@Example.org", "--password",
        "a long password", "--role", "commissioner", "--org", "powys",
    )  # fmt: skip
    assert user.returncode == 0, user.stderr
    grant = run(
        clean_db, tmp_path, "user", "grant", "--email", "nia@example.org", "--role", "admin"
    )
    assert grant.returncode == 0, grant.stderr
    bad = run(clean_db, tmp_path, "user", "grant", "--email", "nia@example.org", "--role",
              "facilitator")  # fmt: skip
    assert bad.returncode == 1
    assert "organisation" in bad.stderr
    revoke = run(clean_db, tmp_path, "user", "revoke", "--email", "nia@example.org", "--role",
                 "commissioner", "--org", "powys")  # fmt: skip
    assert revoke.returncode == 0, revoke.stderr

    nia = (await db.execute(select(User))).scalar_one()
    assert nia.email == "nia@example.org" and nia.email_verified
    roles = (await db.execute(select(RoleGrant.role))).scalars().all()
    assert roles == ["admin"]
    assert (await db.execute(select(Organisation.slug))).scalars().all() == ["powys"]


async def test_demo_is_idempotent(clean_db, tmp_path, db):
    first = run(clean_db, tmp_path, "demo")
    assert first.returncode == 0, first.stderr
    counts = (await db.execute(text("SELECT count(*) FROM users"))).scalar()
    second = run(clean_db, tmp_path, "demo")
    assert second.returncode == 0, second.stderr
    once = run(clean_db, tmp_path, "demo", "--once")
    assert "already present" in once.stdout
    assert (await db.execute(text("SELECT count(*) FROM users"))).scalar() == counts
    roles = (await db.execute(text("SELECT DISTINCT role FROM role_grants ORDER BY 1"))).all()
    assert [r[0] for r in roles] == ["admin", "commissioner", "facilitator"]
    stages = (await db.execute(text("SELECT stage FROM cycles ORDER BY stage"))).scalars().all()
    assert {"draft", "proposals", "deliberation", "voting", "specification", "published"} <= set(
        stages
    )
    proposals = (
        await db.execute(
            text(
                "SELECT count(*), sum(support_count) FROM proposals p JOIN cycles c "
                "ON c.id = p.cycle_id WHERE c.stage = 'proposals'"
            )
        )
    ).one()
    supports = (
        await db.execute(
            text(
                "SELECT count(*) FROM supports s JOIN cycles c ON c.id = s.cycle_id "
                "WHERE c.stage = 'proposals'"
            )
        )
    ).scalar()
    assert proposals[0] == 30 and proposals[1] == supports > 0
    members = (
        await db.execute(text("SELECT count(*) FROM volunteers WHERE status = 'selected'"))
    ).scalar()
    posts = (await db.execute(text("SELECT count(*) FROM posts"))).scalar()
    assert members == 16 and posts > 100
    shortlisted = (
        await db.execute(text("SELECT count(*) FROM proposals WHERE answer = 'taken_forward'"))
    ).scalar()
    assert shortlisted >= 1


async def test_demo_accounts_can_sign_in(clean_db, tmp_path, make_app):
    from helpers import Browser

    from deliberate.demo import DEMO_PASSWORD

    assert run(clean_db, tmp_path, "demo").returncode == 0
    async with Browser(make_app()) as browser:
        await browser.sign_in("admin@demo.deliberate.cymru", DEMO_PASSWORD)
        assert (await browser.get("/admin")).status_code == 200


def test_db_current_names_the_head(clean_db, tmp_path):
    result = run(clean_db, tmp_path, "db", "current")
    assert result.returncode == 0
    assert "(head)" in result.stdout
