"""Live events across replicas: the EventBus protocol over Redis pub/sub.

One pub/sub connection per process, one Redis channel per conversation, subscribed while at least
one local stream listens. A reader task (owned by the `connect()` context) fans messages out to the
local queues. Redis pub/sub is fire-and-forget; the event log stays the source of truth, and streams
catch up from it by id when they see a gap."""

from __future__ import annotations

import asyncio
import json
import logging
from collections import defaultdict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio
from redis.asyncio import Redis
from redis.exceptions import RedisError

from switchboard.db.eventlog import StoredEvent

log = logging.getLogger(__name__)


def _encode(event: StoredEvent) -> str:
    return json.dumps(
        {
            "c": event.conversation_id,
            "s": event.seq,
            "t": event.type,
            "d": event.data,
            "u": event.turn_id,
        },
        separators=(",", ":"),
    )


def _decode(raw: bytes | str) -> StoredEvent:
    doc: dict[str, Any] = json.loads(raw)
    return StoredEvent(doc["c"], int(doc["s"]), doc["t"], doc["d"], doc.get("u"))


class RedisBus:
    """EventBus over Redis. Use `async with RedisBus.connect(url) as bus:`."""

    def __init__(self, redis: Redis, *, prefix: str = "sb", max_queue: int = 1000) -> None:
        self._redis = redis
        self._pubsub = redis.pubsub()
        self._prefix = prefix
        self._max_queue = max_queue
        self._subscribers: dict[str, set[asyncio.Queue[StoredEvent]]] = defaultdict(set)
        self._confirmed: dict[str, asyncio.Event] = {}
        self._lock = asyncio.Lock()

    @classmethod
    @asynccontextmanager
    async def connect(cls, url: str, *, prefix: str = "sb") -> AsyncIterator[RedisBus]:
        redis = Redis.from_url(url)
        bus = cls(redis, prefix=prefix)
        try:
            async with anyio.create_task_group() as tg:
                tg.start_soon(bus._read_forever)
                yield bus
                tg.cancel_scope.cancel()
        finally:
            await bus._pubsub.aclose()  # type: ignore[no-untyped-call]
            await redis.aclose()

    def _channel(self, conversation_id: str) -> str:
        return f"{self._prefix}:conv:{conversation_id}"

    async def publish(self, event: StoredEvent) -> None:
        await self._redis.publish(self._channel(event.conversation_id), _encode(event))

    @asynccontextmanager
    async def subscribe(self, conversation_id: str) -> AsyncIterator[asyncio.Queue[StoredEvent]]:
        queue: asyncio.Queue[StoredEvent] = asyncio.Queue(self._max_queue)
        channel = self._channel(conversation_id)
        async with self._lock:
            first = not self._subscribers[conversation_id]
            self._subscribers[conversation_id].add(queue)
            confirmed = self._confirmed.setdefault(channel, asyncio.Event())
            if first:
                await self._pubsub.subscribe(channel)
        # Wait until Redis has the subscription, so nothing published from now on is missed.
        with anyio.move_on_after(5):
            await confirmed.wait()
        try:
            yield queue
        finally:
            async with self._lock:
                self._subscribers[conversation_id].discard(queue)
                if not self._subscribers[conversation_id]:
                    del self._subscribers[conversation_id]
                    self._confirmed.pop(channel, None)
                    try:
                        await self._pubsub.unsubscribe(channel)
                    except RedisError:
                        log.warning("redis unsubscribe failed for %s", channel)

    async def _read_forever(self) -> None:
        while True:
            try:
                await self._read()
            except RedisError:
                log.warning("redis bus connection lost; reconnecting", exc_info=True)
                await asyncio.sleep(1)
                channels = [self._channel(cid) for cid in self._subscribers]
                if channels:
                    try:
                        await self._pubsub.subscribe(*channels)
                    except RedisError:
                        continue

    async def _read(self) -> None:
        while True:
            if not self._pubsub.subscribed:
                await asyncio.sleep(0.05)
                continue
            message = await self._pubsub.get_message(timeout=1.0)
            if message is None:
                continue
            channel = message["channel"]
            channel = channel.decode() if isinstance(channel, bytes) else channel
            if message["type"] == "subscribe":
                if channel in self._confirmed:
                    self._confirmed[channel].set()
            elif message["type"] == "message":
                self._deliver(_decode(message["data"]))

    def _deliver(self, event: StoredEvent) -> None:
        for queue in list(self._subscribers.get(event.conversation_id, ())):
            if queue.full():  # a stuck reader: drop the oldest; it catches up from the log
                queue.get_nowait()
            queue.put_nowait(event)
