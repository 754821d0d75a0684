"""The conversation service: the one entry point every channel uses.

handle_message: dedupe by client_message_id (a retry replays the stored turn), persist the
customer's message (masked) before any model runs, let a human answer a handed-off
conversation, otherwise run the turn and log every event (then publish it on the bus), and
store the assistant's message and the turn's outcome."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections import defaultdict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from assistant.events import AgentMessage, CustomerMessage
from assistant.guardrails import mask_sensitive
from assistant.handoff.policy import HandoffPolicy
from assistant.recorder import EventRecorder, SideEffect
from assistant.service.action_results import logged_result, sweep
from assistant.service.deps import AGENT_QUEUE, IdentityLike, ServiceDeps
from assistant.service.runner import TurnRunner
from switchboard.db.eventlog import EventWriter, StoredEvent, events_after
from switchboard.db.models import Conversation, Message
from switchboard.errors import BusyError, InvalidInputError, NotFoundError
from switchboard.settings import Settings
from tools.action_store import ActionInProgressError, get_action
from tools.recovery import UNFINISHED

log = logging.getLogger(__name__)
LOCAL_TURN_SLOTS = 4  # the local engine's turns are CPU on this process's one event loop
REMOTE_TURN_SLOTS = 64  # a remote model's turns mostly wait on the network


def _owns(identity: IdentityLike, row: Conversation) -> bool:
    """Signed in: the same customer. Anonymous: the same session or channel user."""
    if row.customer_id != identity.customer_id:
        return False
    if getattr(identity, "lines", None) is not None:  # a business line user: theirs alone
        return row.channel_user_id == getattr(identity, "channel_user_id", None)
    if identity.customer_id is not None:
        return not (row.channel_user_id or "").startswith("line:")
    if row.channel_user_id is None:
        return True
    keys = {getattr(identity, "channel_user_id", None), getattr(identity, "anonymous_id", None)}
    return row.channel_user_id in keys - {None}


def turn_slots(settings: Settings) -> int:
    """How many turns run at once in one process (`SWITCHBOARD_MAX_CONCURRENT_TURNS`, else by
    model). The local engine's turns share one event loop with the API: fifty at once take the
    same CPU as fifty in turn, but every turn reaches its first token only near the end, and every
    request of the API waits behind all of them (bench/api_bench.py)."""
    if settings.max_concurrent_turns:
        return settings.max_concurrent_turns
    return LOCAL_TURN_SLOTS if settings.llm == "local" else REMOTE_TURN_SLOTS


class ConversationService:
    def __init__(self, deps: ServiceDeps) -> None:
        if deps.events is None:
            deps.events = EventWriter(deps.sessionmaker)
        self.deps = deps
        self._locks: defaultdict[str, asyncio.Lock] = defaultdict(asyncio.Lock)
        self._slots = asyncio.Semaphore(turn_slots(deps.settings))  # first come, first served
        self._policy = HandoffPolicy(
            threshold=deps.settings.handoff_confidence_threshold,
            low_turns=deps.settings.handoff_low_confidence_turns,
        )

    async def start_conversation(self, identity: IdentityLike, channel: str | None = None) -> str:
        conversation_id = str(uuid.uuid4())
        async with self.deps.sessionmaker() as session, session.begin():
            session.add(
                Conversation(
                    id=conversation_id,
                    customer_id=identity.customer_id,
                    msisdn=identity.msisdn,
                    channel=channel or identity.channel,
                    channel_user_id=getattr(identity, "channel_user_id", None)
                    or getattr(identity, "anonymous_id", None),
                    verified=identity.verified,
                    segment=getattr(identity, "segment", None),
                    state={},
                )
            )
        return conversation_id

    async def _conversation(self, conversation_id: str, identity: IdentityLike) -> Conversation:
        async with self.deps.sessionmaker() as session:
            row: Conversation | None = await session.get(
                Conversation, conversation_id, populate_existing=True
            )
        if row is None or not _owns(identity, row):
            raise NotFoundError(f"conversation {conversation_id} not found for this identity")
        return row

    async def handle_message(
        self,
        conversation_id: str,
        identity: IdentityLike,
        text: str,
        client_message_id: str | None = None,
    ) -> AsyncIterator[StoredEvent]:
        """The turn's stored events, in order; a retried `client_message_id` replays them."""
        conversation = await self._conversation(conversation_id, identity)
        if client_message_id is not None and len(client_message_id) > 128:
            raise InvalidInputError("client_message_id is longer than 128 characters")
        masked = mask_sensitive(text)
        async with self._locks[conversation_id], self._turn_slot():
            turn_id = str(uuid.uuid4())
            recorder = EventRecorder(
                sessionmaker=self.deps.sessionmaker,
                bus=self.deps.bus,
                conversation_id=conversation_id,
                turn_id=turn_id,
                writer=self.deps.events,
            )
            event = CustomerMessage(text=masked, client_message_id=client_message_id)
            message = _customer_message(conversation_id, masked, turn_id, client_message_id)
            try:  # the message row commits with its event: one transaction, not two
                stored = await recorder.record(event.name, event.data(), side_effect=message)
            except IntegrityError:  # this client message was seen: nothing stored, replay it
                assert client_message_id is not None
                async for earlier in self._replay(conversation_id, client_message_id):
                    yield earlier
                return
            yield stored
            conversation = await self._conversation(conversation_id, identity)
            if conversation.status == "handed_off":
                await self.deps.bus.publish(
                    StoredEvent(AGENT_QUEUE, 0, event.name, event.data(), turn_id)
                )
                return
            runner = TurnRunner(self.deps, self._policy, recorder)
            async for stored in runner.run(conversation, identity, masked, turn_id):
                yield stored

    @asynccontextmanager
    async def _turn_slot(self) -> AsyncIterator[None]:
        """One of this process's turn slots, waited for in arrival order before anything of the
        turn is stored; `BusyError` (503, nothing stored, safe to resend) if none frees up within
        the turn timeout. Taken after the conversation's lock, so a turn never holds a slot
        while it waits for another turn of its conversation (docs/decisions/0012-turn-slots.md)."""
        try:
            async with asyncio.timeout(self.deps.turn_timeout_s):
                await self._slots.acquire()
        except TimeoutError:
            raise BusyError(f"no turn slot within {self.deps.turn_timeout_s:.0f} s") from None
        try:
            yield
        finally:
            self._slots.release()

    async def _replay(
        self, conversation_id: str, client_message_id: str, wait_s: float = 60.0
    ) -> AsyncIterator[StoredEvent]:
        """The stored events of the turn this client message started; if that turn is still
        running (a retry raced it), follow the log until it completes."""
        async with self.deps.sessionmaker() as session:
            turn_id = await session.scalar(
                select(Message.turn_id).where(
                    Message.conversation_id == conversation_id,
                    Message.client_message_id == client_message_id,
                )
            )
        after, deadline = 0, asyncio.get_running_loop().time() + wait_s
        while True:
            async with self.deps.sessionmaker() as session:
                batch = await events_after(session, conversation_id=conversation_id, after=after)
            for stored in batch:
                after = stored.seq
                if stored.turn_id == turn_id:
                    yield stored
                    if stored.type == "turn.completed":
                        return
            handed_off = await self._status(conversation_id) == "handed_off"
            if (handed_off and not batch) or asyncio.get_running_loop().time() > deadline:
                return
            await asyncio.sleep(0.05)

    async def _status(self, conversation_id: str) -> str | None:
        async with self.deps.sessionmaker() as session:
            status: str | None = await session.scalar(
                select(Conversation.status).where(Conversation.id == conversation_id)
            )
        return status

    def confirm_action(
        self, conversation_id: str, identity: IdentityLike, action_id: str
    ) -> AsyncIterator[StoredEvent]:
        """The widget's confirm button (CONTRACT §4): `action.executed` into the log."""
        return self._act(conversation_id, identity, action_id, "confirm")

    def cancel_action(
        self, conversation_id: str, identity: IdentityLike, action_id: str
    ) -> AsyncIterator[StoredEvent]:
        return self._act(conversation_id, identity, action_id, "cancel")

    async def _act(
        self, conversation_id: str, identity: IdentityLike, action_id: str, decision: str
    ) -> AsyncIterator[StoredEvent]:
        conversation = await self._conversation(conversation_id, identity)
        if self.deps.desk is None:
            raise NotFoundError("actions are not available")
        async with self._locks[conversation_id], self._turn_slot():
            action = await get_action(self.deps.sessionmaker, action_id)
            if (
                action is None
                or action.conversation_id != conversation_id
                or action.customer_id != identity.customer_id
            ):  # someone else's action: nothing is stored in the caller's conversation
                raise NotFoundError(f"action {action_id} not found for this conversation")
            if action.status in UNFINISHED:
                raise ActionInProgressError(action_id)
            if action.status != "proposed":  # decided before: replay its result, add nothing
                earlier = await logged_result(self.deps.sessionmaker, conversation_id, action)
                if earlier is not None:
                    yield earlier
                    return
            runner = TurnRunner(self.deps, self._policy, None)
            async for stored in runner.act(conversation, identity, action_id, decision):
                yield stored

    async def recover_actions(self, *, older_than_s: float) -> int:
        """The recovery sweep (assistant/service/action_results.py), under this service's locks."""
        return await sweep(self.deps, self._locks, older_than_s=older_than_s)

    async def post_agent_message(self, conversation_id: str, agent: str, text: str) -> StoredEvent:
        """A human agent's reply: stored and sent to every stream of the conversation."""
        masked = mask_sensitive(text)
        async with self.deps.sessionmaker() as session, session.begin():
            session.add(Message(conversation_id=conversation_id, role="agent", text=masked))
        event = AgentMessage(agent=agent, text=masked)
        recorder = EventRecorder(
            sessionmaker=self.deps.sessionmaker,
            bus=self.deps.bus,
            conversation_id=conversation_id,
            turn_id=None,
            writer=self.deps.events,
        )
        return await recorder.record(event.name, event.data())

    async def transcript(self, conversation_id: str) -> list[dict[str, Any]]:
        async with self.deps.sessionmaker() as session:
            rows = await session.scalars(
                select(Message)
                .where(Message.conversation_id == conversation_id)
                .order_by(Message.id)
            )
            return [
                {
                    "role": m.role,
                    "text": m.text,
                    "turn_id": m.turn_id,
                    "created_at": m.created_at.isoformat(),
                }
                for m in rows
            ]


def _customer_message(
    conversation_id: str, text: str, turn_id: str, client_message_id: str | None
) -> SideEffect:
    """The customer's message row, stored in the transaction of its `customer.message` event.
    A `client_message_id` seen before fails that transaction (IntegrityError): neither the row
    nor the event is stored, and the turn replays the earlier one."""

    async def effect(session: AsyncSession) -> None:
        session.add(
            Message(
                conversation_id=conversation_id,
                role="customer",
                text=text,
                turn_id=turn_id,
                client_message_id=client_message_id,
            )
        )
        await session.flush()

    return effect
