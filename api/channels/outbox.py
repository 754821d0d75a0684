"""The outbox: channel messages are written here (with a dedupe key, in the transaction of
their cause) and a worker delivers them through the channel senders, retrying with backoff.

A channel without credentials has no sender: its rows stay `pending` and the outbox itself is
the inspectable destination (`GET /v1/admin/outbox`). Rows are claimed with a conditional
update and a lease, so two workers never send the same row at once and a worker that dies
mid-send leaves the row to be retried (delivery is at-least-once; see ADR 0009)."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

import anyio
import httpx
from pydantic import BaseModel, ConfigDict
from sqlalchemy import func, or_, select, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.channels.sender import Sender, SendResult
from switchboard import telemetry
from switchboard.db.models import OutboxMessage, utcnow

log = logging.getLogger(__name__)
LEASE = timedelta(seconds=60)


class OutboxRow(BaseModel):
    model_config = ConfigDict(from_attributes=True, frozen=True)

    id: int
    conversation_id: str | None
    channel: str
    recipient: str
    kind: str
    payload: dict[str, Any]
    dedupe_key: str
    status: str
    attempts: int
    next_attempt_at: datetime
    created_at: datetime
    sent_at: datetime | None


async def enqueue(
    session: AsyncSession,
    *,
    channel: str,
    recipient: str,
    kind: str,
    text: str,
    dedupe_key: str,
    conversation_id: str | None = None,
    extra: Mapping[str, Any] | None = None,
) -> None:
    """Add a message inside the caller's transaction; a second row with the same
    `dedupe_key` is silently dropped (the first one wins)."""
    values = {
        "conversation_id": conversation_id,
        "channel": channel,
        "recipient": recipient,
        "kind": kind,
        "payload": {"text": text, **(extra or {})},
        "dedupe_key": dedupe_key[:160],
        "status": "pending",
        "attempts": 0,
        "next_attempt_at": utcnow(),
        "created_at": utcnow(),
    }
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        await session.execute(pg_insert(OutboxMessage).values(**values).on_conflict_do_nothing())
    else:
        await session.execute(
            sqlite_insert(OutboxMessage).values(**values).on_conflict_do_nothing()
        )


async def list_outbox(
    sessionmaker: async_sessionmaker[Any],
    *,
    status: str | None = None,
    channel: str | None = None,
    conversation_id: str | None = None,
    limit: int = 100,
) -> list[OutboxRow]:
    """Rows oldest first (the newest `limit` of them)."""
    stmt = select(OutboxMessage)
    if status is not None:
        stmt = stmt.where(OutboxMessage.status == status)
    if channel is not None:
        stmt = stmt.where(OutboxMessage.channel == channel)
    if conversation_id is not None:
        stmt = stmt.where(OutboxMessage.conversation_id == conversation_id)
    stmt = stmt.order_by(OutboxMessage.id.desc()).limit(max(1, min(limit, 1000)))
    async with sessionmaker() as session:
        rows = (await session.scalars(stmt)).all()
    return [OutboxRow.model_validate(row) for row in reversed(rows)]


OUTBOX_STATUSES = ("pending", "sending", "sent", "failed")


async def refresh_outbox_gauge(sessionmaker: async_sessionmaker[Any]) -> None:
    """Set the outbox gauge from the database (every replica sees the same shared outbox)."""
    stmt = select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
    async with sessionmaker() as session:
        counts = {str(status): int(n) for status, n in (await session.execute(stmt)).all()}
    for status in {*OUTBOX_STATUSES, *counts}:
        telemetry.OUTBOX.labels(status).set(counts.get(status, 0))


def backoff(attempts: int, *, base_s: float, cap_s: float) -> timedelta:
    return timedelta(seconds=min(cap_s, base_s * 2 ** max(0, attempts - 1)))


class OutboxWorker:
    """Delivers due rows of the channels that have a sender."""

    def __init__(
        self,
        sessionmaker: async_sessionmaker[Any],
        senders: Mapping[str, Sender],
        *,
        base_s: float = 2.0,
        cap_s: float = 600.0,
        max_attempts: int = 8,
        poll_s: float = 1.0,
        lease: timedelta = LEASE,
    ) -> None:
        self._sessionmaker = sessionmaker
        self._senders = dict(senders)
        self._base_s, self._cap_s = base_s, cap_s
        self._max_attempts = max_attempts
        self._poll_s = poll_s
        self._lease = lease
        self._wake = anyio.Event()
        self._stopping = False
        self._stopped = anyio.Event()
        self._round = anyio.Lock()  # one delivery round at a time in this process

    async def stop(self) -> None:
        """Finish the current round and return from `run` (no cancellation mid-transaction)."""
        self._stopping = True
        self._wake.set()
        await self._stopped.wait()

    def wake(self) -> None:
        """Deliver now instead of at the next poll (called after an enqueue)."""
        self._wake.set()

    async def run(self) -> None:
        try:
            await self._loop()
        finally:
            self._stopped.set()

    async def _loop(self) -> None:
        while not self._stopping:
            try:
                await self.deliver_due()
            except Exception:  # a database hiccup must not end the worker
                log.exception("outbox delivery round failed")
            with anyio.move_on_after(self._poll_s):
                await self._wake.wait()
            if not self._stopping:
                self._wake = anyio.Event()

    async def deliver_due(self, *, limit: int = 50) -> int:
        """One delivery round (after any round already running); how many rows were sent."""
        if not self._senders:
            return 0
        async with self._round:
            return await self._deliver_round(limit)

    async def _deliver_round(self, limit: int) -> int:
        now = utcnow()
        due = or_(OutboxMessage.status == "pending", OutboxMessage.status == "sending")
        async with self._sessionmaker() as session:
            ids = (
                await session.scalars(
                    select(OutboxMessage.id)
                    .where(
                        due,
                        OutboxMessage.next_attempt_at <= now,
                        OutboxMessage.channel.in_(self._senders),
                    )
                    .order_by(OutboxMessage.id)
                    .limit(limit)
                )
            ).all()
        sent = 0
        for row_id in ids:
            row = await self._claim(row_id, now)
            if row is not None and await self._deliver(row):
                sent += 1
        return sent

    async def _claim(self, row_id: int, now: datetime) -> OutboxMessage | None:
        async with self._sessionmaker() as session, session.begin():
            claimed = await session.execute(
                update(OutboxMessage)
                .where(
                    OutboxMessage.id == row_id,
                    or_(OutboxMessage.status == "pending", OutboxMessage.status == "sending"),
                    OutboxMessage.next_attempt_at <= now,
                )
                .values(status="sending", next_attempt_at=now + self._lease)
            )
            if claimed.rowcount != 1:  # type: ignore[attr-defined]
                return None
            row: OutboxMessage | None = await session.get(OutboxMessage, row_id)
            return row

    async def _deliver(self, row: OutboxMessage) -> bool:
        sender = self._senders[row.channel]
        try:
            result = await sender.send(
                recipient=row.recipient,
                text=str(row.payload.get("text", "")),
                payload={**row.payload, "dedupe_key": row.dedupe_key},
            )
        except httpx.HTTPError as exc:
            result = SendResult(ok=False, retry=True, error=type(exc).__name__)
        attempts = row.attempts + 1
        values: dict[str, Any] = {"attempts": attempts}
        if result.ok:
            values.update(status="sent", sent_at=utcnow())
            if result.provider_id:
                values["payload"] = {**row.payload, "provider_id": result.provider_id}
        elif result.retry and attempts < self._max_attempts:
            wait = backoff(attempts, base_s=self._base_s, cap_s=self._cap_s)
            values.update(status="pending", next_attempt_at=utcnow() + wait)
        else:
            values.update(status="failed", payload={**row.payload, "error": result.error})
        if not result.ok:
            log.warning(
                "outbox %s to %s: %s (attempt %d)", row.id, row.channel, result.error, attempts
            )
        async with self._sessionmaker() as session, session.begin():
            await session.execute(
                update(OutboxMessage).where(OutboxMessage.id == row.id).values(**values)
            )
        return result.ok
