"""What the desk reads about handoffs: the queue's rows (oldest first, each with its wait and
the customer's last line) and one conversation's transcript with its latest handoff."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from switchboard.db.models import OPEN_HANDOFF, Conversation, HandoffRecord, Message, utcnow
from switchboard.errors import NotFoundError


class QueueItem(BaseModel):
    handoff_id: str
    conversation_id: str
    reason: str
    queue: str
    summary: str
    status: str
    agent: str | None  # the owning agent's id
    created_at: datetime
    channel: str
    customer_id: str | None
    # what a desk row shows beside the reason (api/desk/queue.py fills the customer's name)
    customer_name: str | None = None
    wait_s: float = 0.0
    last_message: str | None = None
    escalated: bool = False


class Line(BaseModel):
    role: str
    text: str
    created_at: datetime


class ConversationView(BaseModel):
    conversation_id: str
    channel: str
    customer_id: str | None
    status: str
    assigned_agent: str | None
    handoff: QueueItem | None
    transcript: list[Line]


def _item(h: HandoffRecord, c: Conversation, last: str | None = None) -> QueueItem:
    now = utcnow()
    created = h.created_at if h.created_at.tzinfo else h.created_at.replace(tzinfo=now.tzinfo)
    return QueueItem(
        handoff_id=h.id,
        conversation_id=h.conversation_id,
        reason=h.reason,
        queue=h.queue,
        summary=h.summary,
        status=h.status,
        agent=h.agent,
        created_at=h.created_at,
        channel=c.channel,
        customer_id=c.customer_id,
        wait_s=max(0.0, (now - created).total_seconds()),
        last_message=last,
        escalated=h.escalated_at is not None,
    )


async def _last_customer_line(session: AsyncSession, conversation_id: str) -> str | None:
    text: str | None = await session.scalar(
        select(Message.text)
        .where(Message.conversation_id == conversation_id, Message.role == "customer")
        .order_by(Message.id.desc())
        .limit(1)
    )
    return text


async def queue(
    sessionmaker: async_sessionmaker[Any], *, statuses: tuple[str, ...] = OPEN_HANDOFF
) -> list[QueueItem]:
    """Open handoffs, oldest first (the longest wait at the top)."""
    async with sessionmaker() as session:
        rows = await session.execute(
            select(HandoffRecord, Conversation)
            .join(Conversation, Conversation.id == HandoffRecord.conversation_id)
            .where(HandoffRecord.status.in_(statuses))
            .order_by(HandoffRecord.created_at, HandoffRecord.id)
        )
        return [_item(h, c, await _last_customer_line(session, c.id)) for h, c in rows.all()]


async def view(sessionmaker: async_sessionmaker[Any], conversation_id: str) -> ConversationView:
    async with sessionmaker() as session:
        conversation = await session.get(Conversation, conversation_id)
        if conversation is None:
            raise NotFoundError(f"conversation {conversation_id} not found")
        handoff = await session.scalar(
            select(HandoffRecord)
            .where(HandoffRecord.conversation_id == conversation_id)
            .order_by(HandoffRecord.created_at.desc())
            .limit(1)
        )
        lines = await session.scalars(
            select(Message).where(Message.conversation_id == conversation_id).order_by(Message.id)
        )
        return ConversationView(
            conversation_id=conversation.id,
            channel=conversation.channel,
            customer_id=conversation.customer_id,
            status=conversation.status,
            assigned_agent=conversation.assigned_agent,
            handoff=_item(handoff, conversation) if handoff is not None else None,
            transcript=[Line(role=m.role, text=m.text, created_at=m.created_at) for m in lines],
        )
