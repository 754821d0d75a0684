"""Persistence for the simulator: TMF resources kept as JSON documents, plus the few tables
that need real constraints (idempotency keys, top-up ledger, hub subscriptions, event outbox).

Resources are documents because the simulator serves the TMF shapes as they are; the columns
beside the document (`customer_id`, `due_at`) are what queries and the clock need."""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    delete,
    event,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.engine import Engine
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from switchboard.files import private_sqlite_file

Doc = dict[str, Any]

metadata = MetaData()

meta = Table(
    "bss_meta",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

resource = Table(
    "bss_resource",
    metadata,
    Column("kind", String(40), primary_key=True),
    Column("id", String(80), primary_key=True),
    Column("seq", BigInteger, nullable=False),
    Column("customer_id", String(80), index=True),
    Column("due_at", Float, index=True),
    Column("body", Text, nullable=False),
)

idempotency = Table(
    "bss_idempotency",
    metadata,
    Column("key", String(200), primary_key=True),
    Column("fingerprint", String(128), nullable=False),
    Column("status", Integer, nullable=False),
    Column("body", Text, nullable=False),
    Column("created_at", Float, nullable=False),
)

topup_ledger = Table(
    "bss_topup_ledger",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("line_id", String(80), nullable=False, index=True),
    Column("day", String(10), nullable=False),
    Column("amount", Float, nullable=False),
    Column("topup_id", String(80), nullable=False),
    UniqueConstraint("topup_id"),
)

subscription = Table(
    "bss_subscription",
    metadata,
    Column("id", String(80), primary_key=True),
    Column("api", String(40), nullable=False),
    Column("callback", Text, nullable=False),
    Column("query", Text),
)

outbox = Table(
    "bss_event_outbox",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("subscription_id", String(80), nullable=False, index=True),
    Column("event_name", String(80), nullable=False),
    Column("body", Text, nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", Float, nullable=False, index=True),
    Column("delivered_at", Float),
    Column("dead", Integer, nullable=False, default=0),
    Column("last_error", Text),
)


def make_bss_engine(url: str) -> AsyncEngine:
    """An async engine; SQLite gets WAL and a busy timeout so readers never block the writer."""
    private_sqlite_file(url)  # 0600 before SQLite creates it with the umask's mode
    engine = create_async_engine(url)
    if url.startswith("sqlite"):

        @event.listens_for(engine.sync_engine, "connect")
        def _pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA busy_timeout=5000")
            cur.execute("PRAGMA synchronous=NORMAL")  # durable in WAL except on power loss
            cur.close()

        _ = Engine  # keep the import for type readers
    return engine


async def create_schema(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        await conn.run_sync(metadata.create_all)


async def drop_schema(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        await conn.run_sync(metadata.drop_all)


_last_seq = 0


def _next_seq() -> int:
    """Insertion order across restarts without a round trip: nanoseconds, strictly rising."""
    global _last_seq
    _last_seq = max(_last_seq + 1, time.time_ns())
    return _last_seq


def _dump(doc: Doc) -> str:
    return json.dumps(doc, separators=(",", ":"), sort_keys=True)


class Repo:
    """The simulator's data access, bound to one connection (one transaction)."""

    def __init__(self, conn: AsyncConnection, *, lock_rows: bool = False) -> None:
        self.conn = conn
        # In write transactions, rows read are locked (SELECT ... FOR UPDATE on PostgreSQL) so
        # that two processes serialise on the same line/bucket; SQLite locks the whole file.
        self.lock_rows = lock_rows
        self._bulk: list[dict[str, Any]] | None = None  # buffered inserts (seeding)
        self._counters: dict[str, int] = {}

    def begin_bulk(self) -> None:
        """Buffer `put()`s and counters until `end_bulk()` (reads flush first)."""
        self._bulk = []

    async def flush(self) -> None:
        if self._bulk:
            await self.conn.execute(insert(resource), self._bulk)
            self._bulk = []

    async def end_bulk(self) -> None:
        await self.flush()
        self._bulk = None
        for name, value in self._counters.items():
            await self.set_meta(f"counter:{name}", str(value))
        self._counters = {}

    # -- resources -----------------------------------------------------------------------------
    async def get(self, kind: str, rid: str) -> Doc | None:
        await self.flush()
        stmt = select(resource.c.body).where(resource.c.kind == kind, resource.c.id == rid)
        if self.lock_rows:
            stmt = stmt.with_for_update()
        row = (await self.conn.execute(stmt)).first()
        return None if row is None else dict(json.loads(row[0]))

    async def list_docs(self, kind: str, *, customer_id: str | None = None) -> list[Doc]:
        await self.flush()
        stmt = select(resource.c.body).where(resource.c.kind == kind)
        if customer_id is not None:
            stmt = stmt.where(resource.c.customer_id == customer_id)
        rows = (await self.conn.execute(stmt.order_by(resource.c.seq))).all()
        return [dict(json.loads(r[0])) for r in rows]

    async def put(
        self, kind: str, doc: Doc, *, customer_id: str | None = None, due_at: float | None = None
    ) -> None:
        """Insert a new resource (its `id` must be new)."""
        row = {
            "kind": kind,
            "id": doc["id"],
            "seq": _next_seq(),
            "customer_id": customer_id,
            "due_at": due_at,
            "body": _dump(doc),
        }
        if self._bulk is not None:
            self._bulk.append(row)
            return
        await self.conn.execute(insert(resource).values(**row))

    async def save(self, kind: str, doc: Doc, *, due_at: float | bool | None = False) -> None:
        """Replace a resource's document; `due_at=False` leaves its timer alone."""
        values: dict[str, Any] = {"body": _dump(doc)}
        if due_at is not False:
            values["due_at"] = due_at
        await self.conn.execute(
            update(resource)
            .where(resource.c.kind == kind, resource.c.id == doc["id"])
            .values(**values)
        )

    async def due(self, now: float, limit: int = 100) -> list[tuple[str, str]]:
        rows = (
            await self.conn.execute(
                select(resource.c.kind, resource.c.id)
                .where(resource.c.due_at.is_not(None), resource.c.due_at <= now)
                .order_by(resource.c.due_at, resource.c.seq)
                .limit(limit)
            )
        ).all()
        return [(r[0], r[1]) for r in rows]

    async def next_due(self) -> float | None:
        value = (await self.conn.execute(select(func.min(resource.c.due_at)))).scalar()
        return None if value is None else float(value)

    async def shift_timers(self, seconds: float) -> None:
        await self.conn.execute(
            update(resource)
            .where(resource.c.due_at.is_not(None))
            .values(due_at=resource.c.due_at - seconds)
        )

    async def clear(self) -> None:
        """Delete every row of every simulator table."""
        for table in reversed(metadata.sorted_tables):
            await self.conn.execute(delete(table))

    # -- counters and meta ---------------------------------------------------------------------
    async def next_number(self, name: str) -> int:
        if self._bulk is not None and name in self._counters:
            self._counters[name] += 1
            return self._counters[name]
        key = f"counter:{name}"
        row = (await self.conn.execute(select(meta.c.value).where(meta.c.key == key))).first()
        value = 1 if row is None else int(row[0]) + 1
        if self._bulk is not None:
            self._counters[name] = value
            return value
        if row is None:
            await self.conn.execute(insert(meta).values(key=key, value=str(value)))
        else:
            await self.conn.execute(update(meta).where(meta.c.key == key).values(value=str(value)))
        return value

    async def get_meta(self, key: str) -> str | None:
        row = (await self.conn.execute(select(meta.c.value).where(meta.c.key == key))).first()
        return None if row is None else str(row[0])

    async def set_meta(self, key: str, value: str) -> None:
        await self.conn.execute(delete(meta).where(meta.c.key == key))
        await self.conn.execute(insert(meta).values(key=key, value=value))

    # -- idempotency ---------------------------------------------------------------------------
    async def idempotent_response(self, key: str) -> tuple[str, int, Doc | list[Any]] | None:
        row = (
            await self.conn.execute(
                select(idempotency.c.fingerprint, idempotency.c.status, idempotency.c.body).where(
                    idempotency.c.key == key
                )
            )
        ).first()
        return None if row is None else (str(row[0]), int(row[1]), json.loads(row[2]))

    async def remember_response(
        self, key: str, fingerprint: str, status: int, body: Doc | list[Any]
    ) -> None:
        await self.conn.execute(
            insert(idempotency).values(
                key=key,
                fingerprint=fingerprint,
                status=status,
                body=json.dumps(body),
                created_at=time.time(),
            )
        )

    # -- top-up ledger -------------------------------------------------------------------------
    async def topped_up_on(self, line_id: str, day: str) -> float:
        value = (
            await self.conn.execute(
                select(func.coalesce(func.sum(topup_ledger.c.amount), 0.0)).where(
                    topup_ledger.c.line_id == line_id, topup_ledger.c.day == day
                )
            )
        ).scalar()
        return float(value or 0.0)

    async def record_topup(self, line_id: str, day: str, amount: float, topup_id: str) -> None:
        await self.conn.execute(
            insert(topup_ledger).values(line_id=line_id, day=day, amount=amount, topup_id=topup_id)
        )

    # -- hub subscriptions and outbox ----------------------------------------------------------
    async def add_subscription(self, sid: str, api: str, callback: str, query: str | None) -> None:
        await self.conn.execute(
            insert(subscription).values(id=sid, api=api, callback=callback, query=query)
        )

    async def get_subscription(self, sid: str) -> Doc | None:
        stmt = select(subscription).where(subscription.c.id == sid)
        row = (await self.conn.execute(stmt)).first()
        return None if row is None else dict(row._mapping)

    async def delete_subscription(self, sid: str) -> bool:
        result = await self.conn.execute(delete(subscription).where(subscription.c.id == sid))
        return bool(result.rowcount)

    async def subscriptions(self, api: str) -> list[Doc]:
        stmt = select(subscription).where(subscription.c.api == api)
        rows = (await self.conn.execute(stmt)).all()
        return [dict(r._mapping) for r in rows]

    async def enqueue(self, items: Iterable[tuple[str, str, Doc]], now: float) -> None:
        for sid, name, body in items:
            await self.conn.execute(
                insert(outbox).values(
                    subscription_id=sid,
                    event_name=name,
                    body=_dump(body),
                    attempts=0,
                    next_attempt_at=now,
                    dead=0,
                )
            )

    async def due_deliveries(self, now: float, limit: int = 50) -> list[Doc]:
        rows = (
            await self.conn.execute(
                select(
                    outbox.c.id,
                    outbox.c.subscription_id,
                    outbox.c.event_name,
                    outbox.c.body,
                    outbox.c.attempts,
                    subscription.c.callback,
                )
                .join(subscription, subscription.c.id == outbox.c.subscription_id)
                .where(
                    outbox.c.delivered_at.is_(None),
                    outbox.c.dead == 0,
                    outbox.c.next_attempt_at <= now,
                )
                .order_by(outbox.c.id)
                .limit(limit)
            )
        ).all()
        return [dict(r._mapping) for r in rows]

    async def next_delivery_at(self) -> float | None:
        value = (
            await self.conn.execute(
                select(func.min(outbox.c.next_attempt_at)).where(
                    outbox.c.delivered_at.is_(None), outbox.c.dead == 0
                )
            )
        ).scalar()
        return None if value is None else float(value)

    async def mark_delivered(self, oid: int, now: float) -> None:
        await self.conn.execute(
            update(outbox)
            .where(outbox.c.id == oid)
            .values(delivered_at=now, attempts=outbox.c.attempts + 1)
        )

    async def mark_failed(self, oid: int, *, next_at: float, dead: bool, error: str) -> None:
        await self.conn.execute(
            update(outbox)
            .where(outbox.c.id == oid)
            .values(
                attempts=outbox.c.attempts + 1,
                next_attempt_at=next_at,
                dead=int(dead),
                last_error=error[:500],
            )
        )
