"""Start-up migrations of several processes at once (`switchboard serve --workers 2` on an empty
database; replicas starting together): one migrates, the others wait and find the database at
head. Found by bench/http_bench.py: two workers collided on an empty PostgreSQL database."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys

from sqlalchemy import text

from switchboard.db import make_engine

MIGRATE = "import sys; from switchboard.db.migrate import upgrade; upgrade(sys.argv[1])"


def _start_three(url: str) -> list[tuple[int, str]]:
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    starts = [
        subprocess.Popen(
            [sys.executable, "-c", MIGRATE, url],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    errors = [p.communicate(timeout=120)[1] for p in starts]
    return [(p.returncode, error[-600:]) for p, error in zip(starts, errors, strict=True)]


async def test_processes_starting_at_once_migrate_once(database_url: str) -> None:
    outcomes = await asyncio.to_thread(_start_three, database_url)
    assert [code for code, _ in outcomes] == [0, 0, 0], outcomes
    engine = make_engine(database_url)
    try:
        async with engine.connect() as connection:
            versions = await connection.execute(text("SELECT version_num FROM alembic_version"))
            heads = [row[0] for row in versions]
    finally:
        await engine.dispose()
    assert len(heads) == 1
