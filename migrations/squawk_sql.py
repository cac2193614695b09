"""Write each migration's SQL to its own file, for squawk (`make lint`).

Usage: python migrations/squawk_sql.py OUTDIR

Alembic renders each revision offline (`upgrade <previous>:<revision> --sql`), with no database:
the URL below is only for the dialect. A file per revision, named after the migration's file,
so squawk reports a finding against the migration that caused it. Alembic's own bookkeeping
(the alembic_version table and its updates) is left out: it is not ours to fix.
"""

from __future__ import annotations

import io
import re
import sys
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory

ROOT = Path(__file__).resolve().parent.parent
# Offline mode never connects; the URL only chooses the PostgreSQL dialect.
OFFLINE_URL = "postgresql://lint@localhost/lint"
_BOOKKEEPING = re.compile(
    r"^(CREATE TABLE alembic_version .*?;|ALTER TABLE alembic_version .*?;"
    r"|INSERT INTO alembic_version .*?;|UPDATE alembic_version .*?;)\n",
    re.MULTILINE | re.DOTALL,
)

# Findings reviewed and accepted, per revision, each with its reason; everything else fails.
REVIEWED_EXCEPTIONS: dict[str, dict[str, str]] = {
    "20261126_cycles": {
        # Changing a released migration would make a fresh database differ from a running one.
        "prefer-identity": "notifications.id is a BIGSERIAL from the first release; later tables"
        " use IDENTITY",
    },
    "20261127_account_erasure": {
        "ban-drop-not-null": "ballots.voter_id is NULL only once the new release erases an"
        " account; the previous release finds ballots by voter, so it simply does not find those",
        "ban-drop-constraint": "the foreign key is replaced (ON DELETE SET NULL) in the same"
        " transaction, NOT VALID first, so the guarantee never lapses",
    },
}


def revision_sql(config: Config, previous: str | None, revision: str) -> str:
    buffer = io.StringIO()
    config.output_buffer = buffer
    command.upgrade(config, f"{previous}:{revision}" if previous else revision, sql=True)
    ignores = "".join(
        f"-- squawk-ignore-file {rule}\n" for rule in REVIEWED_EXCEPTIONS.get(revision, {})
    )
    return ignores + _BOOKKEEPING.sub("", buffer.getvalue())


def main(outdir: str) -> int:
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    config.attributes["database_url"] = OFFLINE_URL
    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    scripts = ScriptDirectory.from_config(config)
    for script in reversed(list(scripts.walk_revisions())):
        previous = script.down_revision
        if isinstance(previous, tuple):
            raise SystemExit(f"{script.revision}: merge revisions are not expected here")
        name = Path(script.path).stem + ".sql"
        (out / name).write_text(revision_sql(config, previous, script.revision))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
