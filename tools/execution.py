"""Running a claimed action: re-check the limits, call the BSS once through the tool's executor,
store the result — or, when we lost the race, report the result the winner stored."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import async_sessionmaker

from switchboard.db.models import utcnow
from switchboard.settings import Settings
from tools import audit
from tools.action_store import ActionRecord, Executor, get_action, transition, wait_terminal
from tools.bss.client import BssClient
from tools.events import ActionExecuted
from tools.failures import UNCONFIRMED, describe_failure

log = logging.getLogger(__name__)


async def execute(
    sessionmaker: async_sessionmaker[Any],
    bss: BssClient,
    action: ActionRecord,
    settings: Settings,
    executors: Mapping[str, Executor],
    actor: str,
    *,
    recheck: bool = True,
) -> ActionExecuted:
    """We own the `executing` state: re-check limits, call the BSS once, store the result.

    `recheck=False` for a recovered execution: its limits held when it first began, and its
    BSS call may already have been applied (the same key then returns that result)."""
    from tools.policy import recheck_limits

    problem = None
    if recheck:
        problem = await recheck_limits(sessionmaker, settings=settings, action=action)
    if problem is not None:
        await transition(
            sessionmaker,
            action,
            source="executing",
            target="failed",
            event="failed",
            actor="policy",
            now=utcnow(),
            error=problem,
            receipt={"error": "limit_exceeded", "message": problem},
        )
        return await wait_terminal(sessionmaker, action.id)
    try:
        executor = executors[action.tool]
        receipt = await executor(bss, action)
    except Exception as exc:
        failure = describe_failure(exc)
        if failure.code == "internal_error":
            log.exception("action %s (%s) failed unexpectedly", action.id, action.tool)
        if failure.retryable:
            # The outcome is unknown (timeout, BSS down): back to `confirmed`, so a retried
            # confirmation re-sends the same idempotency key and the BSS answers it once.
            await transition(
                sessionmaker,
                action,
                source="executing",
                target="confirmed",
                event="failed",
                actor=actor,
                now=utcnow(),
                error=f"{failure.code} (retryable)",
            )
            return ActionExecuted(
                action_id=action.id,
                tool=action.tool,
                status="failed",
                receipt={"error": failure.code, "message": UNCONFIRMED, "retryable": True},
            )
        await transition(
            sessionmaker,
            action,
            source="executing",
            target="failed",
            event="failed",
            actor=actor,
            now=utcnow(),
            error=failure.message,
            receipt={"error": failure.code, "message": failure.message},
        )
        return await wait_terminal(sessionmaker, action.id)
    await transition(
        sessionmaker,
        action,
        source="executing",
        target="succeeded",
        event="executed",
        actor=actor,
        now=utcnow(),
        receipt=receipt,
        bss_ref=receipt.get("bss_ref"),
    )
    return await wait_terminal(sessionmaker, action.id)


async def settle(
    sessionmaker: async_sessionmaker[Any],
    bss: BssClient,
    action: ActionRecord,
    settings: Settings,
    executors: Mapping[str, Executor],
    actor: str,
    now: datetime,
) -> ActionExecuted:
    """We lost the race to execute (or never could): report what the action came to."""
    current = await get_action(sessionmaker, action.id)
    assert current is not None
    if current.status == "proposed":  # still proposed after a failed claim: it has expired
        await transition(
            sessionmaker,
            current,
            source="proposed",
            target="expired",
            event="expired",
            actor=actor,
            now=now,
            error="expired",
        )
        return await wait_terminal(sessionmaker, action.id)
    if current.status == "executing" and _stale(current, settings):
        # The executor died mid-call (crash, restart). Take over with the same key.
        if await transition(
            sessionmaker,
            current,
            source="executing",
            target="executing",
            event=None,
            actor=actor,
            now=utcnow(),
            unchanged_since=current.updated_at,
        ):
            return await execute(sessionmaker, bss, current, settings, executors, actor)
    if current.status == "succeeded":
        async with sessionmaker() as session, session.begin():
            audit.record(
                session,
                actor=actor,
                event="replayed",
                action_id=current.id,
                tool=current.tool,
                customer_id=current.customer_id,
                conversation_id=current.conversation_id,
                bss_ref=(current.receipt or {}).get("bss_ref"),
            )
    return await wait_terminal(sessionmaker, action.id, timeout_s=settings.bss_timeout_s * 3)


def _stale(action: ActionRecord, settings: Settings) -> bool:
    return utcnow() - action.updated_at > timedelta(seconds=settings.bss_timeout_s * 3 + 30)
