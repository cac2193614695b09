"""The project's own lint rules catch what they say, and only that.

Each semgrep rule in .semgrep/ is run on tests/lint_fixtures/: a `*_bad*` fixture marks every line
a rule must flag with `# ruleid: <id>` on the line before, and a `*_good*` fixture must raise
nothing. semgrep is large and pins its own libraries, so `make lint` installs it in a venv of its
own (.venv/semgrep); `make test` does not, and then the semgrep test is skipped.

The migrations' SQL for squawk is written offline (no database), and states the lock and statement
timeouts that keep a migration from queueing live traffic behind it.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "lint_fixtures"
RULES = ROOT / ".semgrep"
ANNOTATION = re.compile(r"ruleid:\s*([\w-]+)")
HEADER = re.compile(r"rule:\s*([\w-]+)")


def _semgrep() -> str | None:
    for candidate in (
        os.environ.get("SEMGREP"),
        str(ROOT / ".venv" / "semgrep" / "bin" / "semgrep"),
    ):
        if candidate and Path(candidate).is_file():
            return candidate
    return shutil.which("semgrep")


def _rule_ids() -> set[str]:
    ids: set[str] = set()
    for path in RULES.glob("*.yml"):
        ids |= set(re.findall(r"(?m)^\s*- id:\s*([\w-]+)\s*$", path.read_text()))
    return ids


def _fixtures() -> list[Path]:
    return sorted(p for p in FIXTURES.iterdir() if p.suffix in (".py", ".html"))


def _expected(path: Path) -> set[tuple[str, int]]:
    """(rule, line) for every `ruleid:` annotation: the finding is on the next line."""
    lines = path.read_text().splitlines()
    return {
        (match.group(1), number + 1)
        for number, line in enumerate(lines, start=1)
        if (match := ANNOTATION.search(line))
    }


def test_every_rule_has_a_bad_and_a_good_fixture():
    rules = _rule_ids()
    assert len(rules) >= 10
    covered: dict[str, set[str]] = {}
    for path in _fixtures():
        header = HEADER.search(path.read_text().splitlines()[0])
        assert header, f"{path.name}: the first line must name its rule"
        kind = "bad" if "_bad" in path.stem else "good"
        covered.setdefault(header.group(1), set()).add(kind)
        if kind == "bad":
            assert _expected(path), f"{path.name}: a bad fixture marks what must be flagged"
    assert set(covered) == rules
    assert all(kinds == {"bad", "good"} for kinds in covered.values()), covered


@pytest.fixture(scope="module")
def findings(tmp_path_factory) -> dict[str, set[tuple[str, int]]]:
    semgrep = _semgrep()
    if semgrep is None:
        pytest.skip("semgrep is not installed (make lint installs it in .venv/semgrep)")
    # semgrep skips tests/ folders and untracked files in a git checkout: scan a copy.
    target = tmp_path_factory.mktemp("lint_fixtures")
    for path in _fixtures():
        shutil.copy(path, target / path.name)
    result = subprocess.run(
        [
            semgrep,
            "scan",
            "--metrics=off",
            "--disable-version-check",
            "--json",
            "--config",
            str(RULES),
            str(target),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=target,
    )
    report = json.loads(result.stdout)
    assert report["errors"] == [], report["errors"]
    found: dict[str, set[tuple[str, int]]] = {path.name: set() for path in _fixtures()}
    for item in report["results"]:
        name = Path(item["path"]).name
        found[name].add((item["check_id"].rsplit(".", 1)[-1], item["start"]["line"]))
    return found


@pytest.mark.parametrize("fixture", [p.name for p in _fixtures()])
def test_rule_fires_on_the_bad_lines_and_nowhere_else(findings, fixture):
    assert findings[fixture] == _expected(FIXTURES / fixture)


def test_migration_sql_states_its_timeouts(tmp_path):
    """Every migration's SQL is written offline, one file each, lock_timeout first."""
    subprocess.run(
        [sys.executable, str(ROOT / "migrations" / "squawk_sql.py"), str(tmp_path)],
        check=True,
        cwd=ROOT,
        timeout=120,
    )
    migrations = {p.stem for p in (ROOT / "migrations" / "versions").glob("*.py")}
    written = {p.stem: p.read_text() for p in tmp_path.glob("*.sql")}
    assert set(written) == migrations
    for name, sql in written.items():
        body = sql[sql.index("BEGIN;") :]
        assert body.index("SET lock_timeout") < body.index("-- Running upgrade"), name
        assert "alembic_version" not in sql, name
    squawk = shutil.which("squawk") or str(Path(sys.executable).parent / "squawk")
    if Path(squawk).is_file():
        result = subprocess.run(
            [squawk, *sorted(str(p) for p in tmp_path.glob("*.sql"))],
            capture_output=True,
            text=True,
            cwd=ROOT,
            timeout=120,
        )
        assert result.returncode == 0, result.stdout + result.stderr
