"""The audit trail of actions: append-only rows (`audit_log`) written in the same transaction
as the state change they describe, read back by the admin endpoint and `switchboard audit`."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict
from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from switchboard.db.models import AuditEntry, utcnow

AuditEvent = Literal[
    "proposed",
    "confirmed",
    "cancelled",
    "superseded",
    "expired",
    "executed",
    "failed",
    "replayed",
    "refused",
    "handoff",
    # the agent desk (api/channels/agents.py), actor `agent:<id>`
    "agent_take",
    "agent_reply",
    "agent_return",
    "agent_close",
    "agent_reassign",
]


class AuditRecord(BaseModel):
    model_config = ConfigDict(from_attributes=True, frozen=True)

    id: int
    at: datetime
    actor: str
    event: str
    action_id: str | None
    tool: str | None
    customer_id: str | None
    conversation_id: str | None
    args: dict[str, Any] | None
    amount: Decimal | None
    currency: str | None
    bss_ref: str | None
    detail: str | None


def record(
    session: AsyncSession,
    *,
    actor: str,
    event: AuditEvent,
    action_id: str | None = None,
    tool: str | None = None,
    customer_id: str | None = None,
    conversation_id: str | None = None,
    args: dict[str, Any] | None = None,
    amount: Decimal | None = None,
    currency: str | None = None,
    bss_ref: str | None = None,
    detail: str | None = None,
) -> None:
    """Add one entry to `session`; it is written when the caller's transaction commits."""
    session.add(
        AuditEntry(
            at=utcnow(),
            actor=actor[:80],
            event=event,
            action_id=action_id,
            tool=tool,
            customer_id=customer_id,
            conversation_id=conversation_id,
            args=args,
            amount=amount,
            currency=currency,
            bss_ref=bss_ref,
            detail=detail,
        )
    )


async def query(
    sessionmaker: async_sessionmaker[Any],
    *,
    customer_id: str | None = None,
    action: str | None = None,
    event: str | None = None,
    conversation_id: str | None = None,
    since: datetime | None = None,
    limit: int = 100,
) -> list[AuditRecord]:
    """Entries oldest first (the newest `limit` of them). `action` matches an action id or a
    tool name (`top_up`)."""
    stmt = select(AuditEntry)
    if customer_id is not None:
        stmt = stmt.where(AuditEntry.customer_id == customer_id)
    if action is not None:
        stmt = stmt.where(or_(AuditEntry.action_id == action, AuditEntry.tool == action))
    if event is not None:
        stmt = stmt.where(AuditEntry.event == event)
    if conversation_id is not None:
        stmt = stmt.where(AuditEntry.conversation_id == conversation_id)
    if since is not None:
        stmt = stmt.where(AuditEntry.at >= since)
    stmt = stmt.order_by(AuditEntry.id.desc()).limit(max(1, min(limit, 10_000)))
    async with sessionmaker() as session:
        rows = (await session.scalars(stmt)).all()
    return [AuditRecord.model_validate(row) for row in reversed(rows)]
