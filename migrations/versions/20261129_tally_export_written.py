"""tallies: when the open-data export was written, so the export writers find the unwritten ones
without reading any export

Revision ID: 20261129_tally_export_written
Revises: 20261128_public_page_notify
Create Date: 2026-11-29 09:00:00

Every app process's export writer (deliberate/voting/background.py) looks for the tallies whose
export is still to be written, every `SCHEDULER_INTERVAL` and at each close. Comparing `export`
with '{}' would read every stored export (megabytes each for a city, kept out of line), so the
writers look at this column instead: NULL until the export is written.

Safe beside the previous release: the column is nullable, added without rewriting the table;
the old code neither reads nor writes it. Exports already written get their tally's time.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261129_tally_export_written"
down_revision: str | None = "20261128_public_page_notify"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "tallies", sa.Column("export_written_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.execute("UPDATE tallies SET export_written_at = computed_at WHERE export <> '{}'::jsonb")


def downgrade() -> None:
    op.drop_column("tallies", "export_written_at")
