"""Live events across streams: a conversation's new events reach every open stream of it.

In-process by default; with `SWITCHBOARD_REDIS_URL` a Redis pub/sub bus (api/ provides it) lets
a stream held on one replica receive events produced on another. The event log stays the source
of truth: a subscriber that misses a message catches up from the database by id."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Protocol

from switchboard.db.eventlog import StoredEvent


class EventBus(Protocol):
    async def publish(self, event: StoredEvent) -> None: ...

    def subscribe(
        self, conversation_id: str
    ) -> AbstractAsyncContextManager[asyncio.Queue[StoredEvent]]:
        """An async context manager yielding a queue that receives the conversation's events."""
        ...


class InProcessBus:
    """Fan-out to the subscribers of this process only."""

    def __init__(self, max_queue: int = 1000) -> None:
        self._subscribers: dict[str, set[asyncio.Queue[StoredEvent]]] = defaultdict(set)
        self._max_queue = max_queue

    async def publish(self, event: StoredEvent) -> None:
        for queue in list(self._subscribers.get(event.conversation_id, ())):
            if queue.full():  # a stuck reader: drop the oldest, it will catch up from the log
                queue.get_nowait()
            queue.put_nowait(event)

    @asynccontextmanager
    async def subscribe(self, conversation_id: str) -> AsyncIterator[asyncio.Queue[StoredEvent]]:
        queue: asyncio.Queue[StoredEvent] = asyncio.Queue(self._max_queue)
        self._subscribers[conversation_id].add(queue)
        try:
            yield queue
        finally:
            self._subscribers[conversation_id].discard(queue)
            if not self._subscribers[conversation_id]:
                del self._subscribers[conversation_id]
