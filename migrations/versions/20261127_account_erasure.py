"""account erasure: tombstones and unlinked ballots

Revision ID: 20261127_account_erasure
Revises: 20261127_rate_limits
Create Date: 2026-11-27 02:25:00

An erased account stays as an anonymous tombstone (`users.erased_at`), so what it wrote keeps its
place. Its cast ballots stay counted but lose their voter: `ballots.voter_id` becomes nullable
(ON DELETE SET NULL), and the voter's group is copied onto the ballot (`ballots.group_key`) so
the ballot weighs what it weighed before. The unique (cycle_id, voter_id) constraint still makes
one ballot per voter: PostgreSQL treats NULLs as distinct, so unlinked ballots do not collide.

Safe beside the previous release: the new columns are nullable and dropping NOT NULL does not
change what the old code writes.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261127_account_erasure"
down_revision: str | None = "20261127_rate_limits"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("users", sa.Column("erased_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("ballots", sa.Column("group_key", sa.String(length=40), nullable=True))
    op.alter_column("ballots", "voter_id", existing_type=sa.Uuid(), nullable=True)
    # Swap the foreign key without holding writes during a scan of ballots: in one transaction
    # (so no one sees the table without it) the old one goes and the new one comes NOT VALID, a
    # brief lock with new rows checked at once; it is validated after the commit, a scan under a
    # lock that lets writes go on.
    op.drop_constraint("fk_ballots_voter_id_users", "ballots", type_="foreignkey")
    op.create_foreign_key(
        "fk_ballots_voter_id_users",
        "ballots",
        "users",
        ["voter_id"],
        ["id"],
        ondelete="SET NULL",
        postgresql_not_valid=True,
    )
    with op.get_context().autocommit_block():
        op.execute("ALTER TABLE ballots VALIDATE CONSTRAINT fk_ballots_voter_id_users")


def downgrade() -> None:
    # An unlinked ballot has no voter to give back: refuse rather than lose counted votes.
    connection = op.get_bind()
    unlinked = connection.execute(
        sa.text("SELECT count(*) FROM ballots WHERE voter_id IS NULL")
    ).scalar()
    if unlinked:
        raise RuntimeError(
            f"{unlinked} ballots belong to erased accounts and cannot be linked to a voter again"
        )
    op.drop_constraint("fk_ballots_voter_id_users", "ballots", type_="foreignkey")
    op.create_foreign_key(
        "fk_ballots_voter_id_users", "ballots", "users", ["voter_id"], ["id"], ondelete="CASCADE"
    )
    op.alter_column("ballots", "voter_id", existing_type=sa.Uuid(), nullable=False)
    op.drop_column("ballots", "group_key")
    op.drop_column("users", "erased_at")
