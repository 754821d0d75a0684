"""Posting into a conversation from outside a turn (an agent's reply, a BSS notification):
the event, the transcript line and — on a messaging channel — the outbox row are written in
one transaction, then the event is published to the conversation's live streams."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.channels.fold import split_text
from api.channels.models import MESSAGING_CHANNELS
from api.channels.outbox import enqueue
from switchboard.bus import EventBus
from switchboard.db.eventlog import StoredEvent, append_event
from switchboard.db.models import Conversation, Message
from switchboard.errors import NotFoundError

InTransaction = Callable[[AsyncSession], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class Post:
    event: str  # the event's name (`agent.message`, `notification`)
    data: dict[str, Any]
    text: str  # what a phone receives
    kind: str  # outbox kind: agent | notification
    dedupe_key: str
    role: str | None = None  # a transcript line too (`agent`, `system`)
    extra: dict[str, Any] | None = None  # outbox payload beside the text (e.g. `choices`)


async def write_post(
    session: AsyncSession, conversation: Conversation, post: Post
) -> tuple[StoredEvent, bool]:
    """Append `post` to `conversation` (and its channel's outbox) in the caller's transaction;
    the stored event (to publish after the commit) and whether an outbox row was written."""
    stored = await append_event(
        session, conversation_id=conversation.id, type=post.event, data=post.data
    )
    if post.role is not None:
        session.add(Message(conversation_id=conversation.id, role=post.role, text=post.text))
    messaging = bool(conversation.channel in MESSAGING_CHANNELS and conversation.channel_user_id)
    if messaging:
        for j, piece in enumerate(split_text(post.text, conversation.channel)):
            await enqueue(
                session,
                channel=conversation.channel,
                recipient=str(conversation.channel_user_id),
                kind=post.kind,
                text=piece,
                dedupe_key=f"{post.dedupe_key}:{j}",
                conversation_id=conversation.id,
                extra=post.extra,
            )
    return stored, messaging


async def post_to_conversation(
    sessionmaker: async_sessionmaker[Any],
    bus: EventBus,
    conversation_id: str,
    post: Post,
    *,
    also: InTransaction | None = None,
    on_outbox: Callable[[], None] = lambda: None,
) -> StoredEvent:
    """Append `post` to the conversation (and its channel's outbox), then publish it.
    `also` runs in the same transaction (e.g. the dedupe receipt of a BSS event)."""
    async with sessionmaker() as session, session.begin():
        conversation = await session.get(Conversation, conversation_id)
        if conversation is None:
            raise NotFoundError(f"conversation {conversation_id} not found")
        if also is not None:
            await also(session)
        stored, messaging = await write_post(session, conversation, post)
    await bus.publish(stored)
    if messaging:
        on_outbox()
    return stored
