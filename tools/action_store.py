"""Stored pending actions: the record, lookups, and the one way a status changes — a
conditional `UPDATE ... WHERE status = :from` whose winner writes the audit row in the same
transaction (docs/decisions/0004-confirmation-protocol.md)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import async_sessionmaker

from switchboard.db.models import PendingAction, utcnow
from switchboard.errors import NotFoundError, SwitchboardError
from tools import audit
from tools.bss.client import BssClient
from tools.events import ActionExecuted, ActionProposed

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

    def proposed(self) -> ActionProposed:
        """The quote as the customer was shown it (`action.proposed`): the one mapping from the
        stored action to what the turn loop and the clients see."""
        return ActionProposed(
            action_id=self.id,
            tool=self.tool,
            args=self.args,
            summary=self.summary,
            amount=float(self.amount) if self.amount is not None else None,
            currency=self.currency,
            expires_at=self.expires_at,
        )

    @field_validator("expires_at", "created_at", "updated_at")
    @classmethod
    def _utc(cls, value: datetime) -> datetime:
        # SQLite hands datetimes back naive; they are UTC.
        return value if value.tzinfo is not None else value.replace(tzinfo=UTC)

    def expired(self, now: datetime | None = None) -> bool:
        return self.expires_at <= (now or utcnow())


# An executor performs a confirmed action against the BSS and returns its receipt (JSON-safe,
# with `bss_ref` and a customer-facing `message`); it raises the BSS client's errors, which
# become a failed action.
Executor = Callable[[BssClient, ActionRecord], Awaitable[dict[str, Any]]]


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


async def owned(
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


async def transition(
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


def executed_event(action: ActionRecord) -> ActionExecuted:
    status = {"succeeded": "ok", "failed": "failed", "cancelled": "cancelled"}.get(
        action.status, "expired"
    )
    return ActionExecuted(
        action_id=action.id,
        tool=action.tool,
        status=status,  # type: ignore[arg-type]
        receipt=action.receipt or ({"reason": action.error} if action.error else None),
    )


class ActionInProgressError(SwitchboardError):
    """The action is being executed (or waits for the recovery sweep): not failed, not done.
    Saying "failed" here would invite a second confirmation, a second charge."""

    code = "action_in_progress"
    customer_message = (
        "That is still being processed; I'll confirm here as soon as it's done, "
        "so there's no need to ask again."
    )
    http_status = 202

    def __init__(self, action_id: str) -> None:
        super().__init__(f"action {action_id} is in progress")
        self.action_id = action_id


async def wait_terminal(
    sessionmaker: async_sessionmaker[Any], action_id: str, *, timeout_s: float = 30.0
) -> ActionExecuted:
    """The action's final result; while another confirmation is executing it, wait for it
    (`ActionInProgressError` if it is still unfinished after `timeout_s`, or left `confirmed`
    for a retry)."""
    deadline = asyncio.get_running_loop().time() + timeout_s
    while True:
        current = await get_action(sessionmaker, action_id)
        assert current is not None
        if current.status in TERMINAL:
            return executed_event(current)
        if asyncio.get_running_loop().time() >= deadline or current.status == "confirmed":
            raise ActionInProgressError(current.id)
        await asyncio.sleep(_POLL_S)
