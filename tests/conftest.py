"""Fixtures shared by every test package: isolated settings and a migrated database."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker

from switchboard import clock, currency
from switchboard.db import make_engine, make_sessionmaker
from switchboard.db.migrate import upgrade_async
from switchboard.settings import Settings, get_settings, load_settings
from tests.clock import TEST_CLOCK_START

clock.install_start(TEST_CLOCK_START)  # before any session-scoped fixture seeds a world


@pytest.fixture(autouse=True)
def _isolated_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No test reads the developer's .env or writes into ./var; the world's clock starts at
    TEST_CLOCK_START in this process and in every server a test starts."""
    for key in list(os.environ):
        if key.startswith("SWITCHBOARD_"):
            monkeypatch.delenv(key)
    if TEST_CLOCK_START is not None:
        monkeypatch.setenv("SWITCHBOARD_CLOCK_START", TEST_CLOCK_START.isoformat())
    clock.install_start(TEST_CLOCK_START)
    monkeypatch.setenv("SWITCHBOARD_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.chdir(tmp_path)
    get_settings.cache_clear()
    money_format = currency.current()
    yield
    currency.configure(money_format.currency, money_format.locale)  # a test's app may change it
    get_settings.cache_clear()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return load_settings(data_dir=tmp_path / "var", bss_clock_speed=1e9)


@pytest.fixture
async def sessionmaker(settings: Settings) -> AsyncIterator[async_sessionmaker[Any]]:
    """A migrated SQLite database in the test's temporary folder."""
    url = settings.resolved_database_url
    await upgrade_async(url)
    engine = make_engine(url)
    yield make_sessionmaker(engine)
    await engine.dispose()


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
