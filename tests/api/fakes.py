"""A small fake ConversationService for the API's tests (until and beside the real turn loop).

It writes real rows and real events (the event log, the messages table) to the test's database and
publishes each committed event on the bus, as the real service does. Its turns are scripted by
keywords: "top up £N" proposes a top-up, "balance" answers from a per-customer balance, anything
else is a knowledge answer with a retrieval, tokens and a citation. `model_calls` counts turns
that reached the "model", so tests can prove a request was refused before it."""

from __future__ import annotations

import asyncio
import os
import re
import uuid
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from typing import Any

from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import async_sessionmaker

from api.app import create_app
from api.auth import Identity
from api.runtime import ApiRuntime
from switchboard import clock
from switchboard.bus import EventBus, InProcessBus
from switchboard.db import make_engine, make_sessionmaker
from switchboard.db.eventlog import EventWriter, StoredEvent, events_after
from switchboard.db.migrate import upgrade_async
from switchboard.db.models import Conversation, Message
from switchboard.errors import NotFoundError
from switchboard.redis_bus import RedisBus
from switchboard.settings import Settings, load_settings

ANSWER = (
    "You can top up online, in the app, by text or at any PayPoint. "
    "Top-ups go from £5 to £50, and at most £100 a day."
)
CITATION = {
    "doc_id": "kb-top-up-methods",
    "title": "Ways to top up",
    "url": "/kb/kb-top-up-methods",
}


@dataclass
class _Action:
    action_id: str
    conversation_id: str
    customer_id: str
    amount: Decimal
    status: str = "proposed"


