"""public pages: NOTIFY when what a published specification's page depends on changes

Revision ID: 20261128_public_page_notify
Revises: 20261127_session_idle_timeout
Create Date: 2026-11-28 10:45:00

Every app process caches, for signed-out readers, the fingerprint of each published version
(deliberate/specs/cache.py). A statement that writes one of the tables the fingerprint reads
now sends `NOTIFY deliberate_public` (delivered when its transaction commits, once however many
statements sent it), and every process listening empties its cache: a change made anywhere,
by another app process, the command line or psql, shows at once.

Safe beside the previous release: statement-level triggers add no column and lock each table
only briefly (under the migration's lock_timeout); the old code ignores the notifications.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "20261128_public_page_notify"
down_revision: str | None = "20261127_session_idle_timeout"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# On each table specs.service.PUBLIC_FINGERPRINT reads.
TRIGGERS = (
    "CREATE TRIGGER cycles_public_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE"
    " ON cycles FOR EACH STATEMENT EXECUTE FUNCTION deliberate_public_changed()",
    "CREATE TRIGGER specifications_public_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE"
    " ON specifications FOR EACH STATEMENT EXECUTE FUNCTION deliberate_public_changed()",
    "CREATE TRIGGER spec_versions_public_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE"
    " ON spec_versions FOR EACH STATEMENT EXECUTE FUNCTION deliberate_public_changed()",
    "CREATE TRIGGER delivery_updates_public_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE"
    " ON delivery_updates FOR EACH STATEMENT EXECUTE FUNCTION deliberate_public_changed()",
    "CREATE TRIGGER delivery_ratings_public_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE"
    " ON delivery_ratings FOR EACH STATEMENT EXECUTE FUNCTION deliberate_public_changed()",
)
DROPS = (
    "DROP TRIGGER cycles_public_changed ON cycles",
    "DROP TRIGGER specifications_public_changed ON specifications",
    "DROP TRIGGER spec_versions_public_changed ON spec_versions",
    "DROP TRIGGER delivery_updates_public_changed ON delivery_updates",
    "DROP TRIGGER delivery_ratings_public_changed ON delivery_ratings",
)


def upgrade() -> None:
    op.execute(
        """
        CREATE FUNCTION deliberate_public_changed() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM pg_notify('deliberate_public', '');
            RETURN NULL;
        END
        $$
        """
    )
    for statement in TRIGGERS:
        op.execute(statement)


def downgrade() -> None:
    for statement in DROPS:
        op.execute(statement)
    op.execute("DROP FUNCTION deliberate_public_changed()")
