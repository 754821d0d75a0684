"""The confirmation protocol's events (CONTRACT.md §3-4): a write tool's quote and its outcome.
They belong to the tools that produce them; `assistant/events.py` re-exports them beside the
turn's other events."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar, Literal

from switchboard.wire import WireEvent


class ActionProposed(WireEvent):
    name: ClassVar[str] = "action.proposed"
    kind: Literal["action.proposed"] = "action.proposed"
    action_id: str
    tool: str
    args: dict[str, Any]
    summary: str
    amount: float | None
    currency: str | None
    expires_at: datetime


class ActionExecuted(WireEvent):
    name: ClassVar[str] = "action.executed"
    kind: Literal["action.executed"] = "action.executed"
    action_id: str
    tool: str
    status: Literal["ok", "failed", "cancelled", "expired"]
    receipt: dict[str, Any] | None = None