@dataclass
class FakeService:
    sessionmaker: async_sessionmaker[Any]
    bus: EventBus
    token_delay_s: float = 0.0
    model_calls: int = 0
    balances: dict[str, Decimal] = field(default_factory=dict)
    actions: dict[str, _Action] = field(default_factory=dict)
    writer: EventWriter | None = None

    def __post_init__(self) -> None:
        self.writer = self.writer or EventWriter(self.sessionmaker)

    async def start_conversation(self, identity: Identity) -> str:
        conversation_id = str(uuid.uuid4())
        async with self.sessionmaker() as session, session.begin():
            session.add(
                Conversation(
                    id=conversation_id,
                    customer_id=identity.customer_id,
                    msisdn=identity.msisdn,
                    channel=identity.channel,
                    channel_user_id=identity.anonymous_id,
                    verified=identity.verified,
                )
            )
        return conversation_id

    async def emit(
        self, conversation_id: str, type: str, data: dict[str, Any], turn_id: str | None = None
    ) -> StoredEvent:
        """Append, commit, then publish — the order (and the group-committing writer) the real
        service keeps."""
        assert self.writer is not None
        event = await self.writer.append(
            conversation_id=conversation_id, type=type, data=data, turn_id=turn_id
        )
        await self.bus.publish(event)
        return event

    async def _message(
        self, conversation_id: str, role: str, text: str, turn_id: str, cmid: str | None = None
    ) -> None:
        async with self.sessionmaker() as session, session.begin():
            session.add(
                Message(
                    conversation_id=conversation_id,
                    role=role,
                    text=text,
                    turn_id=turn_id,
                    client_message_id=cmid,
                )
            )

    async def handle_message(
        self, conversation_id: str, identity: Identity, text: str, client_message_id: str
    ) -> AsyncIterator[StoredEvent]:
        turn_id = str(uuid.uuid4())
        try:
            await self._message(conversation_id, "customer", text, turn_id, client_message_id)
        except IntegrityError:  # a retried POST: replay the original turn, run nothing
            async for event in self._replay(conversation_id, client_message_id):
                yield event
            return
        self.model_calls += 1
        yield await self.emit(
            conversation_id,
            "turn.started",
            {"turn_id": turn_id, "conversation_id": conversation_id},
            turn_id,
        )
        async for event in self._script(conversation_id, identity, text, turn_id):
            yield event

    async def _replay(self, conversation_id: str, cmid: str) -> AsyncIterator[StoredEvent]:
        async with self.sessionmaker() as session:
            turn_id = await session.scalar(
                select(Message.turn_id).where(
                    Message.conversation_id == conversation_id,
                    Message.client_message_id == cmid,
                )
            )
            events = await events_after(session, conversation_id=conversation_id)
        for event in events:
            if event.turn_id == turn_id:
                yield event

    async def _script(
        self, cid: str, identity: Identity, text: str, turn_id: str
    ) -> AsyncIterator[StoredEvent]:
        lowered = text.lower()
        top_up = re.search(r"top ?up\D*(\d+)", lowered)
        if (top_up or "balance" in lowered) and identity.customer_id is None:
            reply, capability, outcome, cites = (
                "Please sign in so I can help with your account.",
                "balance_usage",
                "refused",
                [],
            )
        elif top_up and identity.customer_id is not None:
            amount = Decimal(top_up.group(1))
            action = _Action(str(uuid.uuid4()), cid, identity.customer_id, amount)
            self.actions[action.action_id] = action
            yield await self.emit(
                cid,
                "action.proposed",
                {
                    "action_id": action.action_id,
                    "tool": "top_up",
                    "args": {"amount": float(amount)},
                    "summary": f"Top up £{amount:.2f} to {identity.msisdn} from your card.",
                    "amount": float(amount),
                    "currency": "GBP",
                    "expires_at": (clock.now() + timedelta(minutes=10)).isoformat(),
                },
                turn_id,
            )
            reply, capability, outcome, cites = (
                f"I can top up £{amount:.2f}. Please confirm.",
                "top_up",
                "proposed",
                [],
            )
        elif "balance" in lowered and identity.customer_id is not None:
            reply = f"Your credit is £{self._balance(identity.customer_id):.2f}."
            capability, outcome, cites = "balance_usage", "answered", []
        else:
            yield await self.emit(
                cid,
                "retrieval",
                {
                    "passages": [
                        {"doc_id": CITATION["doc_id"], "title": CITATION["title"], "score": 0.9}
                    ]
                },
                turn_id,
            )
            reply, capability, outcome, cites = ANSWER, "faq", "answered", [CITATION]
        async for event in self._say(cid, turn_id, reply, capability, outcome, cites):
            yield event

    async def _say(
        self,
        cid: str,
        turn_id: str,
        reply: str,
        capability: str,
        outcome: str,
        citations: list[dict[str, str]],
    ) -> AsyncIterator[StoredEvent]:
        for piece in re.findall(r"\S+\s*", reply):
            if self.token_delay_s:
                await asyncio.sleep(self.token_delay_s)
            yield await self.emit(cid, "token", {"text": piece}, turn_id)
        for citation in citations:
            yield await self.emit(cid, "citation", citation, turn_id)
        await self._message(cid, "assistant", reply, turn_id)
        yield await self.emit(
            cid,
            "turn.completed",
            {
                "turn_id": turn_id,
                "text": reply,
                "capability": capability,
                "outcome": outcome,
                "confidence": 0.9,
                "tools": [],
                "citations": [c["doc_id"] for c in citations],
                "usage": {"prompt_tokens": 10, "completion_tokens": 5},
                "latency_ms": 1,
            },
            turn_id,
        )

    def _balance(self, customer_id: str) -> Decimal:
        return self.balances.setdefault(customer_id, Decimal("7.50"))

    def _action(self, cid: str, identity: Identity, action_id: str) -> _Action:
        action = self.actions.get(action_id)
        if (
            action is None
            or action.conversation_id != cid
            or action.customer_id != identity.customer_id
        ):
            raise NotFoundError(f"no action {action_id}")
        return action

    async def confirm_action(
        self, conversation_id: str, identity: Identity, action_id: str
    ) -> AsyncIterator[StoredEvent]:
        action = self._action(conversation_id, identity, action_id)
        turn_id = str(uuid.uuid4())
        if action.status != "proposed":  # exactly once: a second confirm changes nothing
            yield StoredEvent(
                conversation_id,
                0,
                "action.executed",
                {
                    "action_id": action_id,
                    "tool": "top_up",
                    "status": action.status,
                    "receipt": None,
                },
            )
            return
        action.status = "ok"
        self.balances[action.customer_id] = self._balance(action.customer_id) + action.amount
        new_balance = self.balances[action.customer_id]
        yield await self.emit(
            conversation_id,
            "action.executed",
            {
                "action_id": action_id,
                "tool": "top_up",
                "status": "ok",
                "receipt": {"amount": float(action.amount), "new_balance": float(new_balance)},
            },
            turn_id,
        )
        reply = f"Done: your new balance is £{new_balance:.2f}."
        async for event in self._say(conversation_id, turn_id, reply, "top_up", "acted", []):
            yield event

    async def cancel_action(
        self, conversation_id: str, identity: Identity, action_id: str
    ) -> AsyncIterator[StoredEvent]:
        action = self._action(conversation_id, identity, action_id)
        if action.status == "proposed":
            action.status = "cancelled"
        yield await self.emit(
            conversation_id,
            "action.executed",
            {"action_id": action_id, "tool": "top_up", "status": action.status, "receipt": None},
        )

    async def post_agent_message(self, conversation_id: str, agent: str, text: str) -> StoredEvent:
        return await self.emit(conversation_id, "agent.message", {"agent": agent, "text": text})


@asynccontextmanager
async def fake_runtime(
    settings: Settings, *, token_delay_s: float = 0.0
) -> AsyncIterator[ApiRuntime]:
    """A runtime with the fake service; a Redis bus when `settings.redis_url` is set."""
    engine = make_engine(settings.resolved_database_url)
    sessionmaker = make_sessionmaker(engine)
    try:
        async with AsyncExitStack() as stack:
            bus: EventBus = InProcessBus()
            if settings.redis_url:
                bus = await stack.enter_async_context(RedisBus.connect(settings.redis_url))
            service = FakeService(sessionmaker, bus, token_delay_s=token_delay_s)
            yield ApiRuntime(sessionmaker=sessionmaker, bus=bus, service=service)
    finally:
        await engine.dispose()


@asynccontextmanager
async def _migrated(settings: Settings, token_delay_s: float) -> AsyncIterator[ApiRuntime]:
    await upgrade_async(settings.resolved_database_url)
    async with fake_runtime(settings, token_delay_s=token_delay_s) as runtime:
        yield runtime


def create_fake_app() -> FastAPI:
    """`uvicorn --factory tests.api.fakes:create_fake_app` for servers in subprocesses
    (settings from SWITCHBOARD_* variables; FAKE_TOKEN_DELAY_S slows the replies)."""
    settings = load_settings()
    delay = float(os.environ.get("FAKE_TOKEN_DELAY_S", "0"))
    return create_app(settings, runtime=_migrated(settings, delay))
