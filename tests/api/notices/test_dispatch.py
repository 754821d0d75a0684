"""Several notice workers at once on PostgreSQL share the queue (`FOR UPDATE SKIP LOCKED`):
every notice is sent exactly once — one notification event, one outbox row — whoever sent it."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from api.notices.audience import Target
from api.notices.dispatch import NoticeDispatcher
from api.notices.publish import publish
from switchboard.bus import InProcessBus
from switchboard.db import make_engine, make_sessionmaker
from switchboard.db.migrate import upgrade_async
from switchboard.db.models import Event, Notice, OutboxMessage
from switchboard.settings import load_settings
from tests.conftest import _postgres_database

pytestmark = pytest.mark.postgres
AT = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
NOTICES = 60


@pytest.fixture
def pg_url() -> Iterator[str]:
    yield from _postgres_database()


async def test_four_workers_send_each_notice_once(pg_url: str, tmp_path: Path) -> None:
    await upgrade_async(pg_url)
    engines = [make_engine(pg_url) for _ in range(4)]
    settings = load_settings(data_dir=tmp_path / "var", database_url=pg_url)
    try:
        sessionmaker = make_sessionmaker(engines[0])
        await publish(
            sessionmaker,
            [Target(f"cust-{n}", "sms", f"+447700900{n:03d}") for n in range(NOTICES)],
            kind="outage",
            ref="OUT-1",
            key="outage:OUT-1:opened",
            text="A problem in your area.",
            settings=settings,
            now=AT,
        )
        workers = [
            NoticeDispatcher(make_sessionmaker(engine), InProcessBus(), settings)
            for engine in engines
        ]
        sent = await asyncio.gather(*(w.dispatch_due(now=AT) for w in workers))
        assert sum(sent) == NOTICES
        assert sum(1 for n in sent if n > 0) >= 2  # the work was shared, not serialised
        async with sessionmaker() as session:
            statuses = list(await session.scalars(select(Notice.status)))
            rows = await session.scalar(select(func.count()).select_from(OutboxMessage))
            events = await session.scalar(
                select(func.count()).select_from(Event).where(Event.type == "notification")
            )
        assert statuses == ["sent"] * NOTICES and rows == NOTICES and events == NOTICES
    finally:
        for engine in engines:
            await engine.dispose()
