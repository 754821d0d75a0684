"""Fixtures shared by every test package: isolated settings and a migrated database."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker

from switchboard.db import make_engine, make_sessionmaker
from switchboard.db.migrate import upgrade_async
from switchboard.settings import Settings, get_settings, load_settings


@pytest.fixture(autouse=True)
def _isolated_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No test reads the developer's .env or writes into ./var."""
    for key in list(os.environ):
        if key.startswith("SWITCHBOARD_"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("SWITCHBOARD_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.chdir(tmp_path)
    get_settings.cache_clear()
    yield
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
