"""The append-only event log. Per conversation, ids only grow and are the SSE `id:`."""

from __future__ import annotations

import asyncio
import itertools
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Table, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from switchboard import telemetry
from switchboard.db.models import Conversation, Event, utcnow


@dataclass(frozen=True, slots=True)
class StoredEvent:
    conversation_id: str
    seq: int
    type: str
    data: dict[str, Any]
    turn_id: str | None = None


async def append_event(
    session: AsyncSession,
    *,
    conversation_id: str,
    type: str,
    data: dict[str, Any],
    turn_id: str | None = None,
) -> StoredEvent:
    """Append one event inside the caller's transaction and return it with its new id.

    The counter lives on the conversation row; the UPDATE takes that row's lock, so two writers
    never get the same id (on SQLite the database lock serialises them)."""
    [stored] = await _append_rows(session, conversation_id, [(type, data, turn_id)])
    # counted before the caller's commit: a rolled-back transaction may count an event twice
    telemetry.observe(type, data)
    return stored


_CONVERSATIONS = cast(Table, Conversation.__table__)
_EVENTS = cast(Table, Event.__table__)


async def _append_rows(
    session: AsyncSession,
    conversation_id: str,
    rows: Sequence[tuple[str, dict[str, Any], str | None]],
) -> list[StoredEvent]:
    """Append `rows` (type, data, turn id) to one conversation's log, in order: their ids come
    from one counter UPDATE and the rows go in with one INSERT. Core statements, not the ORM's
    bulk UPDATE (with its session synchronisation) and unit-of-work flush per event: the API
    bench's fake turn (events only) went from 91 to 58-66 ms of CPU per turn (ADR 0010)."""
    counter = _CONVERSATIONS.c.last_event_id
    result = await session.execute(
        update(_CONVERSATIONS)
        .where(_CONVERSATIONS.c.id == conversation_id)
        .values(last_event_id=counter + len(rows))
        .returning(counter)
    )
    first = result.scalar_one() - len(rows) + 1
    stored = [
        StoredEvent(conversation_id, first + i, type, data, turn_id)
        for i, (type, data, turn_id) in enumerate(rows)
    ]
    now = utcnow()
    await session.execute(
        insert(_EVENTS),
        [
            {
                "conversation_id": conversation_id,
                "seq": event.seq,
                "turn_id": event.turn_id,
                "type": event.type,
                "data": event.data,
                "created_at": now,
            }
            for event in stored
        ],
    )
    return stored


async def events_after(
    session: AsyncSession, *, conversation_id: str, after: int = 0, limit: int = 1000
) -> list[StoredEvent]:
    rows = await session.execute(
        select(Event)
        .where(Event.conversation_id == conversation_id, Event.seq > after)
        .order_by(Event.seq)
        .limit(limit)
    )
    return [
        StoredEvent(e.conversation_id, e.seq, e.type, e.data, e.turn_id) for e in rows.scalars()
    ]


_FAILED_TURNS_KEPT = 256  # a turn's later events reach the writer within moments of its failure

# Called inside the event's transaction, for state that must commit with it (handoff, turn row).
SideEffect = Callable[[AsyncSession], Awaitable[None]]


@dataclass(slots=True)
class _Append:
    conversation_id: str
    type: str
    data: dict[str, Any]
    turn_id: str | None
    side_effect: SideEffect | None
    done: asyncio.Future[StoredEvent]


