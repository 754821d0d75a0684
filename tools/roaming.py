"""Roaming on or off, with what the plan includes abroad."""

from __future__ import annotations

from typing import Any

from tools.actions import ActionRecord
from tools.bss.client import BssClient
from tools.context import TurnContext
from tools.lines import customer_of, ensure_active, label, resolve_line
from tools.orders import settle_order
from tools.outcome import ToolOutcome
from tools.quoting import nothing_to_do, quote
from tools.schemas import SetRoamingArgs

ZONE_NAMES = {
    "zone1": "Zone 1 (EU/EEA and Switzerland)",
    "zone2": "Zone 2 (USA, Canada, Australia, New Zealand, Turkey)",
    "zone3": "Zone 3 (rest of the world)",
}


async def set_roaming(ctx: TurnContext, args: SetRoamingArgs) -> ToolOutcome:
    """Quote turning roaming on or off for one of the customer's lines, with what their plan
    includes abroad. Nothing changes until the customer explicitly confirms on their next
    message. For prices abroad, search_knowledge has the roaming zones."""
    line = await resolve_line(ctx, args.msisdn)
    ensure_active(line)
    if line.roaming is args.enabled:
        state = "on" if args.enabled else "off"
        return nothing_to_do("set_roaming", f"Roaming on {label(line)} is already {state}.")
    overview = await ctx.bss.get_line_overview(customer_id=customer_of(ctx), product_id=line.id)
    included = overview.plan.roaming_included if overview.plan else []
    if not args.enabled:
        summary = (
            f"Turn roaming off on {label(line)}: abroad you won't be able to call, text "
            "or use data on other networks."
        )
    elif included:
        zones = " and ".join(ZONE_NAMES.get(z, z) for z in included)
        summary = (
            f"Turn roaming on for {label(line)}. Your plan includes roaming in {zones}; "
            "elsewhere roaming charges apply."
        )
    else:
        summary = (
            f"Turn roaming on for {label(line)}. Your plan doesn't include roaming, so "
            "roaming charges apply while you're abroad."
        )
    return await quote(
        ctx,
        tool="set_roaming",
        args={"msisdn": line.msisdn, "enabled": args.enabled, "product_id": line.id},
        summary=summary,
        data={"included_zones": included, "currently": line.roaming},
    )


async def execute_set_roaming(bss: BssClient, action: ActionRecord) -> dict[str, Any]:
    args = action.args
    order = await bss.set_roaming(
        customer_id=action.customer_id,
        product_id=args["product_id"],
        enabled=bool(args["enabled"]),
        idempotency_key=action.idempotency_key,
    )
    state = "on" if args["enabled"] else "off"
    return await settle_order(bss, action, order, f"Done: roaming is {state} for {args['msisdn']}.")
