"""sim line tools (placeholder until the BSS client lands)."""

from __future__ import annotations

from typing import Any

from tools.actions import ActionRecord
from tools.context import TurnContext
from tools.failures import ToolRefusal
from tools.outcome import ToolOutcome
from tools.schemas import BlockLineArgs


async def block_line(ctx: TurnContext, args: BlockLineArgs) -> ToolOutcome:
    """Quote suspending one of the customer's lines at once because the phone is lost or stolen
    (stops calls, texts, data and charges). Needs a verified identity. Runs only after the
    customer explicitly confirms; unblocking later needs a person."""
    raise ToolRefusal("not_available", "That isn't available yet.")


async def execute_block_line(bss: Any, action: ActionRecord) -> dict[str, Any]:
    raise NotImplementedError
