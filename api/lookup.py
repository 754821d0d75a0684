"""The conversation lookup in front of every conversation route: owner, status and budget.

It reads from a small connection pool of the API's own on the runtime's database. The turns share
the runtime's pool, and under load its connections are held by writers waiting for SQLite's single
write lock (or, on PostgreSQL, by fifty turns at once): an ownership check queued behind them was
most of the API's added time to first token. A WAL reader never waits for the writer, so a pool of
its own makes the check as fast as the read itself. On SQLite the read is one blocking call on
the event loop (~0.1 ms, with a 5 ms busy timeout and a worker thread as the fallback) rather than
aiosqlite's five trips (cursor, execute, fetch, close, rollback) or even one thread hop, each a
trip through a busy event loop (docs/decisions/0011-api-lookup-pool.md)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import anyio.to_thread
from sqlalchemy import Engine, create_engine, select
from sqlalchemy.engine import URL
from sqlalchemy.exc import OperationalError
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
    """Reads one conversation's row by id: a Core select on a connection, no ORM session."""

    def __init__(
        self, engine: AsyncEngine | None, *, owned: bool, sqlite: Engine | None = None
    ) -> None:
        self._engine = engine  # async reads (server databases, in-memory SQLite)
        self._sqlite = sqlite  # or blocking reads of a SQLite file: in a worker thread,
        # and first on the loop with a busy timeout short enough to never stall it
        on_loop = None if sqlite is None else _sqlite_reader(sqlite.url, busy_ms=5, connections=1)
        self._sqlite_on_loop = on_loop  # one connection: reads on the loop never overlap
        self._owned = owned  # `engine` is ours to dispose of

    @classmethod
    def beside(cls, sessionmaker: async_sessionmaker[Any]) -> ConversationLookup:
        """A lookup with its own pool on the database `sessionmaker` is bound to; the same
        engine when a second pool would not see the same data (in-memory SQLite)."""
        engine = sessionmaker.kw.get("bind")
        if not isinstance(engine, AsyncEngine):
            raise TypeError("the runtime's sessionmaker is not bound to an AsyncEngine")
        url = engine.url
        if url.get_backend_name() != "sqlite":
            own = make_engine(
                url.render_as_string(hide_password=False),
                pool_size=POOL_SIZE,
                max_overflow=MAX_OVERFLOW,
            )
            return cls(own, owned=True)
        if url.database in (None, "", ":memory:") or url.query.get("mode") == "memory":
            return cls(engine, owned=False)
        return cls(None, owned=True, sqlite=_sqlite_reader(url))

    async def find(self, conversation_id: str) -> ConversationRow | None:
        statement = _ROW.where(Conversation.id == conversation_id)
        row: Sequence[Any] | None
        if self._sqlite is not None:
            row = await self._read_sqlite(statement)
        else:
            assert self._engine is not None
            async with self._engine.connect() as connection:
                row = (await connection.execute(statement)).one_or_none()
        if row is None:
            return None
        customer_id, channel_user_id, status, last_event_id, tokens_used = row
        return ConversationRow(
            conversation_id, customer_id, channel_user_id, status, last_event_id, tokens_used
        )

    async def _read_sqlite(self, statement: Any) -> Sequence[Any] | None:
        """The point read on the event loop itself (~0.1 ms: a WAL reader never waits for the
        writer), which under load is far cheaper than a worker-thread hop — two trips through a
        busy loop and a wait for the GIL behind the turns' threads. A connection that would
        have to wait (a checkpoint or WAL recovery) gives up after 5 ms and the read
        is repeated in a worker thread, with the long timeout (ADR 0011)."""
        assert self._sqlite is not None and self._sqlite_on_loop is not None
        try:
            return _read_one(self._sqlite_on_loop, statement)
        except OperationalError:
            return await anyio.to_thread.run_sync(_read_one, self._sqlite, statement)

    async def aclose(self) -> None:
        if self._sqlite is not None:
            self._sqlite.dispose()
        if self._sqlite_on_loop is not None:
            self._sqlite_on_loop.dispose()
        elif self._owned and self._engine is not None:
            await self._engine.dispose()


def _sqlite_reader(url: URL, *, busy_ms: int = 10_000, connections: int = POOL_SIZE) -> Engine:
    """A blocking engine on the same SQLite file (read-only use: the pragmas that matter to
    writers, WAL and synchronous, are the file's and the writers' business)."""
    sync_url = url.set(drivername="sqlite")
    return create_engine(
        sync_url,
        pool_size=connections,
        max_overflow=MAX_OVERFLOW if connections > 1 else 0,
        connect_args={"timeout": busy_ms / 1000, "check_same_thread": False},
    )


def _read_one(engine: Engine, statement: Any) -> Sequence[Any] | None:
    with engine.connect() as connection:
        return connection.execute(statement).one_or_none()
