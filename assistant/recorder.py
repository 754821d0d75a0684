"""Writing a turn's events to the log and the bus.

Each event is appended in its own short transaction (so an SSE resume or a crash loses at most
the event being written) and published after the commit. Consecutive `token` events are
coalesced into one of up to a sentence or so, which keeps the log small and the stream lively."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from assistant.events import Token
from switchboard.bus import EventBus
from switchboard.db.eventlog import StoredEvent, append_event

# Called inside the event's transaction, for state that must commit with it (handoff, turn row).
SideEffect = Callable[[AsyncSession], Awaitable[None]]
_FLUSH_CHARS = 48


class EventRecorder:
    def __init__(
        self,
        *,
        sessionmaker: async_sessionmaker[Any],
        bus: EventBus,
        conversation_id: str,
        turn_id: str | None,
    ) -> None:
        self._sessionmaker = sessionmaker
        self._bus = bus
        self._conversation_id = conversation_id
        self._turn_id = turn_id
        self._tokens: list[str] = []

    async def record(
        self, name: str, data: dict[str, Any], *, side_effect: SideEffect | None = None
    ) -> StoredEvent:
        async with self._sessionmaker() as session, session.begin():
            stored = await append_event(
                session,
                conversation_id=self._conversation_id,
                type=name,
                data=data,
                turn_id=self._turn_id,
            )
            if side_effect is not None:
                await side_effect(session)
        await self._bus.publish(stored)
        return stored

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
