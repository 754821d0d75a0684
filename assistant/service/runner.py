"""Runs one turn for the service: builds the context (memory, pending action, tools), streams
`run_turn`'s events into the log, and stores what the turn leaves behind in the same
transaction as its last event (assistant message, turn row, conversation state, handoff)."""

from __future__ import annotations

import asyncio
import functools
import uuid
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from assistant.actions.pending import OpenAction
from assistant.events import (
    ActionProposed,
    ErrorEvent,
    Handoff,
    Token,
    TurnCompleted,
    TurnEvent,
)
from assistant.guardrails import mask_sensitive
from assistant.handoff.policy import HandoffPolicy, record_handoff
from assistant.playbooks.state import latest_state
from assistant.recorder import EventRecorder, SideEffect
from assistant.service.deps import AGENT_QUEUE
from assistant.turn.loop import run_turn
from assistant.turn.memory import TurnTrace, build_context, load_lines
from assistant.turn.prompts import pending_note
from assistant.turn.request import TurnDeps, TurnRequest
from switchboard import clock
from switchboard.db.eventlog import StoredEvent
from switchboard.db.models import Conversation, Message, Turn
from tools.bss.client import no_bss
from tools.context import TurnContext

if TYPE_CHECKING:
    from assistant.service.deps import IdentityLike, ServiceDeps

_SEGMENTS = ("prepaid", "postpaid", "business")
_KEEP_TRACES = 4  # turns whose tool exchange is replayed in the next prompt


_no_bss = functools.cache(no_bss)  # one for every runtime built without a BSS


