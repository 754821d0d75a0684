"""The human-agent side of a handoff: taking a conversation, replying, handing it back to the
assistant, closing it and (supervisors) reassigning it. What the desk reads is api/desk/views.py.

While a handoff is `waiting` or `assigned` the conversation's status is `handed_off` and the
conversation service routes the customer's messages to the agent, not the assistant. Every desk
action is written to the audit log with the agent's id (`actor` = `agent:<id>`) and announced on
the bus's agent channel, so every open desk redraws its queue at once."""

from __future__ import annotations

import uuid
from typing import Any, Protocol

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.channels.delivery import Post, post_to_conversation
from assistant.service.deps import AGENT_QUEUE
from switchboard.bus import EventBus
from switchboard.db.eventlog import StoredEvent
from switchboard.db.models import OPEN_HANDOFF, Conversation, HandoffRecord, utcnow
from switchboard.errors import NotFoundError, SwitchboardError
from switchboard.redaction import mask_payment_data
from tools import audit

HANDED_BACK = "You're back with the assistant. Just type your question."
CLOSED = "This conversation is closed. Message us any time to start a new one."


class ConflictError(SwitchboardError):
    code = "conflict"
    customer_message = "Someone else is already handling that conversation."
    http_status = 409


class Actor(Protocol):
    """The signed-in agent a desk action is done by (api/desk/accounts.AgentOut)."""

    @property
    def id(self) -> str: ...

    @property
    def name(self) -> str: ...


DESK_CHANGED = "desk.changed"


async def announce(bus: EventBus, conversation_id: str, what: str) -> None:
    """Tell every open desk that the queue changed (the bus's agent channel)."""
    data = {"conversation_id": conversation_id, "what": what}
    await bus.publish(StoredEvent(AGENT_QUEUE, 0, DESK_CHANGED, data))


def _audit(
    session: AsyncSession, agent: Actor, event: audit.AuditEvent, conversation: Conversation
) -> None:
    audit.record(
        session,
        actor=f"agent:{agent.id}",
        event=event,
        customer_id=conversation.customer_id,
        conversation_id=conversation.id,
    )


async def _open_handoff(session: Any, conversation_id: str) -> HandoffRecord:
    handoff: HandoffRecord | None = await session.scalar(
        select(HandoffRecord)
        .where(
            HandoffRecord.conversation_id == conversation_id, HandoffRecord.status.in_(OPEN_HANDOFF)
        )
        .order_by(HandoffRecord.created_at.desc())
        .limit(1)
    )
    if handoff is None:
        raise NotFoundError(f"conversation {conversation_id} is not waiting for a person")
    return handoff


async def _assign(
    session: AsyncSession,
    conversation_id: str,
    handoff: HandoffRecord,
    agent_id: str,
    condition: Any,
) -> bool:
    """Give the open handoff to `agent_id` if `condition` still holds — one conditional UPDATE,
    so of two agents racing for it exactly one sees its row changed."""
    taken = await session.execute(
        update(HandoffRecord)
        .where(HandoffRecord.id == handoff.id, HandoffRecord.status.in_(OPEN_HANDOFF), condition)
        .values(status="assigned", agent=agent_id, assigned_at=utcnow())
    )
    if taken.rowcount != 1:  # type: ignore[attr-defined]
        return False
    await session.execute(
        update(Conversation)
        .where(Conversation.id == conversation_id)
        .values(status="handed_off", assigned_agent=agent_id)
    )
    return True


async def take(
    sessionmaker: async_sessionmaker[Any], bus: EventBus, conversation_id: str, agent: Actor
) -> None:
    """Assign the conversation to `agent` (again, if it is already theirs); 409 if another
    agent has it. Two agents racing for it end with one owner."""
    async with sessionmaker() as session, session.begin():
        handoff = await _open_handoff(session, conversation_id)
        mine_or_free = (HandoffRecord.status == "waiting") | (
            (HandoffRecord.status == "assigned") & (HandoffRecord.agent == agent.id)
        )
        if not await _assign(session, conversation_id, handoff, agent.id, mine_or_free):
            raise ConflictError(f"conversation {conversation_id} belongs to another agent")
        conversation = await session.get(Conversation, conversation_id)
        assert conversation is not None
        _audit(session, agent, "agent_take", conversation)
    await announce(bus, conversation_id, "taken")


