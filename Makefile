# The two commands: `make run` and `make test`. Both set up what is missing and are quick when done.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test setup lock install-check topology-smoke lint typecheck unit dates redteam bench bench-http clean

run: setup
	$(BIN)/switchboard serve

test: setup lint typecheck
	@# the suite and the fresh-install check each keep one core busy: run them side by side
	$(MAKE) --no-print-directory -j2 --output-sync=target unit install-check topology-smoke
	$(MAKE) --no-print-directory dates

setup: $(STAMP)

$(STAMP): requirements.lock requirements-dev.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -qq --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install -qq --disable-pip-version-check -r requirements-dev.lock
	$(BIN)/python -m pip install -qq --disable-pip-version-check --no-deps --no-build-isolation -e .
	$(BIN)/python -m pip check
	touch $(STAMP)

# Regenerate both locks from pyproject.toml (runtime; runtime + dev), keeping today's versions
# where they still fit: `make lock`, or `make lock UPGRADE=--upgrade` to move to the newest.
lock: setup
	$(BIN)/uv pip compile pyproject.toml --python-version 3.11 --no-annotate -q $(UPGRADE) \
	  -o requirements.lock
	$(BIN)/uv pip compile pyproject.toml --extra dev --python-version 3.11 --no-annotate -q \
	  $(UPGRADE) -o requirements-dev.lock

# What an operator does: `pip install .` into an empty venv (runtime dependencies only), then
# `pip check` and `switchboard serve` until /readyz answers (scripts/install_check.sh).
install-check: setup
	scripts/install_check.sh

# The scaled topology (PostgreSQL, Redis, Chroma server, BSS, two API replicas behind a proxy) as
# processes, and a confirmed top-up through the proxy (deploy/topology.py; deploy/README.md).
topology-smoke: setup
	$(BIN)/python deploy/topology.py smoke

lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

typecheck:
	$(BIN)/mypy

unit:
	$(BIN)/pytest -m "not corpus"

# The date-dependent suites (marked `dated`) again where calendars break, each in a time zone that
# would expose local-time arithmetic: a month end, a year end, 29 February, the UK's spring DST
# change (01:00 UTC), the first half of a month, and the real today (ADR 0013).
DATES := 2027-01-31T23:00:00Z,Pacific/Kiritimati 2026-12-31T23:00:00Z,America/Los_Angeles \
	2028-02-29T12:00:00Z,UTC 2027-03-28T00:30:00Z,Europe/London 2027-06-07T09:00:00Z,Asia/Kolkata \
	now,Europe/London

DATED_FILES = $(shell grep -rl --include='test_*.py' "pytest.mark.dated" tests)

dates:
	@printf '%s\n' $(DATES) | xargs -P 2 -I{} sh tests/run_dated.sh {} \
	  $(BIN)/pytest -q -p no:cacheprovider -m "dated and not slow and not corpus" $(DATED_FILES)

# Whole red-team corpora (666 jailbreaks, every BIPIA category) against both models: hours, not CI.
redteam: setup
	$(BIN)/pytest -m corpus tests/security

# Every benchmark once, each printing its numbers (~20 min on two cores; run on a quiet machine).
bench: setup
	$(BIN)/python -m bench.local_engine_bench
	$(BIN)/python -m bench.oos_bench
	$(BIN)/python bench/knowledge_bench.py --quick
	$(BIN)/python -m bench.api_bench --concurrency 50 --rounds 3 --streams 1000
	$(MAKE) --no-print-directory bench-http

# Knowledge turns over HTTP against `switchboard serve` (1 and 2 workers; SQLite, and PostgreSQL +
# Redis when they answer on 127.0.0.1) and the LLM path against a fake model: JSON and a plot in
# docs/bench/. `make bench-http HTTP_BENCH=--quick` takes ~3 min; the full run ~10.
HTTP_BENCH ?=
bench-http: setup
	$(BIN)/python -m bench.http_bench $(HTTP_BENCH)

clean:
	rm -rf $(VENV) var .mypy_cache .ruff_cache .pytest_cache
