"""Lost or stolen phone: the line is suspended at once (after the customer's yes); found again,
it is reactivated (after a fresh identity check and the customer's yes)."""

from __future__ import annotations

from typing import Any

from tools.actions import ActionRecord
from tools.bss.client import BssClient, SuspensionReason
from tools.context import TurnContext
from tools.failures import ToolRefusal
from tools.lines import label, resolve_line
from tools.outcome import ToolOutcome
from tools.quoting import nothing_to_do, quote
from tools.schemas import BlockLineArgs, UnblockLineArgs

BSS_REASONS: dict[str, SuspensionReason] = {
    "lost": "lost",
    "stolen": "stolen",
    "other": "customerRequest",
}


async def block_line(ctx: TurnContext, args: BlockLineArgs) -> ToolOutcome:
    """Quote suspending one of the customer's lines at once because the phone is lost or
    stolen (stops calls, texts, data and charges). Needs a verified identity. Runs only after
    the customer explicitly confirms; unblock_line lifts it when the phone is found. A
    replacement SIM is a separate sim_swap service request."""
    line = await resolve_line(ctx, args.msisdn)
    if line.status == "suspended":
        return nothing_to_do("block_line", f"{label(line)} is already blocked.")
    why = {"lost": "the phone is lost", "stolen": "the phone was stolen"}.get(args.reason, "")
    summary = (
        f"Block {label(line)} now{' because ' + why if why else ''}: calls, texts, data "
        "and charges stop at once. If the phone turns up, I can unblock it after a quick "
        "identity check."
    )
    return await quote(
        ctx,
        tool="block_line",
        args={"msisdn": line.msisdn, "reason": args.reason, "product_id": line.id},
        summary=summary,
    )


async def execute_block_line(bss: BssClient, action: ActionRecord) -> dict[str, Any]:
    args = action.args
    product = await bss.block_line(
        customer_id=action.customer_id,
        product_id=args["product_id"],
        idempotency_key=action.idempotency_key,
        reason=BSS_REASONS[args["reason"]],
    )
    return {
        "bss_ref": product.id,
        "status": product.status,
        "message": f"Done: {args['msisdn']} is blocked. If you need a replacement SIM, I can "
        "order one for you.",
    }


# The blocks a customer lifts themselves: the ones they (or we, for them) put on. A block for
# fraud is the fraud team's to lift.
UNBLOCKABLE = frozenset({"lost", "stolen", "customerRequest"})


async def unblock_line(ctx: TurnContext, args: UnblockLineArgs) -> ToolOutcome:
    """Quote unblocking (reactivating) one of the customer's lines that was blocked because the
    phone was lost or stolen, now that it has been found. Needs a freshly verified identity
    (step-up). Runs only after the customer explicitly confirms. Never use it to block a line."""
    line = await resolve_line(ctx, args.msisdn)
    if line.status != "suspended":
        return nothing_to_do("unblock_line", f"{label(line)} isn't blocked, so it works as normal.")
    if line.suspension_reason not in UNBLOCKABLE:
        raise ToolRefusal(
            "needs_agent",
            f"{label(line)} was blocked by our security team, so one of our team has to lift "
            "that block.",
            offer_human=True,
        )
    return await quote(
        ctx,
        tool="unblock_line",
        args={"msisdn": line.msisdn, "product_id": line.id},
        summary=f"Unblock {label(line)} now: calls, texts, data and charges start again at once.",
    )


async def execute_unblock_line(bss: BssClient, action: ActionRecord) -> dict[str, Any]:
    args = action.args
    product = await bss.unblock_line(
        customer_id=action.customer_id,
        product_id=args["product_id"],
        idempotency_key=action.idempotency_key,
    )
    return {
        "bss_ref": product.id,
        "status": product.status,
        "message": f"Done: {args['msisdn']} is unblocked and working again.",
    }
