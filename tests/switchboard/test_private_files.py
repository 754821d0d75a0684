"""Secrets and databases are readable by their owner only, from the moment they exist."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from bss.store import make_bss_engine
from switchboard.db.engine import make_engine
from switchboard.settings import load_settings


@pytest.fixture
def open_umask() -> Iterator[None]:
    old = os.umask(0o022)  # the usual umask: files would be 0644
    try:
        yield
    finally:
        os.umask(old)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_demo_secrets_are_created_0600_with_no_window(
    tmp_path: Path, open_umask: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    chmods: list[Any] = []
    real_chmod = os.chmod
    monkeypatch.setattr(Path, "chmod", lambda self, *a, **k: chmods.append(self))
    monkeypatch.setattr(
        os, "chmod", lambda path, *a, **k: chmods.append(path) or real_chmod(path, *a, **k)
    )
    settings = load_settings(data_dir=tmp_path / "var")
    first = settings.resolved_token_secret()
    settings.resolved_console_token()
    for name in ("token-secret", "console-token"):
        assert _mode(tmp_path / "var" / name) == 0o600
    assert chmods == []  # created private, not made private afterwards
    assert settings.resolved_token_secret() == first  # kept, not rewritten


@pytest.mark.parametrize("maker", [make_engine, make_bss_engine])
async def test_sqlite_files_are_0600(tmp_path: Path, open_umask: None, maker: Any) -> None:
    path = tmp_path / "var" / "db.sqlite"
    engine = maker(f"sqlite+aiosqlite:///{path}")
    try:
        async with engine.begin() as conn:
            await conn.execute(text("PRAGMA journal_mode=WAL"))
            await conn.execute(text("CREATE TABLE t (x INTEGER)"))
            await conn.execute(text("INSERT INTO t VALUES (1)"))
        files = [path, Path(f"{path}-wal"), Path(f"{path}-shm")]
        assert [p.exists() for p in files] == [True, True, True]
        assert [_mode(p) for p in files] == [0o600, 0o600, 0o600]
    finally:
        await engine.dispose()


async def test_an_existing_world_readable_database_is_tightened(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    path.touch()
    path.chmod(0o644)
    engine = make_engine(f"sqlite+aiosqlite:///{path}")
    await engine.dispose()
    assert _mode(path) == 0o600
