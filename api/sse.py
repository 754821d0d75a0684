"""Server-sent events: stored events to frames, resume from the log, turns that outlive clients.

Every frame carries `id:` (the per-conversation log id), `event:` and `data:` (one JSON object).
A conversation stream subscribes to the bus first, replays the log after the client's last id, then
forwards live events, skipping ids it has sent and reading the log again whenever it sees a gap or
has been idle for a while — so a lost bus message costs latency, never an event."""

from __future__ import annotations

import json
import math
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import anyio
from anyio.abc import TaskGroup
from anyio.streams.memory import MemoryObjectReceiveStream, MemoryObjectSendStream
from sqlalchemy.ext.asyncio import async_sessionmaker
from sse_starlette import EventSourceResponse, ServerSentEvent

from switchboard import telemetry
from switchboard.bus import EventBus
from switchboard.db.eventlog import StoredEvent, events_after
from switchboard.errors import SwitchboardError

RETRY_MS = 2000
LEASE_REFRESH_S = 20.0
# Event ids are ASCII decimal integers up to 2^53 - 1 (exact in a browser's JavaScript, and far
# inside SQLite's and PostgreSQL's 64-bit integers). `\d` would also match "²" or "٣".
MAX_EVENT_ID = 2**53 - 1
EVENT_ID_PATTERN = r"^ *[0-9]{1,16} *$"


def parse_event_id(value: str) -> int:
    """A `Last-Event-ID` already matched by `EVENT_ID_PATTERN`, clamped to `MAX_EVENT_ID`."""
    return min(int(value.strip(" ")), MAX_EVENT_ID)


def frame(event: StoredEvent) -> ServerSentEvent:
    data = json.dumps(event.data, separators=(",", ":"), ensure_ascii=False)
    return ServerSentEvent(data, event=event.type, id=str(event.seq))


def error_frame(exc: SwitchboardError) -> ServerSentEvent:
    """An `error` for a failure that never reached the log (so it has no id)."""
    data = json.dumps({"code": exc.code, "message": exc.customer_message})
    return ServerSentEvent(data, event="error")


async def _from_log(
    sessionmaker: async_sessionmaker[Any], conversation_id: str, after: int
) -> AsyncIterator[StoredEvent]:
    while True:
        async with sessionmaker() as session:
            page = await events_after(session, conversation_id=conversation_id, after=after)
        for event in page:
            yield event
            after = event.seq
        if len(page) < 1000:
            return


async def replay_then_live(
    *,
    conversation_id: str,
    after: int,
    sessionmaker: async_sessionmaker[Any],
    bus: EventBus,
    idle_s: float,
) -> AsyncIterator[StoredEvent | None]:
    """The conversation's events after `after`, then live ones, each exactly once and in order.

    Yields None after `idle_s` without events (the caller's chance to refresh its lease)."""
    async with bus.subscribe(conversation_id) as queue:  # type: ignore[attr-defined]
        last = after
        async for event in _from_log(sessionmaker, conversation_id, last):
            yield event
            last = event.seq
        while True:
            live: StoredEvent | None = None
            with anyio.move_on_after(idle_s):
                live = await queue.get()
            if live is not None and live.seq <= last:
                continue
            if live is None or live.seq > last + 1:  # idle, or a gap: the log has the truth
                async for event in _from_log(sessionmaker, conversation_id, last):
                    yield event
                    last = event.seq
                if live is None:
                    yield None
                    continue
                if live.seq <= last:
                    continue
            yield live
            last = live.seq


@dataclass(slots=True)
class StreamLease:
    """A slot in the per-conversation stream cap, kept fresh while the stream is open."""

    refresh: Callable[[], Awaitable[None]]
    release: Callable[[], Awaitable[None]]


