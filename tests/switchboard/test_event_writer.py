"""The event log's group-committing writer, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import event as sa_event
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from switchboard.db import make_engine, make_sessionmaker
from switchboard.db.eventlog import EventWriter, events_after
from switchboard.db.migrate import upgrade
from switchboard.db.models import Conversation, Message


async def _setup(database_url: str, conversations: int) -> tuple[Any, Any]:
    await asyncio.to_thread(upgrade, database_url)
    engine = make_engine(database_url)
    sessions = make_sessionmaker(engine)
    async with sessions() as session, session.begin():
        for n in range(conversations):
            session.add(Conversation(id=f"conv-{n}"))
    return engine, sessions


def _count_commits(engine: Any) -> list[int]:
    """A one-item counter of the engine's commits, kept up to date."""
    commits = [0]

    def count(_conn: Any) -> None:
        commits[0] += 1

    sa_event.listen(engine.sync_engine, "commit", count)
    return commits


async def test_concurrent_appends_share_commits_and_keep_each_conversations_order(
    database_url: str,
) -> None:
    engine, sessions = await _setup(database_url, 10)
    commits = _count_commits(engine)
    writer = EventWriter(sessions)

    async def turn(n: int) -> list[int]:
        seqs = []
        for i in range(20):
            stored = await writer.append(
                conversation_id=f"conv-{n}", type="token", data={"text": str(i)}, turn_id=f"t{n}"
            )
            seqs.append(stored.seq)
        return seqs

    results = await asyncio.gather(*(turn(n) for n in range(10)))
    assert all(seqs == list(range(1, 21)) for seqs in results)
    assert commits[0] < 10 * 20 / 2  # shared: far fewer commits than events
    async with sessions() as session:
        for n in range(10):
            stored = await events_after(session, conversation_id=f"conv-{n}")
            assert [e.data["text"] for e in stored] == [str(i) for i in range(20)]
    await engine.dispose()


async def test_a_failing_event_fails_alone_and_side_effects_commit_with_their_event(
    database_url: str,
) -> None:
    engine, sessions = await _setup(database_url, 2)
    writer = EventWriter(sessions)

    async def broken(_session: AsyncSession) -> None:
        raise RuntimeError("side effect failed")

    async def message(session: AsyncSession) -> None:
        session.add(Message(conversation_id="conv-1", role="assistant", text="done"))

    good, bad, other = await asyncio.gather(
        writer.append(conversation_id="conv-0", type="token", data={"text": "a"}),
        writer.append(conversation_id="conv-0", type="token", data={}, side_effect=broken),
        writer.append(conversation_id="conv-1", type="done", data={}, side_effect=message),
        return_exceptions=True,
    )
    assert isinstance(bad, RuntimeError)
    assert not isinstance(good, BaseException) and good.seq == 1
    assert not isinstance(other, BaseException) and other.seq == 1
    async with sessions() as session:
        assert [e.seq for e in await events_after(session, conversation_id="conv-0")] == [1]
        texts = (await session.scalars(select(Message.text))).all()
        last = await session.scalar(
            select(Conversation.last_event_id).where(Conversation.id == "conv-0")
        )
    assert texts == ["done"]
    assert last == 1  # the failed event's id was rolled back with it: ids stay gapless
    await engine.dispose()


async def test_a_caller_cancelled_before_its_batch_writes_nothing(database_url: str) -> None:
    engine, sessions = await _setup(database_url, 1)
    writer = EventWriter(sessions)
    first = asyncio.ensure_future(
        writer.append(conversation_id="conv-0", type="token", data={"n": 1})
    )
    await asyncio.sleep(0)  # the first batch (event 1) is committing now
    second = asyncio.ensure_future(
        writer.append(conversation_id="conv-0", type="token", data={"n": 2})
    )
    await asyncio.sleep(0)
    second.cancel()
    assert (await first).seq == 1
    with pytest.raises(asyncio.CancelledError):
        await second
    third = await writer.append(conversation_id="conv-0", type="token", data={"n": 3})
    assert third.seq == 2
    async with sessions() as session:
        stored = await events_after(session, conversation_id="conv-0")
    assert [e.data["n"] for e in stored] == [1, 3]
    await engine.dispose()


async def test_events_of_one_conversation_queued_together_get_consecutive_ids_in_order(
    database_url: str,
) -> None:
    engine, sessions = await _setup(database_url, 2)
    commits = _count_commits(engine)
    writer = EventWriter(sessions)
    ran: list[int] = []

    async def effect(session: Any) -> None:
        ran.append(len(await events_after(session, conversation_id="conv-0")))

    stored = await asyncio.gather(  # all ten queued before the flusher runs: one batch
        *(
            writer.append(
                conversation_id=f"conv-{i % 2}",
                type="token",
                data={"text": str(i)},
                side_effect=effect if i == 4 else None,
            )
            for i in range(10)
        )
    )
    assert commits[0] == 1
    for n in range(2):
        mine = [s for s in stored if s.conversation_id == f"conv-{n}"]
        assert [s.seq for s in mine] == [1, 2, 3, 4, 5]
        assert [s.data["text"] for s in mine] == [str(i) for i in range(n, 10, 2)]
        async with sessions() as session:
            logged = await events_after(session, conversation_id=f"conv-{n}")
        assert [(e.seq, e.data) for e in logged] == [(s.seq, s.data) for s in mine]
    assert ran == [5]  # the side effect ran once, in the batch's transaction, after its events
    await engine.dispose()


async def test_after_a_failed_event_no_later_event_of_its_turn_is_stored(
    database_url: str,
) -> None:
    """A turn queues its events ahead of their commits (ADR 0053): when one fails, its later
    ones fail too — in the same batch and in a later one — so the log never has a turn's event
    stored behind a hole; other turns are untouched."""
    engine, sessions = await _setup(database_url, 2)
    writer = EventWriter(sessions)

    async def broken(_session: AsyncSession) -> None:
        raise RuntimeError("side effect failed")

    queued = [
        writer.submit(conversation_id="conv-0", type="a", data={}, turn_id="t1"),
        writer.submit(
            conversation_id="conv-0", type="b", data={}, turn_id="t1", side_effect=broken
        ),
        writer.submit(conversation_id="conv-0", type="c", data={}, turn_id="t1"),
        writer.submit(conversation_id="conv-1", type="x", data={}, turn_id="t2"),
    ]
    first, bad, after, other = await asyncio.gather(*queued, return_exceptions=True)
    assert not isinstance(first, BaseException) and first.seq == 1
    assert isinstance(bad, RuntimeError) and isinstance(after, RuntimeError)
    assert not isinstance(other, BaseException) and other.seq == 1
    with pytest.raises(RuntimeError):
        await writer.submit(conversation_id="conv-0", type="d", data={}, turn_id="t1")
    next_turn = await writer.append(conversation_id="conv-0", type="e", data={}, turn_id="t3")
    assert next_turn.seq == 2
    async with sessions() as session:
        logged = await events_after(session, conversation_id="conv-0")
    assert [(e.seq, e.type) for e in logged] == [(1, "a"), (2, "e")]
    await engine.dispose()