class TurnRunner:
    def __init__(
        self, deps: ServiceDeps, policy: HandoffPolicy, recorder: EventRecorder | None
    ) -> None:
        self.deps = deps
        self.policy = policy
        self.recorder = recorder
        self._handoff_reason: str | None = None
        self._offered = False
        self._trace: TurnTrace | None = None
        self._quoted: str | None = None  # the action this turn proposed, if any

    def context(
        self, conversation: Conversation, identity: IdentityLike, turn_id: str
    ) -> TurnContext:
        segment = getattr(identity, "segment", None) or getattr(identity, "customer_type", None)
        return TurnContext(
            conversation_id=conversation.id,
            turn_id=turn_id,
            channel=identity.channel if identity.channel in _CHANNELS else "web",  # type: ignore[arg-type]
            settings=self.deps.settings,
            sessionmaker=self.deps.sessionmaker,
            bss=self.deps.bss if self.deps.bss is not None else _no_bss(),
            retriever=self.deps.retriever,
            customer_id=identity.customer_id,
            msisdn=identity.msisdn,
            customer_type=segment if segment in _SEGMENTS else None,
            verified=identity.verified,
            claimed=bool(getattr(identity, "claimed", False)),
            stepped_up=bool(getattr(identity, "stepped_up", False)),
            lines=getattr(identity, "lines", None),
        )

    def _turn_deps(self, ctx: TurnContext) -> TurnDeps:
        settings = self.deps.settings
        return TurnDeps(
            model=self.deps.model,
            tools=list(self.deps.tool_factory(ctx)),
            policy=self.policy,
            desk=self.deps.desk,
            max_tool_iterations=settings.max_tool_iterations,
            max_message_chars=settings.max_message_chars,
            turn_timeout_s=self.deps.turn_timeout_s,
            playbooks=self.deps.playbooks,
            agents=self.deps.agents,
        )

    async def run(
        self, conversation: Conversation, identity: IdentityLike, text: str, turn_id: str
    ) -> AsyncIterator[StoredEvent]:
        ctx = self.context(conversation, identity, turn_id)
        async with self.deps.sessionmaker() as session:
            lines = await load_lines(session, conversation_id=conversation.id)
            journey = (
                await latest_state(
                    session,
                    conversation_id=conversation.id,
                    # a journey from another channel carries on only on a conversation's first
                    # message: one query more there, none on the turns after it
                    customer_id=identity.customer_id if len(lines) <= 1 else None,
                )
                if self.deps.playbooks is not None
                else None
            )
        earlier = lines[:-1]  # the last line is this very message
        pending = await self.deps.desk.open_action(ctx) if self.deps.desk else None
        note = (
            pending_note(tool=pending.tool, summary=pending.summary, action_id=pending.action_id)
            if pending
            else None
        )
        state = dict(conversation.state or {})
        memory = build_context(
            earlier,
            counter=self.deps.counter,
            budget=self.deps.prompt_budget,
            pending_note=note,
            traces=dict(state.get("traces") or {}),
        )
        self._trace = TurnTrace()
        request = TurnRequest(
            ctx=ctx,
            text=text,
            history=memory.messages,
            earlier_customer_texts=[line.text for line in earlier if line.role == "customer"],
            pending=pending,
            low_confidence_streak=int(state.get("low_confidence_streak", 0)),
            handoff_offered=bool(state.get("handoff_offered", False)),
            retention_asked=bool(state.get("retention_asked", False)),
            quoted_action=state.get("quoted_action"),
            trace=self._trace,
            journey=journey,
        )
        async for stored in self._record(
            run_turn(request, self._turn_deps(ctx)), ctx, memory.summary
        ):
            yield stored

    async def act(
        self, conversation: Conversation, identity: IdentityLike, action_id: str, decision: str
    ) -> AsyncIterator[StoredEvent]:
        """A confirm or cancel from a button: a short turn with no customer text."""
        turn_id = str(uuid.uuid4())
        ctx = self.context(conversation, identity, turn_id)
        self.recorder = EventRecorder(
            sessionmaker=self.deps.sessionmaker,
            bus=self.deps.bus,
            conversation_id=conversation.id,
            turn_id=turn_id,
            writer=self.deps.events,
        )
        assert self.deps.desk is not None
        pending = await self.deps.desk.open_action(ctx)
        if pending is None or pending.action_id != action_id:
            pending = OpenAction(
                action_id=action_id,
                tool="",
                args={},
                summary="",
                amount=None,
                currency=None,
                expires_at=clock.now(),
            )
        request = TurnRequest(
            ctx=ctx,
            text="yes" if decision == "confirm" else "no",
            pending=pending,
            forced_decision=decision,
        )
        async for stored in self._record(run_turn(request, self._turn_deps(ctx)), ctx, None):
            yield stored

    async def _record(
        self, events: AsyncIterator[TurnEvent], ctx: TurnContext, summary: str | None
    ) -> AsyncIterator[StoredEvent]:
        """The turn's events, stored, in order. The turn runs ahead of the log: a producer
        task queues each event as the turn yields it, so the events the turn produces while
        the previous commit runs share the next one, and each is published and yielded only
        after its own commit (ADR 0053; ADR 0010's rule holds). If storing an event fails, the
        turn is stopped and none of its later events is stored (the writer fails them)."""
        recorder = self.recorder
        assert recorder is not None
        queue: asyncio.Queue[_Queued | None] = asyncio.Queue()
        # lives exactly as long as this generator: cancelled and awaited in `finally`
        producer = asyncio.get_running_loop().create_task(
            self._produce(events, recorder, ctx, summary, queue), name="turn-events"
        )
        try:
            while (queued := await queue.get()) is not None:
                pending, event = queued
                stored = await recorder.settle(pending)
                if isinstance(event, Handoff):
                    await self.deps.bus.publish(
                        StoredEvent(AGENT_QUEUE, 0, stored.type, stored.data, stored.turn_id)
                    )
                yield stored
            await producer  # what the turn raised, if it did
        finally:
            producer.cancel()
            while not queue.empty():
                if (left := queue.get_nowait()) is not None:
                    left[0].cancel()  # dropped unless its batch has started
            await asyncio.gather(producer, return_exceptions=True)

    async def _produce(
        self,
        events: AsyncIterator[TurnEvent],
        recorder: EventRecorder,
        ctx: TurnContext,
        summary: str | None,
        queue: asyncio.Queue[_Queued | None],
    ) -> None:
        try:
            async for event in events:
                if isinstance(event, Token):
                    if recorder.buffer_token(event.text):
                        _put(queue, recorder.submit_tokens())
                    continue
                _put(queue, recorder.submit_tokens())
                side: SideEffect | None = None
                if isinstance(event, ErrorEvent):
                    self._offered = True
                if isinstance(event, ActionProposed):
                    self._quoted = event.action_id
                if isinstance(event, Handoff):
                    side = self._handoff_effect(ctx, event)
                elif isinstance(event, TurnCompleted):
                    side = self._completion_effect(ctx, event, summary)
                _put(queue, recorder.submit(event.name, event.data(), side_effect=side), event)
        finally:
            queue.put_nowait(None)

    def _handoff_effect(self, ctx: TurnContext, event: Handoff) -> SideEffect:
        self._handoff_reason = event.reason

        async def effect(session: AsyncSession) -> None:
            await record_handoff(
                session,
                conversation_id=ctx.conversation_id,
                reason=event.reason,
                queue=event.queue,
                summary=mask_sensitive(event.summary),
            )

        return effect

    def _completion_effect(
        self, ctx: TurnContext, event: TurnCompleted, summary: str | None
    ) -> SideEffect:
        low = event.confidence < self.policy.threshold and event.outcome != "handed_off"

        async def effect(session: AsyncSession) -> None:
            conversation = await session.get(Conversation, ctx.conversation_id)
            assert conversation is not None
            state: dict[str, Any] = dict(conversation.state or {})
            streak = int(state.get("low_confidence_streak", 0))
            state["low_confidence_streak"] = streak + 1 if low else 0
            state["handoff_offered"] = self._offered and event.outcome != "handed_off"
            state["retention_asked"] = (
                event.capability == "retention" and event.outcome == "clarified"
            )
            state["quoted_action"] = self._quoted
            if self._trace is not None and (self._trace.steps or self._trace.meta):
                traces = dict(state.get("traces") or {})
                traces[ctx.turn_id] = self._trace.as_dict()
                state["traces"] = dict(list(traces.items())[-_KEEP_TRACES:])
            values: dict[str, Any] = {
                "state": state,
                "tokens_used": Conversation.tokens_used
                + event.usage.prompt_tokens
                + event.usage.completion_tokens,
            }
            if summary is not None:
                values["summary"] = summary
            await session.execute(
                update(Conversation).where(Conversation.id == ctx.conversation_id).values(**values)
            )
            if event.text:
                session.add(
                    Message(
                        conversation_id=ctx.conversation_id,
                        role="assistant",
                        text=mask_sensitive(event.text),
                        turn_id=ctx.turn_id,
                    )
                )
            session.add(
                Turn(
                    id=ctx.turn_id,
                    conversation_id=ctx.conversation_id,
                    capability=event.capability,
                    outcome=event.outcome,
                    confidence=event.confidence,
                    tools=event.tools,
                    citations=event.citations,
                    handoff_reason=self._handoff_reason,
                    prompt_tokens=event.usage.prompt_tokens,
                    completion_tokens=event.usage.completion_tokens,
                    latency_ms=event.latency_ms,
                    model=self.deps.settings.llm,
                )
            )

        return effect


_CHANNELS = ("web", "whatsapp", "sms", "telegram", "console", "eval")

# A submitted event's commit, and the turn event it stores (None for coalesced tokens).
_Queued = tuple["asyncio.Future[StoredEvent]", TurnEvent | None]


def _put(
    queue: asyncio.Queue[_Queued | None],
    pending: asyncio.Future[StoredEvent] | None,
    event: TurnEvent | None = None,
) -> None:
    if pending is not None:
        queue.put_nowait((pending, event))
