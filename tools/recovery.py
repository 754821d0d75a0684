"""The recovery sweep: actions a dead process left `confirmed` or `executing` are finished.

A process can die after the customer confirmed and before the result was stored — even after
the BSS applied the change. Such an action is re-sent to the BSS with its own idempotency key
(docs/decisions/0020-action-recovery.md): if the first call was applied, the BSS answers with that
result and changes nothing; if it was not, it is applied now, once. A business refusal ends it
`failed`; an unreachable BSS leaves it `confirmed` for the next sweep. Only actions untouched
for `older_than` are taken (another replica may be executing a fresh one), and each is claimed
with a conditional update, so one sweeper wins it."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import async_sessionmaker

from switchboard.db.models import PendingAction, utcnow
from switchboard.settings import Settings
from tools.action_store import ActionRecord, Executor, transition
from tools.bss.client import BssClient
from tools.execution import execute

log = logging.getLogger(__name__)
UNFINISHED = ("confirmed", "executing")
SETTLED = ("succeeded", "failed")
LOOKBACK = timedelta(days=2)  # how far back a missing result event is looked for


async def unfinished(
    sessionmaker: async_sessionmaker[Any], *, older_than: timedelta, now: datetime | None = None
) -> list[ActionRecord]:
    """Actions left confirmed or executing, untouched for `older_than`."""
    cutoff = (now or utcnow()) - older_than
    async with sessionmaker() as session:
        rows = await session.scalars(
            select(PendingAction)
            .where(PendingAction.status.in_(UNFINISHED), PendingAction.updated_at <= cutoff)
            .order_by(PendingAction.updated_at)
        )
        return [ActionRecord.model_validate(row) for row in rows]


async def settled_since(
    sessionmaker: async_sessionmaker[Any], *, older_than: timedelta, now: datetime | None = None
) -> list[ActionRecord]:
    """Actions that ended succeeded or failed lately (whose result event may be missing)."""
    now = now or utcnow()
    async with sessionmaker() as session:
        rows = await session.scalars(
            select(PendingAction).where(
                PendingAction.status.in_(SETTLED),
                PendingAction.updated_at <= now - older_than,
                PendingAction.updated_at >= now - LOOKBACK,
            )
        )
        return [ActionRecord.model_validate(row) for row in rows]


async def finish(
    sessionmaker: async_sessionmaker[Any],
    bss: BssClient,
    action: ActionRecord,
    settings: Settings,
    executors: Mapping[str, Executor],
) -> bool:
    """Claim one unfinished action and re-send it with its key; False if someone else has it."""
    claimed = await transition(
        sessionmaker,
        action,
        source=action.status,
        target="executing",
        event=None,
        actor="recovery",
        now=utcnow(),
        unchanged_since=action.updated_at,
    )
    if not claimed:
        return False
    log.warning("recovering action %s (%s), left %s", action.id, action.tool, action.status)
    await execute(sessionmaker, bss, action, settings, executors, "recovery", recheck=False)
    return True
