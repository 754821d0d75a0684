"""The few reads and writes the API does itself: transcripts, feedback, the demo outbox."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import async_sessionmaker

from api.schemas import OutboxItem, Transcript, TranscriptMessage
from switchboard.db.models import Conversation, Feedback, Message, OutboxMessage


async def read_transcript(
    sessionmaker: async_sessionmaker[Any], conversation_id: str
) -> Transcript:
    async with sessionmaker() as session:
        conversation = await session.get(Conversation, conversation_id)
        rows = await session.scalars(
            select(Message).where(Message.conversation_id == conversation_id).order_by(Message.id)
        )
        messages = [
            TranscriptMessage(role=m.role, text=m.text, turn_id=m.turn_id, created_at=m.created_at)
            for m in rows
        ]
    assert conversation is not None  # ownership was checked by the caller
    return Transcript(
        conversation_id=conversation_id,
        status=conversation.status,
        last_event_id=conversation.last_event_id,
        messages=messages,
    )


async def save_feedback(
    sessionmaker: async_sessionmaker[Any],
    *,
    conversation_id: str,
    rating: int,
    turn_id: str | None,
    comment: str | None,
) -> int:
    async with sessionmaker() as session, session.begin():
        row = Feedback(
            conversation_id=conversation_id, rating=rating, turn_id=turn_id, comment=comment
        )
        session.add(row)
        await session.flush()
        return row.id


async def demo_outbox(sessionmaker: async_sessionmaker[Any], *, msisdn: str) -> list[OutboxItem]:
    async with sessionmaker() as session:
        rows = await session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.recipient == msisdn)
            .order_by(OutboxMessage.id.desc())
            .limit(20)
        )
        return [
            OutboxItem(kind=r.kind, text=str(r.payload.get("text", "")), created_at=r.created_at)
            for r in rows
        ]
