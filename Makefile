# The two commands a new user needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint format bench install clean-db

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
