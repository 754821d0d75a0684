"""roaming tools (placeholder until the BSS client lands)."""

from __future__ import annotations

from typing import Any

from tools.actions import ActionRecord
from tools.context import TurnContext
from tools.failures import ToolRefusal
from tools.outcome import ToolOutcome
from tools.schemas import SetRoamingArgs


async def set_roaming(ctx: TurnContext, args: SetRoamingArgs) -> ToolOutcome:
    """Quote turning roaming on or off for one of the customer's lines, with what it will cost
    abroad. Nothing changes until the customer explicitly confirms on their next message."""
    raise ToolRefusal("not_available", "That isn't available yet.")


async def execute_set_roaming(bss: Any, action: ActionRecord) -> dict[str, Any]:
    raise NotImplementedError
