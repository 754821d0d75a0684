"""The turn loop's view of pending actions (CONTRACT §4), behind a small protocol.

`tools/actions.py` owns the state machine and the execution; this module adapts it, so the turn
loop and the service depend on three calls only: what is open, confirm it, cancel it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from tools.context import TurnContext
from tools.events import ActionProposed

ExecutionStatus = Literal["ok", "failed", "cancelled", "expired"]


# The open action as the turn loop sees it is the quote the customer was shown: one shape, the
# `action.proposed` event (tools/events.py), made from the stored row by `ActionRecord.proposed`.
OpenAction = ActionProposed


@dataclass(frozen=True, slots=True)
class ActionResult:
    action_id: str
    tool: str
    status: ExecutionStatus
    message: str  # what to tell the customer
    receipt: dict[str, Any] | None = field(default=None)


class ActionDesk(Protocol):
    async def open_action(self, ctx: TurnContext) -> OpenAction | None: ...

    async def confirm(self, ctx: TurnContext, action_id: str) -> ActionResult: ...

    async def cancel(self, ctx: TurnContext, action_id: str) -> ActionResult: ...

    async def requote(self, ctx: TurnContext, action_id: str) -> Any:
        """Quote an expired action again; returns a tool outcome (with `proposed`)."""
        ...
