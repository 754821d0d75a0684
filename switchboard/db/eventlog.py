"""The append-only event log. Per conversation, ids only grow and are the SSE `id:`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from switchboard.db.models import Conversation, Event


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
    result = await session.execute(
        update(Conversation)
        .where(Conversation.id == conversation_id)
        .values(last_event_id=Conversation.last_event_id + 1)
        .returning(Conversation.last_event_id)
    )
    seq = result.scalar_one()
    session.add(
        Event(conversation_id=conversation_id, seq=seq, turn_id=turn_id, type=type, data=data)
    )
    return StoredEvent(conversation_id, seq, type, data, turn_id)


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
