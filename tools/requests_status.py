"""requests status tools (placeholder until the BSS client lands)."""

from __future__ import annotations

from tools.context import TurnContext
from tools.failures import ToolRefusal
from tools.outcome import ToolOutcome
from tools.schemas import GetRequestStatusArgs


async def get_request_status(ctx: TurnContext, args: GetRequestStatusArgs) -> ToolOutcome:
    """The customer's orders, fault tickets and service requests with their current state and
    next step; give a reference for one, or nothing for all open ones."""
    raise ToolRefusal("not_available", "That isn't available yet.")
