"""Waiting briefly for a product order the BSS accepted, and turning it into a receipt."""

from __future__ import annotations

from typing import Any

from tools.actions import ActionRecord
from tools.bss.client import BssClient
from tools.failures import ToolRefusal

FINAL_BAD = {"failed", "rejected", "cancelled"}
WAIT_S = 5.0


async def settle_order(
    bss: BssClient, action: ActionRecord, order: Any, done: str
) -> dict[str, Any]:
    """The receipt of an accepted order: final within a few seconds on the demo clock; an
    operator's BSS may take longer, and the customer is told it is being processed."""
    order = await bss.wait_for_order(
        customer_id=action.customer_id, order_id=order.id, timeout_s=WAIT_S
    )
    if order.state in FINAL_BAD:
        raise ToolRefusal(
            "order_failed", "The order didn't go through, so nothing changed.", offer_human=True
        )
    later = "" if order.state == "completed" else " It's being processed and will be live shortly."
    receipt: dict[str, Any] = {
        "bss_ref": order.id,
        "state": order.state,
        "message": f"{done}{later}",
    }
    if order.charged_now:
        receipt["charged"] = str(order.charged_now)
    return receipt
