"""Writing a turn's events to the log and the bus.

`record` returns once the event's transaction has committed (so an SSE resume or a crash loses at
most the event being written) and publishes it after the commit. Events of concurrent turns share
commits (`switchboard.db.eventlog.EventWriter`, group commit): one fsync for every event queued
while the previous commit ran, instead of one each. Consecutive `token` events are coalesced into
one of up to a sentence or so, which keeps the log small and the stream lively. A turn `submit`s
its events as it produces them and `settle`s each in order, so the events it produces while the
previous one commits share the next commit (ADR 0053)."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy.ext.asyncio import async_sessionmaker

from assistant.events import Token
from switchboard.bus import EventBus
from switchboard.db.eventlog import EventWriter, SideEffect, StoredEvent

__all__ = ["EventRecorder", "SideEffect"]
_FLUSH_CHARS = 48


class EventRecorder:
    def __init__(
        self,
        *,
        sessionmaker: async_sessionmaker[Any],
        bus: EventBus,
        conversation_id: str,
        turn_id: str | None,
        writer: EventWriter | None = None,
    ) -> None:
        """`writer` is shared by the service's turns (group commit); alone, a recorder commits
        through a writer of its own."""
        self._writer = writer or EventWriter(sessionmaker)
        self._bus = bus
        self._conversation_id = conversation_id
        self._turn_id = turn_id
        self._tokens: list[str] = []

    async def record(
        self, name: str, data: dict[str, Any], *, side_effect: SideEffect | None = None
    ) -> StoredEvent:
        stored = await self._writer.append(
            conversation_id=self._conversation_id,
            type=name,
            data=data,
            turn_id=self._turn_id,
            side_effect=side_effect,
        )
        await self._bus.publish(stored)
        return stored

    def submit(
        self, name: str, data: dict[str, Any], *, side_effect: SideEffect | None = None
    ) -> asyncio.Future[StoredEvent]:
        """Queue an event without waiting for its commit; `settle` its future, in order."""
        return self._writer.submit(
            conversation_id=self._conversation_id,
            type=name,
            data=data,
            turn_id=self._turn_id,
            side_effect=side_effect,
        )

    async def settle(self, pending: asyncio.Future[StoredEvent]) -> StoredEvent:
        """Wait for a submitted event's commit, then publish it (what `record` does after)."""
        stored = await pending
        await self._bus.publish(stored)
        return stored

    def submit_tokens(self) -> asyncio.Future[StoredEvent] | None:
        """Queue the buffered tokens as one `token` event (None if there are none)."""
        if not self._tokens:
            return None
        token = Token(text="".join(self._tokens))
        self._tokens.clear()
        return self.submit(token.name, token.data())

    def buffer_token(self, text: str) -> bool:
        """Buffer a token; True when the buffer should be flushed now."""
        self._tokens.append(text)
        joined = "".join(self._tokens)
        return len(joined) >= _FLUSH_CHARS or joined.endswith(("\n", ". ", "? ", "! "))

    async def flush_tokens(self) -> StoredEvent | None:
        if not self._tokens:
            return None
        text = "".join(self._tokens)
        self._tokens.clear()
        token = Token(text=text)
        return await self.record(token.name, token.data())
