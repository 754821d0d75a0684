"""Request rate limits and the cap on concurrent streams per conversation.

Fixed one-minute windows counted per key (customer, anonymous session or client IP). With
`SWITCHBOARD_REDIS_URL` the counters live in Redis so every replica sees the same numbers;
otherwise in this process. Stream slots are leases that expire unless refreshed, so a replica
that dies does not hold a conversation's slots forever."""

from __future__ import annotations

import math
import time
import uuid
from collections import defaultdict
from typing import Any, Protocol

from redis.asyncio import Redis

WINDOW_S = 60
STREAM_LEASE_S = 60


class Limits(Protocol):
    async def hit(self, key: str, *, limit: int) -> int:
        """Count one request against `key`; 0 if allowed, else the seconds to wait."""
        ...

    async def acquire_stream(self, conversation_id: str, *, cap: int) -> str | None:
        """A lease id for one more open stream, or None when `cap` are open."""
        ...

    async def refresh_stream(self, conversation_id: str, lease: str) -> None: ...

    async def release_stream(self, conversation_id: str, lease: str) -> None: ...


def _window(now: float) -> tuple[int, int]:
    window = int(now // WINDOW_S)
    retry_after = max(1, math.ceil((window + 1) * WINDOW_S - now))
    return window, retry_after


class MemoryLimits:
    """Per-process limits (one replica)."""

    def __init__(self) -> None:
        self._counts: dict[tuple[str, int], int] = {}
        self._streams: dict[str, dict[str, float]] = defaultdict(dict)

    async def hit(self, key: str, *, limit: int) -> int:
        window, retry_after = _window(time.time())
        if len(self._counts) > 100_000:  # drop windows that ended
            self._counts = {k: v for k, v in self._counts.items() if k[1] >= window}
        count = self._counts.get((key, window), 0) + 1
        self._counts[(key, window)] = count
        return 0 if count <= limit else retry_after

    async def acquire_stream(self, conversation_id: str, *, cap: int) -> str | None:
        now = time.monotonic()
        leases = self._streams[conversation_id]
        for lease, expires in list(leases.items()):
            if expires < now:
                del leases[lease]
        if len(leases) >= cap:
            return None
        lease = uuid.uuid4().hex
        leases[lease] = now + STREAM_LEASE_S
        return lease

    async def refresh_stream(self, conversation_id: str, lease: str) -> None:
        leases = self._streams.get(conversation_id)
        if leases is not None and lease in leases:
            leases[lease] = time.monotonic() + STREAM_LEASE_S

    async def release_stream(self, conversation_id: str, lease: str) -> None:
        leases = self._streams.get(conversation_id)
        if leases is not None:
            leases.pop(lease, None)
            if not leases:
                del self._streams[conversation_id]


# Atomic: drop expired leases, then add one if fewer than the cap remain.
_ACQUIRE = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then return 0 end
redis.call('ZADD', KEYS[1], ARGV[3], ARGV[4])
redis.call('EXPIRE', KEYS[1], ARGV[5])
return 1
"""


class RedisLimits:
    """Limits shared by every replica through Redis."""

    def __init__(self, redis: Redis, prefix: str = "sb") -> None:
        self._redis = redis
        self._prefix = prefix
        self._acquire: Any = redis.register_script(_ACQUIRE)

    async def hit(self, key: str, *, limit: int) -> int:
        window, retry_after = _window(time.time())
        name = f"{self._prefix}:rl:{key}:{window}"
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.incr(name)
            pipe.expire(name, WINDOW_S * 2)
            count, _ = await pipe.execute()
        return 0 if int(count) <= limit else retry_after

    async def acquire_stream(self, conversation_id: str, *, cap: int) -> str | None:
        now = time.time()
        lease = uuid.uuid4().hex
        keys = [f"{self._prefix}:streams:{conversation_id}"]
        args = [now, cap, now + STREAM_LEASE_S, lease, STREAM_LEASE_S * 2]
        ok = await self._acquire(keys=keys, args=args)
        return lease if int(ok) == 1 else None

    async def refresh_stream(self, conversation_id: str, lease: str) -> None:
        key = f"{self._prefix}:streams:{conversation_id}"
        async with self._redis.pipeline(transaction=False) as pipe:  # one round trip, not two
            pipe.zadd(key, {lease: time.time() + STREAM_LEASE_S}, xx=True)
            pipe.expire(key, STREAM_LEASE_S * 2)
            await pipe.execute()

    async def release_stream(self, conversation_id: str, lease: str) -> None:
        await self._redis.zrem(f"{self._prefix}:streams:{conversation_id}", lease)
