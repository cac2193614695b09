# The two commands a new user needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint format bench install messages

$(STAMP): pyproject.toml
	@test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	@touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/deliberate db upgrade
	$(BIN)/deliberate demo --once
	$(BIN)/deliberate serve

test: $(STAMP)
	$(BIN)/pytest $(PYTEST_ARGS)

# `make lint` installs its own tools (stamped apart, so `make test` never pays for them) and runs
# them all offline; any finding fails it. semgrep pins click and jsonschema exactly, so it gets a
# venv of its own rather than downgrading the app's; it runs only the project's rules (.semgrep/).
# pip-audit is not here: it cannot reach its advisory database from these machines and then
# reports a false pass.
SEMGREP_VERSION := 1.185.0
SEMGREP_VENV := $(VENV)/semgrep
LINT_STAMP := $(VENV)/.lint-installed
SQUAWK_SQL := $(VENV)/squawk-sql

$(LINT_STAMP): $(STAMP) pyproject.toml
	$(BIN)/pip install --quiet -e '.[test,lint]'
	@test -d $(SEMGREP_VENV) || $(PYTHON) -m venv $(SEMGREP_VENV)
	$(SEMGREP_VENV)/bin/pip install --quiet 'semgrep==$(SEMGREP_VERSION)'
	@touch $(LINT_STAMP)

lint: $(LINT_STAMP)
	$(BIN)/ruff check deliberate tests migrations bench
	$(BIN)/ruff format --check deliberate tests migrations bench
	$(BIN)/bandit -c pyproject.toml -r deliberate -q
	$(SEMGREP_VENV)/bin/semgrep scan --metrics=off --disable-version-check --no-git-ignore --error --quiet \
		--config .semgrep/ deliberate templates
	@rm -rf $(SQUAWK_SQL)
	$(BIN)/python migrations/squawk_sql.py $(SQUAWK_SQL)
	$(BIN)/squawk $(SQUAWK_SQL)/*.sql

format: $(STAMP)
	$(BIN)/ruff format deliberate tests migrations bench
	$(BIN)/ruff check --fix deliberate tests migrations bench

# Every scenario of issue #10 beside its baseline, 3 rounds, then a pass/fail summary (~15 min;
# BENCH_ARGS=--quick for a smoke run). The counting engine alone: $(BIN)/python bench/tally.py
bench: $(STAMP)
	cd bench && ../$(BIN)/python run.py $(BENCH_ARGS)

# Refresh the translation catalogs after changing interface strings.
messages: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k lazy_gettext -k _ -k gettext -k ngettext:1,2 \
		--no-location --sort-output --omit-header -o deliberate/translations/messages.pot .
	$(BIN)/pybabel update -i deliberate/translations/messages.pot -d deliberate/translations \
		--no-fuzzy-matching --ignore-obsolete
