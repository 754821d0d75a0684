"""top-up (placeholder until the BSS client lands)."""

from __future__ import annotations

from typing import Any

from tools.actions import ActionRecord
from tools.context import TurnContext
from tools.failures import ToolRefusal
from tools.outcome import ToolOutcome
from tools.schemas import TopUpArgs


async def top_up(ctx: TurnContext, args: TopUpArgs) -> ToolOutcome:
    """Quote a prepaid top-up of `amount` pounds from the stored card to one of the
    customer's own lines (default: the signed-in line). Nothing is charged yet: it returns a
    quote the customer must explicitly confirm on their next message."""
    raise ToolRefusal("not_available", "That isn't available yet.")


async def execute_top_up(bss: Any, action: ActionRecord) -> dict[str, Any]:
    raise NotImplementedError
