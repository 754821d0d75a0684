# The two commands: `make run` and `make test`. Both set up what is missing and are quick when done.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test setup lint typecheck unit redteam bench clean

run: setup
	$(BIN)/switchboard serve

test: setup lint typecheck unit

setup: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -qq --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install -qq --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install -qq --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $(STAMP)

lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck:
	$(BIN)/mypy

unit:
	$(BIN)/pytest -m "not corpus"

# Whole red-team corpora (666 jailbreaks, every BIPIA category) against both models: hours, not CI.
redteam: setup
	$(BIN)/pytest -m corpus tests/security

# Every benchmark once, each printing its numbers (~20 min on two cores; run on a quiet machine).
bench: setup
	$(BIN)/python -m bench.local_engine_bench
	$(BIN)/python -m bench.oos_bench
	$(BIN)/python bench/knowledge_bench.py --quick
	$(BIN)/python -m bench.api_bench --concurrency 50 --rounds 3 --streams 1000

clean:
	rm -rf $(VENV) var .mypy_cache .ruff_cache .pytest_cache
