"""account tools (placeholder until the BSS client lands)."""

from __future__ import annotations

from tools.context import TurnContext
from tools.failures import ToolRefusal
from tools.outcome import ToolOutcome
from tools.schemas import GetAccountOverviewArgs, GetUsageArgs


async def get_account_overview(ctx: TurnContext, args: GetAccountOverviewArgs) -> ToolOutcome:
    """The customer's account at a glance for one of their lines: plan, credit or balance,
    allowances left, renewal date, line status, roaming and call features. Use it for
    balance, credit, data-left and renewal-date questions."""
    raise ToolRefusal("not_available", "That isn't available yet.")


async def get_usage(ctx: TurnContext, args: GetUsageArgs) -> ToolOutcome:
    """Usage in detail for a period ('current' or 'previous'): data, calls and texts used, and
    any out-of-bundle or extra charges with their amounts. Use it to explain unexpected
    charges."""
    raise ToolRefusal("not_available", "That isn't available yet.")