async def reassign(
    sessionmaker: async_sessionmaker[Any],
    bus: EventBus,
    conversation_id: str,
    *,
    supervisor: Actor,
    to: str,
) -> None:
    """A supervisor gives the open conversation to agent `to`, whoever had it."""
    async with sessionmaker() as session, session.begin():
        handoff = await _open_handoff(session, conversation_id)
        if not await _assign(session, conversation_id, handoff, to, HandoffRecord.id.is_not(None)):
            raise ConflictError(f"conversation {conversation_id} changed meanwhile")
        conversation = await session.get(Conversation, conversation_id)
        assert conversation is not None
        audit.record(
            session,
            actor=f"agent:{supervisor.id}",
            event="agent_reassign",
            customer_id=conversation.customer_id,
            conversation_id=conversation_id,
            args={"from": handoff.agent, "to": to},
        )
    await announce(bus, conversation_id, "reassigned")


async def _require_owner(
    sessionmaker: async_sessionmaker[Any], conversation_id: str, agent_id: str
) -> None:
    async with sessionmaker() as session:
        handoff = await _open_handoff(session, conversation_id)
    if handoff.status != "assigned" or handoff.agent != agent_id:
        raise ConflictError(f"{agent_id} has not taken conversation {conversation_id}")


async def reply(
    sessionmaker: async_sessionmaker[Any],
    bus: EventBus,
    conversation_id: str,
    *,
    agent: Actor,
    text: str,
    on_outbox: Any = lambda: None,
) -> StoredEvent:
    """The agent's message: an `agent.message` event the widget streams live, a transcript
    line, and on a messaging channel an outbox message — one transaction."""
    await _require_owner(sessionmaker, conversation_id, agent.id)
    masked = mask_payment_data(text)

    async def record(session: Any) -> None:
        conversation = await session.get(Conversation, conversation_id)
        _audit(session, agent, "agent_reply", conversation)

    post = Post(
        event="agent.message",
        data={"agent": agent.name, "text": masked, "agent_id": agent.id},
        text=masked,
        kind="agent",
        dedupe_key=f"agent:{uuid.uuid4()}",
        role="agent",
    )
    stored = await post_to_conversation(
        sessionmaker, bus, conversation_id, post, also=record, on_outbox=on_outbox
    )
    await announce(bus, conversation_id, "replied")
    return stored


async def finish(
    sessionmaker: async_sessionmaker[Any],
    bus: EventBus,
    conversation_id: str,
    *,
    agent: Actor,
    close: bool,
    on_outbox: Any = lambda: None,
) -> StoredEvent:
    """Hand the conversation back to the assistant (`close=False`) or close it."""
    await _require_owner(sessionmaker, conversation_id, agent.id)
    status, conversation_status = ("closed", "closed") if close else ("returned", "active")

    async def settle(session: Any) -> None:
        await session.execute(
            update(HandoffRecord)
            .where(
                HandoffRecord.conversation_id == conversation_id,
                HandoffRecord.status.in_(OPEN_HANDOFF),
            )
            .values(status=status, closed_at=utcnow())
        )
        await session.execute(
            update(Conversation)
            .where(Conversation.id == conversation_id)
            .values(status=conversation_status, assigned_agent=None)
        )
        conversation = await session.get(Conversation, conversation_id)
        _audit(session, agent, "agent_close" if close else "agent_return", conversation)

    text = CLOSED if close else HANDED_BACK
    post = Post(
        event="notification",
        data={"kind": status, "text": text, "ref": agent.name},
        text=text,
        kind="notification",
        dedupe_key=f"{status}:{uuid.uuid4()}",
    )
    stored = await post_to_conversation(
        sessionmaker, bus, conversation_id, post, also=settle, on_outbox=on_outbox
    )
    await announce(bus, conversation_id, status)
    return stored
