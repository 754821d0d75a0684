"""`ActionDesk` over tools/actions.py: the real pending-action store and executor."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from assistant.actions.pending import ActionResult, OpenAction
from assistant.events import ActionExecuted
from tools import actions
from tools.context import TurnContext
from tools.registry import EXECUTORS, requote

_EXPIRED = "That quote has expired, so nothing was changed."
_CANCELLED = "OK, I've cancelled that — nothing was changed. Anything else I can help with?"
_FAILED = "Sorry, that didn't go through, and nothing was charged."


def result_message(summary: str, event: ActionExecuted) -> str:
    """What the customer is told about an action's result."""
    receipt: dict[str, Any] = event.receipt or {}
    if event.status == "ok":
        ref = receipt.get("bss_ref") or receipt.get("reference")
        done = receipt.get("message") or f"Done: {summary.rstrip('.')}."
        return f"{done} Reference: {ref}." if ref and str(ref) not in done else str(done)
    if event.status == "cancelled":
        if receipt.get("reason") == "superseded":
            return "That quote was replaced by a newer one, so nothing was changed."
        return _CANCELLED
    if event.status == "expired":
        return _EXPIRED
    return str(receipt.get("message") or _FAILED)


class ToolsActionDesk:
    """Confirms and cancels through tools.actions, as the conversation's verified customer.
    `executors` replaces the registry's (tests pass fakes)."""

    def __init__(self, executors: Mapping[str, actions.Executor] | None = None) -> None:
        self._executors = EXECUTORS if executors is None else executors

    @property
    def executors(self) -> Mapping[str, actions.Executor]:
        return self._executors

    async def open_action(self, ctx: TurnContext) -> OpenAction | None:
        record = await actions.open_action(
            ctx.sessionmaker, ctx.conversation_id, include_expired=True
        )
        return record.proposed() if record is not None else None

    async def confirm(self, ctx: TurnContext, action_id: str) -> ActionResult:
        record = await actions.get_action(ctx.sessionmaker, action_id)
        event = await actions.confirm(
            sessionmaker=ctx.sessionmaker,
            bss=ctx.bss,
            action_id=action_id,
            customer_id=ctx.customer_id or "",
            conversation_id=ctx.conversation_id,
            actor=f"customer:{ctx.channel}",
            settings=ctx.settings,
            executors=self._executors,
        )
        return self._result(record, event)

    async def cancel(self, ctx: TurnContext, action_id: str) -> ActionResult:
        record = await actions.get_action(ctx.sessionmaker, action_id)
        event = await actions.cancel(
            sessionmaker=ctx.sessionmaker,
            action_id=action_id,
            customer_id=ctx.customer_id or "",
            conversation_id=ctx.conversation_id,
            actor=f"customer:{ctx.channel}",
        )
        return self._result(record, event)

    async def requote(self, ctx: TurnContext, action_id: str) -> Any:
        return await requote(ctx, action_id)

    @staticmethod
    def _result(record: actions.ActionRecord | None, event: ActionExecuted) -> ActionResult:
        summary = record.summary if record is not None else "that"
        return ActionResult(
            action_id=event.action_id,
            tool=event.tool,
            status=event.status,
            message=result_message(summary, event),
            receipt=event.receipt,
        )
