"""The persistence suite's summary per database backend (the `database_url` fixture, SQLite
always and PostgreSQL where it runs, is in tests/conftest.py)."""

from __future__ import annotations

import pytest

_BACKEND_OUTCOMES: dict[str, dict[str, int]] = {}


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Count the persistence suite's outcomes per database backend (the `[sqlite]` /
    `[postgres]` parameter), so the run's summary shows that both ran."""
    if "test_persistence.py" not in report.nodeid or not report.nodeid.endswith("]"):
        return
    if report.when == "call" or report.outcome == "skipped":
        backend = report.nodeid.rsplit("[", 1)[1].rstrip("]")
        outcomes = _BACKEND_OUTCOMES.setdefault(backend, {})
        outcomes[report.outcome] = outcomes.get(report.outcome, 0) + 1


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    for backend, outcomes in sorted(_BACKEND_OUTCOMES.items()):
        counts = ", ".join(f"{n} {outcome}" for outcome, n in sorted(outcomes.items()))
        terminalreporter.write_line(f"persistence suite on {backend}: {counts}")
