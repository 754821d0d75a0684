"""The pending-action protocol (CONTRACT.md §4, docs/decisions/0004-confirmation-protocol.md).

A write tool only *proposes*: `propose` records the quote. `confirm` — called by the turn loop
on an explicit yes, or by the confirm endpoint — moves it proposed → confirmed → executing →
succeeded | failed with conditional updates (`WHERE status = ...`, rowcount == 1), so of any
number of concurrent or replayed confirmations exactly one calls the BSS, with an idempotency
key derived from the action id. Everyone else gets the stored result. An expired quote is
never executed; declining cancels it. No tool can reach this module's `confirm`.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import uuid
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import async_sessionmaker

from assistant.events import ActionExecuted, ActionProposed
from switchboard.db.models import PendingAction, utcnow
from switchboard.errors import NotFoundError
from switchboard.settings import Settings, get_settings
from tools import audit
from tools.failures import describe_failure

log = logging.getLogger(__name__)

TERMINAL = ("succeeded", "failed", "cancelled", "expired")
_POLL_S = 0.05


class ActionRecord(BaseModel):
    """A pending action as stored."""

    model_config = ConfigDict(from_attributes=True, frozen=True)

    id: str
    conversation_id: str
    customer_id: str
    tool: str
    args: dict[str, Any]
    amount: Decimal | None
    currency: str | None
    summary: str
    status: str
    idempotency_key: str
    expires_at: datetime
    receipt: dict[str, Any] | None
    error: str | None
    created_at: datetime
    updated_at: datetime

    def model_post_init(self, _context: Any) -> None:
        for name in ("expires_at", "created_at", "updated_at"):
            value = getattr(self, name)
            if value.tzinfo is None:  # SQLite hands datetimes back naive; they are UTC
                object.__setattr__(self, name, value.replace(tzinfo=UTC))

    def expired(self, now: datetime | None = None) -> bool:
        return self.expires_at <= (now or utcnow())


# An executor performs a confirmed action against the BSS and returns its receipt (JSON-safe,
# with `bss_ref` and a customer-facing `message`); it raises the BSS client's errors, which
# become a failed action.
Executor = Callable[[Any, ActionRecord], Awaitable[dict[str, Any]]]


def idempotency_key_for(action_id: str) -> str:
    return f"switchboard-action-{action_id}"


def _jsonable(args: Mapping[str, Any]) -> dict[str, Any]:
    return json.loads(json.dumps(dict(args), default=str, sort_keys=True))  # type: ignore[no-any-return]


def _proposed_event(action: ActionRecord) -> ActionProposed:
    return ActionProposed(
        action_id=action.id,
        tool=action.tool,
        args=action.args,
        summary=action.summary,
        amount=float(action.amount) if action.amount is not None else None,
        currency=action.currency,
        expires_at=action.expires_at,
    )


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
    return _proposed_event(ActionRecord.model_validate(row))


async def get_action(sessionmaker: async_sessionmaker[Any], action_id: str) -> ActionRecord | None:
    async with sessionmaker() as session:
        row = await session.get(PendingAction, action_id, populate_existing=True)
        return ActionRecord.model_validate(row) if row is not None else None


async def open_action(
    sessionmaker: async_sessionmaker[Any],
    conversation_id: str,
    *,
    include_expired: bool = False,
    now: datetime | None = None,
) -> ActionRecord | None:
    """The conversation's latest quote still awaiting an answer (what a "yes" would confirm).
    With `include_expired`, a quote whose time ran out is returned too, so the turn loop can
    say so and re-quote (`confirm` on it returns status `expired`)."""
    stmt = select(PendingAction).where(
        PendingAction.conversation_id == conversation_id, PendingAction.status == "proposed"
    )
    if not include_expired:
        stmt = stmt.where(PendingAction.expires_at > (now or utcnow()))
    stmt = stmt.order_by(PendingAction.created_at.desc()).limit(1)
    async with sessionmaker() as session:
        row = (await session.scalars(stmt)).first()
        return ActionRecord.model_validate(row) if row is not None else None


async def _owned(
    sessionmaker: async_sessionmaker[Any], action_id: str, customer_id: str, conversation_id: str
) -> ActionRecord:
    action = await get_action(sessionmaker, action_id)
    if (
        action is None
        or action.customer_id != customer_id
        or action.conversation_id != conversation_id
    ):
        # Someone else's action looks exactly like a missing one.
        raise NotFoundError(f"action {action_id} not found for this conversation")
    return action


async def _transition(
    sessionmaker: async_sessionmaker[Any],
    action: ActionRecord,
    *,
    source: str,
    target: str,
    event: audit.AuditEvent | None,
    actor: str,
    now: datetime,
    unexpired: bool = False,
    unchanged_since: datetime | None = None,
    receipt: dict[str, Any] | None = None,
    error: str | None = None,
    bss_ref: str | None = None,
) -> bool:
    """`UPDATE ... SET status=target WHERE id=? AND status=source`; audited iff it won."""
    stmt = update(PendingAction).where(
        PendingAction.id == action.id, PendingAction.status == source
    )
    if unexpired:
        stmt = stmt.where(PendingAction.expires_at > now)
    if unchanged_since is not None:  # only one taker of a stale row wins
        stmt = stmt.where(PendingAction.updated_at == unchanged_since)
    values: dict[str, Any] = {"status": target, "updated_at": now}
    if receipt is not None:
        values["receipt"] = receipt
    if error is not None:
        values["error"] = error
    async with sessionmaker() as session, session.begin():
        result = await session.execute(stmt.values(**values))
        won = bool(result.rowcount == 1)  # type: ignore[attr-defined]
        if won and event is not None:
            audit.record(
                session,
                actor=actor,
                event=event,
                action_id=action.id,
                tool=action.tool,
                customer_id=action.customer_id,
                conversation_id=action.conversation_id,
                args=action.args,
                amount=action.amount,
                currency=action.currency,
                bss_ref=bss_ref,
                detail=error,
            )
    return won


def _executed(action: ActionRecord) -> ActionExecuted:
    status = {"succeeded": "ok", "failed": "failed", "cancelled": "cancelled"}.get(
        action.status, "expired"
    )
    return ActionExecuted(
        action_id=action.id,
        tool=action.tool,
        status=status,  # type: ignore[arg-type]
        receipt=action.receipt or ({"reason": action.error} if action.error else None),
    )


async def confirm(
    *,
    sessionmaker: async_sessionmaker[Any],
    bss: Any,
    action_id: str,
    customer_id: str,
    conversation_id: str,
    actor: str,
    settings: Settings | None = None,
    executors: Mapping[str, Executor] | None = None,
    now: datetime | None = None,
) -> ActionExecuted:
    """Execute the customer's confirmed quote exactly once and return its result.

    Raises `NotFoundError` if the action is not this customer's in this conversation. A replay
    (second click, retried request, redelivered webhook) returns the stored result without a
    second BSS call; a confirmation racing another waits for that one's result. An expired
    quote becomes `expired` and is not executed: quote again."""
    settings = settings or get_settings()
    now = now or utcnow()
    action = await _owned(sessionmaker, action_id, customer_id, conversation_id)
    await _transition(
        sessionmaker,
        action,
        source="proposed",
        target="confirmed",
        event="confirmed",
        actor=actor,
        now=now,
        unexpired=True,
    )
    if await _transition(
        sessionmaker,
        action,
        source="confirmed",
        target="executing",
        event=None,
        actor=actor,
        now=now,
    ):
        return await _execute(sessionmaker, bss, action, settings, executors, actor)
    return await _settle(sessionmaker, bss, action, settings, executors, actor, now)


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
    action = await _owned(sessionmaker, action_id, customer_id, conversation_id)
    if await _transition(
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
    return await _wait_terminal(sessionmaker, action.id)


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
        count += await _transition(
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


async def _execute(
    sessionmaker: async_sessionmaker[Any],
    bss: Any,
    action: ActionRecord,
    settings: Settings,
    executors: Mapping[str, Executor] | None,
    actor: str,
) -> ActionExecuted:
    """We own the `executing` state: re-check limits, call the BSS once, store the result."""
    from tools.policy import recheck_limits
    from tools.registry import EXECUTORS

    problem = await recheck_limits(sessionmaker, settings=settings, action=action)
    if problem is not None:
        await _transition(
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
        return await _wait_terminal(sessionmaker, action.id)
    executor = (executors or EXECUTORS)[action.tool]
    try:
        receipt = await executor(bss, action)
    except Exception as exc:
        failure = describe_failure(exc)
        if failure.code == "internal_error":
            log.exception("action %s (%s) failed unexpectedly", action.id, action.tool)
        if failure.retryable:
            # The outcome is unknown (timeout, BSS down): back to `confirmed`, so a retried
            # confirmation re-sends the same idempotency key and the BSS answers it once.
            await _transition(
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
                receipt={"error": failure.code, "message": failure.message, "retryable": True},
            )
        await _transition(
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
        return await _wait_terminal(sessionmaker, action.id)
    await _transition(
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
    return await _wait_terminal(sessionmaker, action.id)


async def _settle(
    sessionmaker: async_sessionmaker[Any],
    bss: Any,
    action: ActionRecord,
    settings: Settings,
    executors: Mapping[str, Executor] | None,
    actor: str,
    now: datetime,
) -> ActionExecuted:
    """We lost the race to execute (or never could): report what the action came to."""
    current = await get_action(sessionmaker, action.id)
    assert current is not None
    if current.status == "proposed":  # still proposed after a failed claim: it has expired
        await _transition(
            sessionmaker,
            current,
            source="proposed",
            target="expired",
            event="expired",
            actor=actor,
            now=now,
            error="expired",
        )
        return await _wait_terminal(sessionmaker, action.id)
    if current.status == "executing" and _stale(current, settings):
        # The executor died mid-call (crash, restart). Take over with the same key.
        if await _transition(
            sessionmaker,
            current,
            source="executing",
            target="executing",
            event=None,
            actor=actor,
            now=utcnow(),
            unchanged_since=current.updated_at,
        ):
            return await _execute(sessionmaker, bss, current, settings, executors, actor)
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
    return await _wait_terminal(sessionmaker, action.id, timeout_s=settings.bss_timeout_s * 3)


def _stale(action: ActionRecord, settings: Settings) -> bool:
    return utcnow() - action.updated_at > timedelta(seconds=settings.bss_timeout_s * 3 + 30)


async def _wait_terminal(
    sessionmaker: async_sessionmaker[Any], action_id: str, *, timeout_s: float = 30.0
) -> ActionExecuted:
    """The action's final result; while another confirmation is executing it, wait for it."""
    deadline = asyncio.get_running_loop().time() + timeout_s
    while True:
        current = await get_action(sessionmaker, action_id)
        assert current is not None
        if current.status in TERMINAL:
            return _executed(current)
        if asyncio.get_running_loop().time() >= deadline or current.status == "confirmed":
            return ActionExecuted(
                action_id=current.id,
                tool=current.tool,
                status="failed",
                receipt={
                    "error": "in_progress",
                    "retryable": True,
                    "message": "That is still being processed; please check again shortly.",
                },
            )
        await asyncio.sleep(_POLL_S)
