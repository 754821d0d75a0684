"""call features tools (placeholder until the BSS client lands)."""

from __future__ import annotations

from typing import Any

from tools.actions import ActionRecord
from tools.context import TurnContext
from tools.failures import ToolRefusal
from tools.outcome import ToolOutcome
from tools.schemas import SetCallFeatureArgs


async def set_call_feature(ctx: TurnContext, args: SetCallFeatureArgs) -> ToolOutcome:
    """Quote turning call forwarding, call waiting, voicemail or caller id on or off. Call
    forwarding on needs `forward_to` (and optionally `condition`). Nothing changes until the
    customer explicitly confirms on their next message."""
    raise ToolRefusal("not_available", "That isn't available yet.")


async def execute_set_call_feature(bss: Any, action: ActionRecord) -> dict[str, Any]:
    raise NotImplementedError
