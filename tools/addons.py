"""addons tools (placeholder until the BSS client lands)."""

from __future__ import annotations

from typing import Any

from tools.actions import ActionRecord
from tools.context import TurnContext
from tools.failures import ToolRefusal
from tools.outcome import ToolOutcome
from tools.schemas import BuyAddonArgs, SetSpendingCapArgs


async def buy_addon(ctx: TurnContext, args: BuyAddonArgs) -> ToolOutcome:
    """Quote buying the add-on or bundle `offer_id` (from list_offers) for one of the
    customer's lines. Nothing is bought yet: it returns a quote the customer must explicitly
    confirm on their next message."""
    raise ToolRefusal("not_available", "That isn't available yet.")


async def execute_buy_addon(bss: Any, action: ActionRecord) -> dict[str, Any]:
    raise NotImplementedError


async def set_spending_cap(ctx: TurnContext, args: SetSpendingCapArgs) -> ToolOutcome:
    """Quote setting the monthly spending cap on out-of-bundle and premium charges (postpaid,
    £0-£100; empty amount removes the cap). Nothing changes until the customer explicitly
    confirms on their next message."""
    raise ToolRefusal("not_available", "That isn't available yet.")


async def execute_set_spending_cap(bss: Any, action: ActionRecord) -> dict[str, Any]:
    raise NotImplementedError
