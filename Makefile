# tanzuji — two commands: `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint system-deps bench clean fuzz

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

## Run the main job on the bundled examples (outputs in ./tanzuji-demo/).
demo: system-deps $(STAMP)
	$(BIN)/tanzuji demo --force

system-deps:
	@bash scripts/system-deps.sh

lint: $(STAMP)
	$(BIN)/ruff check conftest.py src tests $(wildcard benchmarks)
	$(BIN)/ruff format --check conftest.py src tests $(wildcard benchmarks)
	$(BIN)/mypy
	$(BIN)/lint-imports

## Install everything the tests need, then run lint, types, import contract and the whole suite.
## The store tests also run on PostgreSQL: a throwaway cluster is started when none answers.
test: system-deps $(STAMP) lint
	PYTHON=$(BIN)/python bash scripts/with-postgres.sh $(BIN)/pytest -q

bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	$(BIN)/python benchmarks/run_all.py

clean:
	rm -rf $(VENV) tanzuji-demo .pytest_cache .mypy_cache .ruff_cache

## Long fuzz campaign (forked workers, CPU/memory/wall-clock limits; docs/robustness.md).
FUZZ_STUDIES ?= 100000
FUZZ_WORKBOOKS ?= 20000
fuzz: $(STAMP)
	nice $(BIN)/python -m tests.fuzz.campaign --studies $(FUZZ_STUDIES) --workbooks $(FUZZ_WORKBOOKS) --workers 2 --keep fuzz-findings --out fuzz-counts.json
