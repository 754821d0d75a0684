"""billing tools (placeholder until the BSS client lands)."""

from __future__ import annotations

from typing import Any

from tools.actions import ActionRecord
from tools.context import TurnContext
from tools.failures import ToolRefusal
from tools.outcome import ToolOutcome
from tools.schemas import DisputeChargeArgs, GetBillsArgs, PayBillArgs, SetAutopayArgs


async def get_bills(ctx: TurnContext, args: GetBillsArgs) -> ToolOutcome:
    """The customer's recent bills, or one bill (`bill_id`) with its line items, amounts, due
    dates, what is unpaid or overdue, and the autopay setting."""
    raise ToolRefusal("not_available", "That isn't available yet.")


async def pay_bill(ctx: TurnContext, args: PayBillArgs) -> ToolOutcome:
    """Quote paying a bill (default: the oldest unpaid one, in full) from the stored payment
    method. Nothing is paid until the customer explicitly confirms on their next message."""
    raise ToolRefusal("not_available", "That isn't available yet.")


async def execute_pay_bill(bss: Any, action: ActionRecord) -> dict[str, Any]:
    raise NotImplementedError


async def set_autopay(ctx: TurnContext, args: SetAutopayArgs) -> ToolOutcome:
    """Quote turning automatic payment (Direct Debit) on, on a day of the month 1-28, or off.
    Nothing changes until the customer explicitly confirms on their next message."""
    raise ToolRefusal("not_available", "That isn't available yet.")


async def execute_set_autopay(bss: Any, action: ActionRecord) -> dict[str, Any]:
    raise NotImplementedError


async def dispute_charge(ctx: TurnContext, args: DisputeChargeArgs) -> ToolOutcome:
    """Quote opening a billing dispute for a bill (`bill_id` from get_bills) or one of its line
    items, with the customer's reason. Disputes are answered within 5 working days and the
    amount is on hold. Opens only after the customer explicitly confirms."""
    raise ToolRefusal("not_available", "That isn't available yet.")


async def execute_dispute_charge(bss: Any, action: ActionRecord) -> dict[str, Any]:
    raise NotImplementedError
