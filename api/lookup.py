"""The conversation lookup in front of every conversation route: owner, status and budget.

It reads from a small connection pool of the API's own on the runtime's database. The turns share
the runtime's pool, and under load its connections are held by writers waiting for SQLite's single
write lock (or, on PostgreSQL, by fifty turns at once): an ownership check queued behind them was
most of the API's added time to first token. A WAL reader never waits for the writer, so a pool of
its own makes the check as fast as the read itself (docs/decisions/0011-api-lookup-pool.md)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from switchboard.db import make_engine
from switchboard.db.models import Conversation

POOL_SIZE = 10
MAX_OVERFLOW = 10

_ROW = select(
    Conversation.customer_id,
    Conversation.channel_user_id,
    Conversation.status,
    Conversation.last_event_id,
    Conversation.tokens_used,
)


@dataclass(frozen=True, slots=True)
class ConversationRow:
    """What the API needs to know about a conversation before it calls the service."""

    id: str
    customer_id: str | None
    channel_user_id: str | None
    status: str
    last_event_id: int
    tokens_used: int


class ConversationLookup:
    """Reads one conversation's row by id (a Core select on a connection: no ORM session)."""

    def __init__(self, engine: AsyncEngine, *, owned: bool) -> None:
        self._engine = engine
        self._owned = owned  # the pool is ours to dispose of

    @classmethod
    def beside(cls, sessionmaker: async_sessionmaker[Any]) -> ConversationLookup:
        """A lookup with its own pool on the database `sessionmaker` is bound to; the same
        engine when a second pool would not see the same data (in-memory SQLite)."""
        engine = sessionmaker.kw.get("bind")
        if not isinstance(engine, AsyncEngine):
            raise TypeError("the runtime's sessionmaker is not bound to an AsyncEngine")
        url = engine.url
        if url.get_backend_name() == "sqlite" and (
            url.database in (None, "", ":memory:") or url.query.get("mode") == "memory"
        ):
            return cls(engine, owned=False)
        own = make_engine(
            url.render_as_string(hide_password=False),
            pool_size=POOL_SIZE,
            max_overflow=MAX_OVERFLOW,
        )
        return cls(own, owned=True)

    async def find(self, conversation_id: str) -> ConversationRow | None:
        async with self._engine.connect() as connection:
            result = await connection.execute(_ROW.where(Conversation.id == conversation_id))
            row = result.one_or_none()
        if row is None:
            return None
        return ConversationRow(conversation_id, *row)

    async def aclose(self) -> None:
        if self._owned:
            await self._engine.dispose()
