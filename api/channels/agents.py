"""The human-agent side of a handoff: the queue, taking a conversation, replying, handing it
back to the assistant and closing it.

While a handoff is `waiting` or `assigned` the conversation's status is `handed_off` and the
conversation service routes the customer's messages to the agent, not the assistant."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import async_sessionmaker

from api.channels.delivery import Post, post_to_conversation
from switchboard.bus import EventBus
from switchboard.db.eventlog import StoredEvent
from switchboard.db.models import Conversation, HandoffRecord, Message, utcnow
from switchboard.errors import NotFoundError, SwitchboardError
from switchboard.redaction import mask_payment_data

OPEN = ("waiting", "assigned")
HANDED_BACK = "You're back with the assistant. Just type your question."
CLOSED = "This conversation is closed. Message us any time to start a new one."


class ConflictError(SwitchboardError):
    code = "conflict"
    customer_message = "Someone else is already handling that conversation."
    http_status = 409


class QueueItem(BaseModel):
    handoff_id: str
    conversation_id: str
    reason: str
    queue: str
    summary: str
    status: str
    agent: str | None
    created_at: datetime
    channel: str
    customer_id: str | None


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


def _item(h: HandoffRecord, c: Conversation) -> QueueItem:
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
    )


async def queue(
    sessionmaker: async_sessionmaker[Any], *, statuses: tuple[str, ...] = OPEN
) -> list[QueueItem]:
    """Open handoffs, oldest first (the longest wait at the top)."""
    async with sessionmaker() as session:
        rows = await session.execute(
            select(HandoffRecord, Conversation)
            .join(Conversation, Conversation.id == HandoffRecord.conversation_id)
            .where(HandoffRecord.status.in_(statuses))
            .order_by(HandoffRecord.created_at, HandoffRecord.id)
        )
        return [_item(h, c) for h, c in rows.all()]


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


async def _open_handoff(session: Any, conversation_id: str) -> HandoffRecord:
    handoff: HandoffRecord | None = await session.scalar(
        select(HandoffRecord)
        .where(HandoffRecord.conversation_id == conversation_id, HandoffRecord.status.in_(OPEN))
        .order_by(HandoffRecord.created_at.desc())
        .limit(1)
    )
    if handoff is None:
        raise NotFoundError(f"conversation {conversation_id} is not waiting for a person")
    return handoff


async def take(sessionmaker: async_sessionmaker[Any], conversation_id: str, agent: str) -> None:
    """Assign the conversation to `agent` (again, if it is already theirs); 409 if another
    agent has it. The conditional update makes two agents racing for it end with one owner."""
    async with sessionmaker() as session, session.begin():
        handoff = await _open_handoff(session, conversation_id)
        taken = await session.execute(
            update(HandoffRecord)
            .where(
                HandoffRecord.id == handoff.id,
                (HandoffRecord.status == "waiting")
                | ((HandoffRecord.status == "assigned") & (HandoffRecord.agent == agent)),
            )
            .values(status="assigned", agent=agent, assigned_at=utcnow())
        )
        if taken.rowcount != 1:  # type: ignore[attr-defined]
            raise ConflictError(f"conversation {conversation_id} belongs to another agent")
        await session.execute(
            update(Conversation)
            .where(Conversation.id == conversation_id)
            .values(status="handed_off", assigned_agent=agent)
        )


async def _require_owner(
    sessionmaker: async_sessionmaker[Any], conversation_id: str, agent: str
) -> None:
    async with sessionmaker() as session:
        handoff = await _open_handoff(session, conversation_id)
    if handoff.status != "assigned" or handoff.agent != agent:
        raise ConflictError(f"{agent} has not taken conversation {conversation_id}")


async def reply(
    sessionmaker: async_sessionmaker[Any],
    bus: EventBus,
    conversation_id: str,
    *,
    agent: str,
    text: str,
    on_outbox: Any = lambda: None,
) -> StoredEvent:
    """The agent's message: an `agent.message` event the widget streams live, a transcript
    line, and on a messaging channel an outbox message — one transaction."""
    await _require_owner(sessionmaker, conversation_id, agent)
    masked = mask_payment_data(text)
    post = Post(
        event="agent.message",
        data={"agent": agent, "text": masked},
        text=masked,
        kind="agent",
        dedupe_key=f"agent:{uuid.uuid4()}",
        role="agent",
    )
    return await post_to_conversation(sessionmaker, bus, conversation_id, post, on_outbox=on_outbox)


async def finish(
    sessionmaker: async_sessionmaker[Any],
    bus: EventBus,
    conversation_id: str,
    *,
    agent: str,
    close: bool,
    on_outbox: Any = lambda: None,
) -> StoredEvent:
    """Hand the conversation back to the assistant (`close=False`) or close it."""
    await _require_owner(sessionmaker, conversation_id, agent)
    status, conversation_status = ("closed", "closed") if close else ("returned", "active")

    async def settle(session: Any) -> None:
        await session.execute(
            update(HandoffRecord)
            .where(HandoffRecord.conversation_id == conversation_id, HandoffRecord.status.in_(OPEN))
            .values(status=status, closed_at=utcnow())
        )
        await session.execute(
            update(Conversation)
            .where(Conversation.id == conversation_id)
            .values(status=conversation_status, assigned_agent=None)
        )

    text = CLOSED if close else HANDED_BACK
    post = Post(
        event="notification",
        data={"kind": status, "text": text, "ref": agent},
        text=text,
        kind="notification",
        dedupe_key=f"{status}:{uuid.uuid4()}",
    )
    return await post_to_conversation(
        sessionmaker, bus, conversation_id, post, also=settle, on_outbox=on_outbox
    )
