"""The running simulator: database, world, clock, the single writer lock, and the worker that
takes due transitions and delivers events."""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager, suppress
from contextvars import ContextVar
from typing import Any

import httpx
from sqlalchemy.exc import IntegrityError

from bss import lifecycle
from bss.clock import SimClock
from bss.context import Ctx
from bss.errors import TmfError
from bss.events import Deliverer
from bss.seed import seed_world
from bss.store import Repo, create_schema, make_bss_engine
from bss.world import World, load_world

# Set in the worker's own task: its transactions must not wake it (it reads what is due after
# each step anyway); every other writer's do, even while the worker is mid-step.
_IN_WORKER: ContextVar[bool] = ContextVar("bss_in_worker", default=False)

log = logging.getLogger("bss")
Body = dict[str, Any] | list[Any]
Handler = Callable[[Ctx], Awaitable[tuple[int, Body]]]


def fingerprint(method: str, path: str, body: bytes) -> str:
    """Same key + same method, path and JSON body -> same request."""
    try:
        canonical = json.dumps(json.loads(body or b"null"), sort_keys=True, separators=(",", ":"))
    except ValueError:
        canonical = body.decode("utf-8", "replace")
    return hashlib.sha256(f"{method} {path} {canonical}".encode()).hexdigest()


class Simulator:
    def __init__(
        self,
        *,
        database_url: str,
        clock_speed: float,
        world: World | None = None,
        listener_transport: httpx.AsyncBaseTransport | None = None,
        retry_base_s: float = 1.0,
        allow_reset: bool = True,
    ) -> None:
        self.engine = make_bss_engine(database_url)
        self.world = world or load_world()
        self.clock = SimClock(clock_speed)
        self.lock = asyncio.Lock()
        self.deliverer = Deliverer(transport=listener_transport, retry_base_s=retry_base_s)
        self.allow_reset = allow_reset
        self._ready = False
        self._ready_lock = asyncio.Lock()
        self._wake = asyncio.Event()
        self._next_due: float | None = None  # earliest timer; None = unknown
        self._stopping = False

    # -- set-up --------------------------------------------------------------------------------
    async def ensure_ready(self) -> None:
        if self._ready:
            return
        async with self._ready_lock:
            if self._ready:
                return
            await create_schema(self.engine)
            async with self.transaction() as ctx:
                if await ctx.repo.get_meta("seeded") is None:
                    await seed_world(ctx)
                    await ctx.repo.set_meta("seeded", "1")
            self._ready = True

    async def reset(self) -> None:
        """Delete everything and seed the demo world again, in one transaction."""
        await create_schema(self.engine)
        async with self.transaction() as ctx:
            await ctx.repo.clear()
            await seed_world(ctx)
            await ctx.repo.set_meta("seeded", "1")
        self._ready = True

    async def close(self) -> None:
        await self.engine.dispose()

    # -- transactions --------------------------------------------------------------------------
    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Ctx]:
        """One serialized write transaction (the simulator has a single writer)."""
        async with self.lock, self.engine.begin() as conn:
            repo = Repo(conn, lock_rows=True)
            yield Ctx(repo, self.world, self.clock)
            upcoming = await repo.next_due()
            self._next_due = float("inf") if upcoming is None else upcoming
        if not _IN_WORKER.get():
            self._wake.set()

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[Ctx]:
        async with self.engine.connect() as conn:
            yield Ctx(Repo(conn), self.world, self.clock)

    async def write(
        self, *, key: str | None, method: str, path: str, raw: bytes, handler: Handler
    ) -> tuple[int, Body, bool]:
        """Run a write once per idempotency key: returns (status, body, replayed).

        A refusal (TMF Error) rolls back and is not remembered, so a retry after fixing the
        cause (e.g. topping up) is evaluated afresh. The same key with another request -> 409."""
        fp = fingerprint(method, path, raw)
        if key:  # a replay needs no write lock
            async with self.reading() as ctx:
                seen = await ctx.repo.idempotent_response(key)
            if seen is not None:
                return _replay(seen, fp)
        for _ in range(3):
            try:
                async with self.transaction() as ctx:
                    if key:
                        seen = await ctx.repo.idempotent_response(key)
                        if seen is not None:
                            return _replay(seen, fp)
                    status, body = await handler(ctx)
                    if key:
                        await ctx.repo.remember_response(key, fp, status, body)
                    return status, body, False
            except IntegrityError:
                # another process stored the same key first: answer with what it stored
                if not key:
                    raise
                async with self.reading() as ctx:
                    seen = await ctx.repo.idempotent_response(key)
                if seen is not None:
                    return _replay(seen, fp)
        raise TmfError(503, "BUSY", "The request could not be completed; retry with the same key")

    # -- clock and delivery --------------------------------------------------------------------
    async def run_due(self, *, limit: int = 10_000) -> int:
        """Take every transition that is due now (including those that become due at once)."""
        taken = 0
        while taken < limit:
            async with self.transaction() as ctx:
                due = await ctx.repo.due(self.clock.now(), limit=50)
                for kind, rid in due:
                    await lifecycle.step(ctx, kind, rid)
            if not due:
                break
            taken += len(due)
        return taken

    def maybe_due(self) -> bool:
        """No I/O: may a transition be due now? (The hint is refreshed by every write and by
        `run_due`; another process's writes are picked up by the worker.)"""
        return self._next_due is None or self._next_due <= self.clock.now()

    async def advance(self, sim_seconds: float) -> int:
        """Fast-forward: every pending timer comes `sim_seconds` of simulated time closer."""
        if not self.clock.instant:
            async with self.transaction() as ctx:
                await ctx.repo.shift_timers(self.clock.real_seconds(sim_seconds))
        return await self.run_due()

    async def deliver(self) -> int:
        return await self.deliverer.deliver(self.engine.begin, self.clock.now())

    async def run_worker(self, *, max_sleep: float = 1.0) -> None:
        """Until `stop()`: take due transitions, deliver due events, sleep until the next is
        due. It stops between steps, never inside a transaction (cancelling an aiosqlite
        call mid-flight can hang the engine's disposal)."""
        await self.ensure_ready()
        _IN_WORKER.set(True)  # its own `run_due` woke it at once: it looped without sleeping
        while not self._stopping:
            self._wake.clear()
            try:
                await self.run_due()
                await self.deliver()
                async with self.reading() as ctx:
                    upcoming = [
                        t
                        for t in (await ctx.repo.next_due(), await ctx.repo.next_delivery_at())
                        if t is not None
                    ]
            except Exception:  # the worker must outlive one bad step; the error is logged
                log.exception("bss worker step failed")
                upcoming = []
            if self._stopping:
                break
            delay = (
                max_sleep
                if not upcoming
                else min(max_sleep, max(0.0, min(upcoming) - self.clock.now()))
            )
            if delay > 0:
                with suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), timeout=delay)

    def stop(self) -> None:
        self._stopping = True
        self._wake.set()


def _replay(seen: tuple[str, int, Body], fp: str) -> tuple[int, Body, bool]:
    stored_fp, status, body = seen
    if stored_fp != fp:
        raise TmfError(
            409,
            "IDEMPOTENCY_CONFLICT",
            "This Idempotency-Key was already used for a different request",
        )
    return status, body, True
