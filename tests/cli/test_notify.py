"""`switchboard notify outage --dry-run` prints the audience; the real run then reports (and
records) the same numbers — at an injected instant, over the built-in simulator."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

from sqlalchemy import select

from api.notices.standing import set_consent, set_preference
from cli.notify import parts
from switchboard.db.models import Notice
from switchboard.settings import get_settings

AT = "2026-11-26T19:30:00Z"  # 04:30 in Tokyo, where Harry lives for this test
ARGS = ("notify", "outage", "OUT-9001", "--title", "No mobile data", "--at", AT)
DISTRICTS = [arg for d in ("M1", "M14", "M20", "B1", "B15") for arg in ("--district", d)]


def _switchboard(*argv: str) -> str:
    result = subprocess.run(
        [sys.executable, "-c", "from cli.main import main; main()", *argv],
        env={**os.environ, "COLUMNS": "200"},
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


async def _prepare() -> None:
    async with parts(get_settings(), with_bss=False) as found:
        async with found.sessionmaker() as session, session.begin():
            await set_consent(
                session,
                subject="cust-006",
                category="service",
                channel="*",
                granted=False,
                source="test",
            )
            await set_preference(
                session, customer_id="cust-010", channel=None, time_zone="Asia/Tokyo"
            )


async def _recorded() -> Counter[str]:
    async with parts(get_settings(), with_bss=False) as found, found.sessionmaker() as session:
        return Counter(await session.scalars(select(Notice.status)))


def test_dry_run_prints_the_audience_the_real_run_reaches(tmp_path: Path) -> None:
    assert os.environ["SWITCHBOARD_DATA_DIR"].startswith(str(tmp_path))
    asyncio.run(_prepare())
    dry = _switchboard(*ARGS, *DISTRICTS, "--dry-run")
    assert dry == (
        "outage OUT-9001: 5 customers; would notify 3 now, 1 deferred (quiet hours), "
        "1 suppressed (opted_out: 1), 0 already notified"
    )
    assert asyncio.run(_recorded()) == Counter()
    real = _switchboard(*ARGS, *DISTRICTS)
    assert real == dry.replace("would notify", "notified")
    assert asyncio.run(_recorded()) == Counter(pending=3, deferred=1, suppressed=1)
