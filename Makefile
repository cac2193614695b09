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

lint: $(STAMP)
	$(BIN)/ruff check deliberate tests migrations bench
	$(BIN)/ruff format --check deliberate tests migrations bench

format: $(STAMP)
	$(BIN)/ruff format deliberate tests migrations bench
	$(BIN)/ruff check --fix deliberate tests migrations bench

bench: $(STAMP)
	$(BIN)/python bench/tally.py
	cd bench && ../$(BIN)/python proposals_list.py --rounds 3
	cd bench && ../$(BIN)/python thread.py --rounds 3

# Refresh the translation catalogs after changing interface strings.
messages: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k lazy_gettext -k _ -k gettext -k ngettext:1,2 \
		--no-location --sort-output --omit-header -o deliberate/translations/messages.pot .
	$(BIN)/pybabel update -i deliberate/translations/messages.pot -d deliberate/translations \
		--no-fuzzy-matching --ignore-obsolete
