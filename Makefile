# The two commands of the README: `make run` ingests data/raw, `make test` runs every test.
# Both set up what is missing first (Debian packages, .venv, Prefect database).
SHELL := /bin/bash
VENV := .venv
export PREFECT_HOME ?= $(CURDIR)/.prefect
export PREFECT_SERVER_ANALYTICS_ENABLED := false
export OMP_THREAD_LIMIT := 1
PYTEST_ARGS ?=

.PHONY: setup run test lint eval bench docs

setup:
	@bash scripts/setup.sh

run: setup
	$(VENV)/bin/fsfdocs ingest --raw data/raw --curated data/curated

test: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/python -m pytest -n 2 --durations=15 $(PYTEST_ARGS)

lint: setup
	$(VENV)/bin/ruff check .

eval: setup
	$(VENV)/bin/fsfdocs eval

bench: setup
	$(VENV)/bin/python benchmarks/run_all.py

docs: setup
	$(VENV)/bin/python -m schemas.docs