class EventWriter:
    """Appends events with group commit: one transaction (one fsync) for every event queued
    while the previous commit ran, across all conversations of this process.

    `append` returns only after its event's transaction has committed, so the contract of the
    one-transaction-per-event recorder holds — what a caller has received (and published) is
    durable, and ids are assigned by the same counter UPDATE — while N concurrent turns cost one
    commit instead of N (SQLite has one writer and `synchronous=FULL` syncs every commit; on
    PostgreSQL it saves N-1 commit round trips). See docs/decisions/0010-event-log-group-commit.md.

    A batch is ordered by conversation (stable, so each conversation's events keep their order;
    row locks are taken in one order across replicas); each conversation's share of it takes its
    ids with one counter UPDATE and goes in with one INSERT, then its side effects run. If the
    batch fails, each of its events is retried alone, so one bad event (e.g. its side effect)
    fails only its own caller. A caller cancelled before its batch starts is dropped; one
    cancelled during the commit may still be stored, exactly as with a transaction of its own.
    """

    def __init__(self, sessionmaker: async_sessionmaker[Any], *, max_batch: int = 256) -> None:
        self._sessionmaker = sessionmaker
        self._max_batch = max_batch
        self._queue: list[_Append] = []
        self._flusher: asyncio.Task[None] | None = None
        # Turns one of whose events failed: their later events are failed too, never stored
        # behind the hole (a turn may have queued them before it learnt of the failure).
        self._failed_turns: OrderedDict[str, BaseException] = OrderedDict()

    async def append(
        self,
        *,
        conversation_id: str,
        type: str,
        data: dict[str, Any],
        turn_id: str | None = None,
        side_effect: SideEffect | None = None,
    ) -> StoredEvent:
        return await self.submit(
            conversation_id=conversation_id,
            type=type,
            data=data,
            turn_id=turn_id,
            side_effect=side_effect,
        )

    def submit(
        self,
        *,
        conversation_id: str,
        type: str,
        data: dict[str, Any],
        turn_id: str | None = None,
        side_effect: SideEffect | None = None,
    ) -> asyncio.Future[StoredEvent]:
        """Queue an event and return at once: the future resolves when its transaction has
        committed. A turn queues its next event while the previous one commits, so the events
        it produces back to back share a commit (ADR 0053); the caller publishes and shows each
        only once its future is done, in order. Cancelling the future before its batch starts
        drops the event."""
        loop = asyncio.get_running_loop()
        item = _Append(conversation_id, type, data, turn_id, side_effect, loop.create_future())
        self._queue.append(item)
        if self._flusher is None or self._flusher.done():
            self._flusher = loop.create_task(self._drain(), name="eventlog-group-commit")
        return item.done

    async def _drain(self) -> None:
        while self._queue:
            batch = [item for item in self._queue[: self._max_batch] if not item.done.done()]
            del self._queue[: self._max_batch]
            batch = [item for item in batch if not self._after_failure(item)]
            if not batch:
                continue
            batch.sort(key=lambda item: item.conversation_id)
            try:
                stored = await self._commit(batch)
            except Exception:  # retried one by one below, so each failure stays its own
                await self._one_by_one(batch)
                continue
            except BaseException as exc:  # cancelled with the loop: release every waiter
                _fail(batch, exc)
                raise
            for item, event in zip(batch, stored, strict=True):
                _resolve(item, event)

    async def _commit(self, batch: list[_Append]) -> list[StoredEvent]:
        stored = []
        async with self._sessionmaker() as session, session.begin():
            for _, group in itertools.groupby(batch, key=lambda item: item.conversation_id):
                stored.extend(await _append_group(session, list(group)))
        return stored

    async def _one_by_one(self, batch: list[_Append]) -> None:
        for item in batch:
            if item.done.done() or self._after_failure(item):
                continue
            try:
                async with self._sessionmaker() as session, session.begin():
                    event = await _append_one(session, item)
            except Exception as exc:
                _fail([item], exc)
                if item.turn_id is not None:
                    self._failed_turns[item.turn_id] = exc
                    if len(self._failed_turns) > _FAILED_TURNS_KEPT:
                        self._failed_turns.popitem(last=False)
            except BaseException as exc:
                _fail(batch, exc)
                raise
            else:
                _resolve(item, event)

    def _after_failure(self, item: _Append) -> bool:
        """Fail `item` (True) if an earlier event of its turn failed."""
        failed = self._failed_turns.get(item.turn_id) if item.turn_id is not None else None
        if failed is None:
            return False
        _fail([item], failed)
        return True


async def _append_one(session: AsyncSession, item: _Append) -> StoredEvent:
    [stored] = await _append_group(session, [item])
    return stored


async def _append_group(session: AsyncSession, items: list[_Append]) -> list[StoredEvent]:
    """One conversation's queued events (in order), then their side effects in the same order."""
    rows = [(item.type, item.data, item.turn_id) for item in items]
    stored = await _append_rows(session, items[0].conversation_id, rows)
    for item in items:
        if item.side_effect is not None:
            await item.side_effect(session)
    return stored


def _resolve(item: _Append, event: StoredEvent) -> None:
    telemetry.observe(event.type, event.data)  # committed: count it (switchboard/telemetry.py)
    if not item.done.done():
        item.done.set_result(event)


def _fail(items: list[_Append], exc: BaseException) -> None:
    for item in items:
        if not item.done.done():
            if isinstance(exc, asyncio.CancelledError):
                item.done.cancel()
            else:
                item.done.set_exception(exc)
