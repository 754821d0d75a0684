"""The pending-action protocol (CONTRACT.md §4, docs/decisions/0004-confirmation-protocol.md).

A write tool only *proposes*: `propose` records the quote. `confirm` — called by the turn loop
on an explicit yes, or by the confirm endpoint — moves it proposed → confirmed → executing →
succeeded | failed with conditional updates (`WHERE status = ...`, rowcount == 1), so of any
number of concurrent or replayed confirmations exactly one calls the BSS, with an idempotency
key derived from the action id. Everyone else gets the stored result. An expired quote is
never executed; declining cancels it. No tool can reach this module's `confirm`.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Mapping
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import async_sessionmaker

from switchboard.db.models import PendingAction, utcnow
from switchboard.settings import Settings, get_settings
from tools import audit
from tools.action_store import (
    TERMINAL,
    ActionRecord,
    Executor,
    executed_event,
    get_action,
    open_action,
    owned,
    transition,
    wait_terminal,
)
from tools.bss.client import BssClient
from tools.events import ActionExecuted, ActionProposed
from tools.execution import execute, settle

__all__ = [
    "TERMINAL",
    "ActionRecord",
    "Executor",
    "cancel",
    "confirm",
    "executed_event",
    "expire_due",
    "get_action",
    "idempotency_key_for",
    "open_action",
    "propose",
]


def idempotency_key_for(action_id: str) -> str:
    return f"switchboard-action-{action_id}"


def _jsonable(args: Mapping[str, Any]) -> dict[str, Any]:
    return json.loads(json.dumps(dict(args), default=str, sort_keys=True))  # type: ignore[no-any-return]


async def propose(
    *,
    sessionmaker: async_sessionmaker[Any],
    conversation_id: str,
    customer_id: str,
    tool: str,
    args: Mapping[str, Any],
    summary: str,
    ttl_s: int,
    amount: Decimal | None = None,
    currency: str | None = None,
    actor: str = "assistant",
    now: datetime | None = None,
) -> ActionProposed:
    """Record a quote and return its `action.proposed` event. Any earlier open quote in the
    conversation is superseded, so a later "yes" can only mean this one."""
    now = now or utcnow()
    action_id = str(uuid.uuid4())
    clean = _jsonable(args)
    async with sessionmaker() as session, session.begin():
        stale = await session.scalars(
            select(PendingAction.id).where(
                PendingAction.conversation_id == conversation_id,
                PendingAction.status == "proposed",
            )
        )
        for old_id in stale.all():
            result = await session.execute(
                update(PendingAction)
                .where(PendingAction.id == old_id, PendingAction.status == "proposed")
                .values(status="cancelled", error="superseded", updated_at=now)
            )
            if result.rowcount == 1:  # type: ignore[attr-defined]
                audit.record(
                    session,
                    actor=actor,
                    event="superseded",
                    action_id=old_id,
                    customer_id=customer_id,
                    conversation_id=conversation_id,
                )
        row = PendingAction(
            id=action_id,
            conversation_id=conversation_id,
            customer_id=customer_id,
            tool=tool,
            args=clean,
            args_hash=hashlib.sha256(json.dumps(clean, sort_keys=True).encode()).hexdigest(),
            amount=amount,
            currency=currency,
            summary=summary,
            status="proposed",
            idempotency_key=idempotency_key_for(action_id),
            expires_at=now + timedelta(seconds=ttl_s),
            created_at=now,
            updated_at=now,
        )
        session.add(row)
        audit.record(
            session,
            actor=actor,
            event="proposed",
            action_id=action_id,
            tool=tool,
            customer_id=customer_id,
            conversation_id=conversation_id,
            args=clean,
            amount=amount,
            currency=currency,
            detail=summary,
        )
    return ActionRecord.model_validate(row).proposed()


async def confirm(
    *,
    sessionmaker: async_sessionmaker[Any],
    bss: BssClient,
    action_id: str,
    customer_id: str,
    conversation_id: str,
    actor: str,
    executors: Mapping[str, Executor],
    settings: Settings | None = None,
    now: datetime | None = None,
) -> ActionExecuted:
    """Execute the customer's confirmed quote exactly once and return its result.

    Raises `NotFoundError` if the action is not this customer's in this conversation. A replay
    (second click, retried request, redelivered webhook) returns the stored result without a
    second BSS call; a confirmation racing another waits for that one's result. An expired
    quote becomes `expired` and is not executed: quote again."""
    settings = settings or get_settings()
    now = now or utcnow()
    action = await owned(sessionmaker, action_id, customer_id, conversation_id)
    await transition(
        sessionmaker,
        action,
        source="proposed",
        target="confirmed",
        event="confirmed",
        actor=actor,
        now=now,
        unexpired=True,
    )
    if await transition(
        sessionmaker,
        action,
        source="confirmed",
        target="executing",
        event=None,
        actor=actor,
        now=now,
    ):
        return await execute(sessionmaker, bss, action, settings, executors, actor)
    return await settle(sessionmaker, bss, action, settings, executors, actor, now)


async def cancel(
    *,
    sessionmaker: async_sessionmaker[Any],
    action_id: str,
    customer_id: str,
    conversation_id: str,
    actor: str,
    now: datetime | None = None,
) -> ActionExecuted:
    """Decline a quote. A quote already executed (or executing) is not undone: its result is
    returned instead."""
    now = now or utcnow()
    action = await owned(sessionmaker, action_id, customer_id, conversation_id)
    if await transition(
        sessionmaker,
        action,
        source="proposed",
        target="cancelled",
        event="cancelled",
        actor=actor,
        now=now,
        error="declined",
    ):
        return ActionExecuted(
            action_id=action.id,
            tool=action.tool,
            status="cancelled",
            receipt={"reason": "declined"},
        )
    return await wait_terminal(sessionmaker, action.id)


async def expire_due(sessionmaker: async_sessionmaker[Any], *, now: datetime | None = None) -> int:
    """Mark every proposed quote past its expiry as expired (audited); returns how many."""
    now = now or utcnow()
    async with sessionmaker() as session:
        rows = (
            await session.scalars(
                select(PendingAction).where(
                    PendingAction.status == "proposed", PendingAction.expires_at <= now
                )
            )
        ).all()
    count = 0
    for row in rows:
        action = ActionRecord.model_validate(row)
        count += await transition(
            sessionmaker,
            action,
            source="proposed",
            target="expired",
            event="expired",
            actor="system",
            now=now,
            error="expired",
        )
    return count
