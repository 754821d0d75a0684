"""The desk's view of the handoff queue: each row with the customer's name, and conversations
that waited longer than `desk_escalate_after_s` marked escalated for supervisors — once, by a
conditional UPDATE, so any replica may run the check and it is still done once."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import async_sessionmaker

from api.customers import CustomerDirectory
from api.desk import views
from switchboard.db.models import HandoffRecord, utcnow


async def escalate_overdue(sessionmaker: async_sessionmaker[Any], *, after_s: float) -> int:
    """Mark handoffs still waiting after `after_s` as escalated; how many were marked now."""
    cutoff = utcnow() - timedelta(seconds=after_s)
    async with sessionmaker() as session, session.begin():
        marked = await session.execute(
            update(HandoffRecord)
            .where(
                HandoffRecord.status == "waiting",
                HandoffRecord.escalated_at.is_(None),
                HandoffRecord.created_at <= cutoff,
            )
            .values(escalated_at=utcnow())
        )
    return int(marked.rowcount)  # type: ignore[attr-defined]


async def customer_names(directory: CustomerDirectory) -> dict[str, str]:
    """Customer id → the account holder's name, from the directory (the demo world's seed)."""
    names: dict[str, str] = {}
    for customer in await directory.demo_customers():
        if customer.lines is None:
            names.setdefault(customer.customer_id, customer.name)
    return names


async def desk_queue(
    sessionmaker: async_sessionmaker[Any], directory: CustomerDirectory, *, escalate_after_s: float
) -> list[views.QueueItem]:
    await escalate_overdue(sessionmaker, after_s=escalate_after_s)
    names = await customer_names(directory)
    items = await views.queue(sessionmaker)
    return [
        item.model_copy(update={"customer_name": names.get(item.customer_id or "")})
        for item in items
    ]
