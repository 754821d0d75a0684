"""plans tools (placeholder until the BSS client lands)."""

from __future__ import annotations

from typing import Any

from tools.actions import ActionRecord
from tools.context import TurnContext
from tools.failures import ToolRefusal
from tools.outcome import ToolOutcome
from tools.schemas import ChangePlanArgs, ListOffersArgs, RenewPlanArgs


async def list_offers(ctx: TurnContext, args: ListOffersArgs) -> ToolOutcome:
    """Plans and add-ons this customer's line is eligible for, with catalog prices and terms
    (kind: plan, addon or all). Quote prices only from this list."""
    raise ToolRefusal("not_available", "That isn't available yet.")


async def change_plan(ctx: TurnContext, args: ChangePlanArgs) -> ToolOutcome:
    """Quote a change of the line's plan (upgrade, downgrade or sign-up) to the catalog offer
    `offer_id` from list_offers. Nothing changes yet: it returns a quote the customer must
    explicitly confirm on their next message."""
    raise ToolRefusal("not_available", "That isn't available yet.")


async def execute_change_plan(bss: Any, action: ActionRecord) -> dict[str, Any]:
    raise NotImplementedError


async def renew_plan(ctx: TurnContext, args: RenewPlanArgs) -> ToolOutcome:
    """Quote renewing the line's prepaid bundle now, paid from credit. Nothing changes yet: it
    returns a quote the customer must explicitly confirm on their next message."""
    raise ToolRefusal("not_available", "That isn't available yet.")


async def execute_renew_plan(bss: Any, action: ActionRecord) -> dict[str, Any]:
    raise NotImplementedError
