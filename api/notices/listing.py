"""Notices as the operator reads them: each with its delivery state — the notice's own (sent,
deferred, suppressed with its reason, failed) and, once sent, its outbox row's (pending,
sent, failed at the provider)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.ext.asyncio import async_sessionmaker

from switchboard.db.models import Notice, OutboxMessage


class NoticeOut(BaseModel):
    id: str
    kind: str
    category: str
    customer_id: str
    channel: str
    recipient: str | None
    conversation_id: str | None
    ref: str | None
    text: str
    status: str
    reason: str | None
    due_at: datetime
    created_at: datetime
    sent_at: datetime | None
    delivery: str | None  # the outbox's status of its message (None: not on a messaging channel)
    bss_ref: str | None  # its TMF683 interaction / TMF681 message in the BSS, once written back


async def list_notices(
    sessionmaker: async_sessionmaker[Any],
    *,
    status: str | None = None,
    kind: str | None = None,
    ref: str | None = None,
    customer_id: str | None = None,
    limit: int = 200,
) -> list[NoticeOut]:
    """Newest first."""
    stmt = select(Notice)
    for column, value in (
        (Notice.status, status),
        (Notice.kind, kind),
        (Notice.ref, ref),
        (Notice.customer_id, customer_id),
    ):
        if value is not None:
            stmt = stmt.where(column == value)
    stmt = stmt.order_by(Notice.created_at.desc(), Notice.id).limit(max(1, min(limit, 1000)))
    async with sessionmaker() as session:
        rows = list(await session.scalars(stmt))
        keys = [f"notice:{n.id}:0" for n in rows] + [f"notice:{n.id}:sms:0" for n in rows]
        found = await session.execute(
            select(OutboxMessage.dedupe_key, OutboxMessage.status).where(
                OutboxMessage.dedupe_key.in_(keys)
            )
        )
        delivery: dict[str, str] = {str(key): str(state) for key, state in found}
    return [
        NoticeOut(
            id=n.id,
            kind=n.kind,
            category=n.category,
            customer_id=n.customer_id,
            channel=n.channel,
            recipient=n.recipient,
            conversation_id=n.conversation_id,
            ref=n.ref,
            text=n.text,
            status=n.status,
            reason=n.reason,
            due_at=n.due_at,
            created_at=n.created_at,
            sent_at=n.sent_at,
            delivery=delivery.get(f"notice:{n.id}:0") or delivery.get(f"notice:{n.id}:sms:0"),
            bss_ref=n.bss_ref,
        )
        for n in rows
    ]
