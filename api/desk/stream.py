"""The live desk: one SSE stream per open console tab. It sends the queue (and who is at the
desk) at once and again whenever anything about it changes — a handoff, a customer's message to
a person, a desk action on any replica (the bus's agent channel) — and checks for overdue waits
every tick. The page never polls."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import anyio
from sse_starlette import EventSourceResponse, ServerSentEvent

from api.customers import CustomerDirectory
from api.desk.accounts import AgentOut
from api.desk.presence import roster, touch
from api.desk.queue import desk_queue
from assistant.service.deps import AGENT_QUEUE
from switchboard import telemetry
from switchboard.bus import EventBus
from switchboard.db.eventlog import StoredEvent
from switchboard.settings import Settings

TICK_S = 20.0  # presence refresh and the escalation check, at the latest
SETTLE_S = 0.1  # a burst of bus messages (a turn's handoff and its message) → one snapshot


async def snapshot(
    sessionmaker: Any, directory: CustomerDirectory, settings: Settings
) -> ServerSentEvent:
    items = await desk_queue(
        sessionmaker, directory, escalate_after_s=settings.desk_escalate_after_s
    )
    people = await roster(sessionmaker)
    data = {
        "items": [i.model_dump(mode="json") for i in items],
        "agents": [p.model_dump(mode="json") for p in people],
    }
    return ServerSentEvent(json.dumps(data, ensure_ascii=False), event="queue")


async def desk_events(
    *,
    sessionmaker: Any,
    bus: EventBus,
    directory: CustomerDirectory,
    settings: Settings,
    agent: AgentOut,
    tick_s: float = TICK_S,
) -> AsyncIterator[ServerSentEvent]:
    async with bus.subscribe(AGENT_QUEUE) as changes:  # type: ignore[attr-defined]
        await touch(sessionmaker, agent.id, online=True)
        await bus.publish(_presence_change(agent))
        try:
            last = await snapshot(sessionmaker, directory, settings)
            yield last
            while True:
                changed = False
                with anyio.move_on_after(tick_s):
                    await changes.get()
                    changed = True
                    await anyio.sleep(SETTLE_S)
                    while not changes.empty():
                        changes.get_nowait()
                if not changed:
                    await touch(sessionmaker, agent.id, online=True)
                fresh = await snapshot(sessionmaker, directory, settings)
                if fresh.data != last.data:
                    last = fresh
                    yield fresh
        finally:
            with anyio.CancelScope(shield=True):
                await touch(sessionmaker, agent.id, online=False)
                await bus.publish(_presence_change(agent))


def _presence_change(agent: AgentOut) -> StoredEvent:
    return StoredEvent(AGENT_QUEUE, 0, "desk.presence", {"agent": agent.id})


def desk_response(events: AsyncIterator[ServerSentEvent], *, ping_s: float) -> EventSourceResponse:
    async def counted() -> AsyncIterator[ServerSentEvent]:
        telemetry.SSE_STREAMS.inc()
        try:
            async for item in events:
                yield item
        finally:
            telemetry.SSE_STREAMS.dec()

    return EventSourceResponse(
        counted(), ping=ping_s, send_timeout=30, headers={"Cache-Control": "no-cache, no-store"}
    )
