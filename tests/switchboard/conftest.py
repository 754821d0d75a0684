"""Database backends for the persistence suite: SQLite always, PostgreSQL where it runs."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

POSTGRES_ADMIN_URL = os.environ.get(
    "SWITCHBOARD_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)


async def _admin(statement: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(POSTGRES_ADMIN_URL, timeout=3)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


def _postgres_database() -> Iterator[str]:
    name = f"sb_test_{uuid.uuid4().hex[:12]}"
    try:
        asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # any failure to connect means "absent"
        reason = f"PostgreSQL not reachable at {POSTGRES_ADMIN_URL}: {exc.__class__.__name__}"
        if os.environ.get("CI"):
            pytest.fail(f"{reason} (CI must run the PostgreSQL suite)")
        pytest.skip(reason)
    base = POSTGRES_ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://")
    try:
        yield f"{base}/{name}"
    finally:
        asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A migratable, empty database of each backend."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'persistence.db'}"
    else:
        yield from _postgres_database()


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
