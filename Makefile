# motcua — the two commands a newcomer needs are `make run` and `make test`.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev
PYTEST_ARGS ?=
# Test processes (pytest-xdist); each has its own test database. PYTEST_WORKERS=0 runs in this process.
PYTEST_WORKERS ?= 2

.PHONY: run test lint format bench fuzz install install-dev serve clean

$(BIN)/python:
	@py=$$(scripts/find-python) && echo "Using $$py" && "$$py" -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(DEV_STAMP): pyproject.toml $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

install: $(STAMP)
install-dev: $(DEV_STAMP)

## run: install, migrate, load the demo data and serve web + worker at http://127.0.0.1:8000 (SQLite, sandbox)
## (static files served from the source, no collectstatic; Ctrl-C stops both and exits cleanly: scripts/serve)
run: export MOTCUA_SANDBOX ?= 1
run: export MOTCUA_STATIC_FROM_SOURCE ?= 1
run: $(STAMP)
	@$(BIN)/python scripts/serve

## test: the whole suite on SQLite; with DATABASE_URL=postgres://… on PostgreSQL
test: $(DEV_STAMP)
	$(BIN)/python -m pytest --create-db -n $(PYTEST_WORKERS) --cov --cov-report= $(PYTEST_ARGS)
	@echo "Line coverage of src/motcua (tests and migrations left out): $$($(BIN)/coverage report --format=total)%"

## fuzz: schemathesis over every API operation, with a staff token and anonymously (tests/fuzz; ~3 min);
## FUZZ_EXAMPLES inputs per operation; on PostgreSQL with DATABASE_URL=postgres://…
FUZZ_EXAMPLES ?= 30
fuzz: $(DEV_STAMP)
	MOTCUA_FUZZ=1 MOTCUA_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/python -m pytest tests/fuzz --create-db -n $(PYTEST_WORKERS) -p no:cacheprovider -q

lint: $(DEV_STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy
	$(BIN)/mypy bench
	$(BIN)/lint-imports --no-logo

format: $(DEV_STAMP)
	$(BIN)/ruff check --fix src tests bench
	$(BIN)/ruff format src tests bench

## bench: every benchmark in bench/; each prints its numbers and exits 1 when it misses its target
bench: $(DEV_STAMP)
	@failed=""; for b in bench/*.py; do echo "== $$b"; $(BIN)/python $$b || failed="$$failed $$b"; done; \
	if [ -n "$$failed" ]; then echo "Targets missed by:$$failed (see docs/performance.md)"; exit 1; fi

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache .import_linter_cache .grimp_cache
