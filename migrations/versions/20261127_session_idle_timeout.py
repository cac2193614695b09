"""sessions: last seen and browser, for the idle timeout and the list of one's sessions

Revision ID: 20261127_session_idle_timeout
Revises: 20261127_account_erasure
Create Date: 2026-11-27 02:46:06

Safe beside the previous release: `last_seen_at` has a non-volatile default (now() is fixed for
the ALTER's transaction), so PostgreSQL adds it without rewriting the table; `user_agent` is
nullable. The old code neither reads nor writes them. Existing sessions count as seen when the
migration ran, so nobody is signed out by the upgrade.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261127_session_idle_timeout"
down_revision: str | None = "20261127_account_erasure"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "user_sessions",
        sa.Column(
            "last_seen_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
    )
    op.add_column("user_sessions", sa.Column("user_agent", sa.String(length=300), nullable=True))


def downgrade() -> None:
    op.drop_column("user_sessions", "user_agent")
    op.drop_column("user_sessions", "last_seen_at")