def event_stream_response(
    events: AsyncIterator[StoredEvent | SwitchboardError | None],
    *,
    lease: StreamLease,
    ping_s: float,
) -> EventSourceResponse:
    async def frames() -> AsyncIterator[ServerSentEvent]:
        refreshed = time.monotonic()
        telemetry.SSE_STREAMS.inc()
        try:
            yield ServerSentEvent(comment="switchboard", retry=RETRY_MS)
            async for item in events:
                if isinstance(item, StoredEvent):
                    yield frame(item)
                elif isinstance(item, SwitchboardError):
                    yield error_frame(item)
                if time.monotonic() - refreshed > LEASE_REFRESH_S:
                    await lease.refresh()
                    refreshed = time.monotonic()
        finally:
            telemetry.SSE_STREAMS.dec()
            with anyio.CancelScope(shield=True):
                await lease.release()

    return EventSourceResponse(
        frames(),
        ping=ping_s,
        send_timeout=30,
        headers={"Cache-Control": "no-cache, no-store"},
    )


@dataclass(frozen=True, slots=True)
class _Failed:
    error: SwitchboardError


_Item = StoredEvent | _Failed


class TurnRunner:
    """Runs each turn in the app's task group, so a client that goes away does not cancel it:
    the turn finishes, its events are stored, and a reload replays them from the log."""

    def __init__(self, task_group: TaskGroup) -> None:
        self._tg = task_group
        self._running = 0
        self._idle: anyio.Event | None = None  # set when the last running turn ends

    async def drain(self, grace_s: float) -> bool:
        """Wait up to `grace_s` for the running turns to finish (the app's shutdown, before it
        cancels what is left); True if none is left. A turn cancelled mid-transaction makes
        SQLAlchemy terminate its connection, and aiosqlite's close can then wait forever on a
        worker thread that has already stopped: finishing the turns avoids that, and their
        events are stored instead of cut off (docs/decisions/0010-event-log-group-commit.md)."""
        if self._running and self._idle is not None:
            with anyio.move_on_after(grace_s):
                await self._idle.wait()
        return not self._running

    async def _run(
        self, turn: AsyncIterator[StoredEvent], send: MemoryObjectSendStream[_Item]
    ) -> None:
        if not self._running:
            self._idle = anyio.Event()
        self._running += 1
        try:
            await _pump(turn, send)
        finally:
            self._running -= 1
            if not self._running and self._idle is not None:
                self._idle.set()

    async def start(
        self, turn: AsyncIterator[StoredEvent]
    ) -> AsyncIterator[StoredEvent | SwitchboardError]:
        """Start `turn`; raises the SwitchboardError it fails with before its first event."""
        send, receive = anyio.create_memory_object_stream[_Item](max_buffer_size=math.inf)
        self._tg.start_soon(self._run, turn, send)
        try:
            first = await receive.receive()
        except anyio.EndOfStream:
            receive.close()
            return _empty()
        if isinstance(first, _Failed):
            receive.close()
            raise first.error
        return _rest(first, receive)


async def _empty() -> AsyncIterator[StoredEvent | SwitchboardError]:
    return
    yield  # pragma: no cover


async def _pump(turn: AsyncIterator[StoredEvent], send: MemoryObjectSendStream[_Item]) -> None:
    async with send:
        try:
            async for event in turn:
                try:
                    send.send_nowait(event)
                except (anyio.BrokenResourceError, anyio.ClosedResourceError):
                    pass  # the client left; keep running the turn to the end
        except SwitchboardError as exc:
            _offer(send, _Failed(exc))
        except Exception as exc:
            wrapped = SwitchboardError(f"turn failed: {exc!r}")
            wrapped.__cause__ = exc
            _offer(send, _Failed(wrapped))


def _offer(send: MemoryObjectSendStream[_Item], item: _Item) -> None:
    try:
        send.send_nowait(item)
    except (anyio.BrokenResourceError, anyio.ClosedResourceError):
        pass


async def _rest(
    first: _Item, receive: MemoryObjectReceiveStream[_Item]
) -> AsyncIterator[StoredEvent | SwitchboardError]:
    with receive:
        item: _Item = first
        while True:
            yield item.error if isinstance(item, _Failed) else item
            try:
                item = await receive.receive()
            except anyio.EndOfStream:
                return
