"""The persistence suite: the same tests on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import inspect, select
from sqlalchemy.exc import IntegrityError

from switchboard import clock
from switchboard.db import make_engine, make_sessionmaker
from switchboard.db.eventlog import append_event, events_after
from switchboard.db.migrate import alembic_config, downgrade, upgrade
from switchboard.db.models import Conversation, Message, PendingAction

EXPECTED_TABLES = {
    "conversations",
    "messages",
    "events",
    "turns",
    "pending_actions",
    "audit_log",
    "handoffs",
    "outbox",
    "surveys",
    "feedback",
    "inbound_receipts",
    "otp_challenges",
}


async def _tables(url: str) -> set[str]:
    engine = make_engine(url)
    async with engine.connect() as connection:
        names = await connection.run_sync(lambda c: set(inspect(c).get_table_names()))
    await engine.dispose()
    return names


async def test_migrations_go_from_empty_to_head_and_one_step_down_and_up(database_url: str) -> None:
    assert not (await _tables(database_url)) & EXPECTED_TABLES
    await asyncio.to_thread(upgrade, database_url)
    assert EXPECTED_TABLES <= await _tables(database_url)

    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config(database_url))
    head = script.get_revision("head")
    assert head is not None
    await asyncio.to_thread(downgrade, database_url, "-1")
    after_down = await _tables(database_url)
    if head.down_revision is None:
        assert not after_down & EXPECTED_TABLES
    await asyncio.to_thread(upgrade, database_url)
    assert EXPECTED_TABLES <= await _tables(database_url)


async def test_event_ids_only_grow_and_are_unique_under_concurrent_writers(
    database_url: str,
) -> None:
    await asyncio.to_thread(upgrade, database_url)
    engine = make_engine(database_url)
    sessions = make_sessionmaker(engine)
    async with sessions() as session, session.begin():
        session.add(Conversation(id="conv-1"))

    async def write(i: int) -> int:
        async with sessions() as session, session.begin():
            stored = await append_event(
                session, conversation_id="conv-1", type="token", data={"text": str(i)}
            )
            return stored.seq

    seqs = await asyncio.gather(*(write(i) for i in range(20)))
    assert sorted(seqs) == list(range(1, 21))
    async with sessions() as session:
        replay = await events_after(session, conversation_id="conv-1", after=15)
    assert [e.seq for e in replay] == [16, 17, 18, 19, 20]
    await engine.dispose()


async def test_a_client_message_id_is_stored_once_per_conversation(database_url: str) -> None:
    await asyncio.to_thread(upgrade, database_url)
    engine = make_engine(database_url)
    sessions = make_sessionmaker(engine)
    async with sessions() as session, session.begin():
        session.add(Conversation(id="conv-2"))
        session.add(
            Message(conversation_id="conv-2", role="customer", text="hi", client_message_id="m-1")
        )
    with pytest.raises(IntegrityError):
        async with sessions() as session, session.begin():
            session.add(
                Message(
                    conversation_id="conv-2", role="customer", text="hi", client_message_id="m-1"
                )
            )
    async with sessions() as session:
        rows = (await session.execute(select(Message))).scalars().all()
    assert len(rows) == 1
    await engine.dispose()


async def test_an_idempotency_key_belongs_to_one_pending_action(database_url: str) -> None:
    await asyncio.to_thread(upgrade, database_url)
    engine = make_engine(database_url)
    sessions = make_sessionmaker(engine)

    def action(key: str) -> PendingAction:
        return PendingAction(
            id=str(uuid.uuid4()),
            conversation_id="conv-3",
            customer_id="C1",
            tool="top_up",
            args={"amount": "10.00"},
            args_hash="h",
            amount=Decimal("10.00"),
            currency="GBP",
            summary="Top up £10.00",
            idempotency_key=key,
            expires_at=clock.now() + timedelta(minutes=10),
        )

    async with sessions() as session, session.begin():
        session.add(Conversation(id="conv-3"))
        session.add(action("topup:1"))
    with pytest.raises(IntegrityError):
        async with sessions() as session, session.begin():
            session.add(action("topup:1"))
    async with sessions() as session:
        stored = (await session.execute(select(PendingAction))).scalars().one()
    assert stored.amount == Decimal("10.00")
    await engine.dispose()
