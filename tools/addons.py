"""Add-ons and limits: buying an add-on or bundle, the monthly spending cap."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from tools.actions import ActionRecord
from tools.bss.client import BssClient
from tools.catalog import describe, find_offer, needs_credit, price_text
from tools.context import TurnContext
from tools.failures import ToolRefusal
from tools.lines import customer_of, ensure_active, label, resolve_line
from tools.money import currency_of, money, to_decimal
from tools.orders import settle_order
from tools.outcome import ToolOutcome
from tools.quoting import nothing_to_do, quote
from tools.schemas import BuyAddonArgs, SetSpendingCapArgs


async def buy_addon(ctx: TurnContext, args: BuyAddonArgs) -> ToolOutcome:
    """Quote buying the add-on or bundle `offer_id` (from list_offers) for one of the
    customer's lines. Nothing is bought yet: it returns a quote the customer must explicitly
    confirm on their next message."""
    line = await resolve_line(ctx, args.msisdn)
    ensure_active(line)
    offer = await find_offer(ctx, line, args.offer_id, "addon")
    overview = await ctx.bss.get_line_overview(customer_id=customer_of(ctx), product_id=line.id)
    prepaid = overview.credit is not None
    one_off = offer.price is not None and not offer.price_period
    if prepaid and one_off and offer.price:
        needs_credit(overview, offer.price, offer.name)
    if one_off:
        payer = "taken from your credit now" if prepaid else "added to your next bill"
    else:
        payer = "charged as used" if offer.price_period == "day" else "charged each month"
    valid = f", valid {offer.validity_days} days" if offer.validity_days else ""
    summary = f"Add {offer.name} to {label(line)} for {price_text(offer)} ({payer}{valid})."
    return await quote(
        ctx,
        tool="buy_addon",
        args={
            "msisdn": line.msisdn,
            "offer_id": offer.id,
            "product_id": line.id,
            "offer_name": offer.name,
        },
        summary=summary,
        amount=offer.price,
        data={"addon": describe(offer)},
    )


async def set_spending_cap(ctx: TurnContext, args: SetSpendingCapArgs) -> ToolOutcome:
    """Quote setting the monthly spending cap on out-of-bundle and premium charges (postpaid,
    from zero up to the operator's maximum; empty amount removes the cap). Nothing changes
    until the customer explicitly confirms on their next message."""
    line = await resolve_line(ctx, args.msisdn)
    ensure_active(line)
    overview = await ctx.bss.get_line_overview(customer_id=customer_of(ctx), product_id=line.id)
    if overview.credit is not None:
        raise ToolRefusal(
            "not_postpaid",
            "Spending caps are for pay-monthly lines; on pay as you go you only ever spend the "
            "credit you top up.",
        )
    cap_max = to_decimal(ctx.settings.spending_cap_max)  # the BSS enforces its own rule too
    if args.amount is not None and args.amount > cap_max:
        raise ToolRefusal(
            "limit_exceeded", f"A spending cap can be at most {money(cap_max)} a month."
        )
    current = line.spending_cap
    if current == args.amount:
        state = f"already {money(current)} a month" if current is not None else "already off"
        return nothing_to_do("set_spending_cap", f"The spending cap on {label(line)} is {state}.")
    now = f"{money(current)} a month" if current is not None else "no cap"
    if args.amount is None:
        summary = f"Remove the spending cap on {label(line)} (currently {now})."
    else:
        summary = (
            f"Set a spending cap of {money(args.amount)} a month on out-of-bundle and premium "
            f"charges for {label(line)} (currently {now})."
        )
    return await quote(
        ctx,
        tool="set_spending_cap",
        args={
            "msisdn": line.msisdn,
            "amount": str(args.amount) if args.amount is not None else None,
            "currency": currency_of(ctx.settings, args.currency),
            "product_id": line.id,
        },
        summary=summary,
        data={
            "current_cap": str(current) if current is not None else None,
            "new_cap": str(args.amount) if args.amount is not None else None,
        },
    )


async def execute_buy_addon(bss: BssClient, action: ActionRecord) -> dict[str, Any]:
    args = action.args
    order = await bss.buy_addon(
        customer_id=action.customer_id,
        product_id=args["product_id"],
        offering_id=args["offer_id"],
        idempotency_key=action.idempotency_key,
    )
    return await settle_order(
        bss, action, order, f"Done: {args['offer_name']} is added to {args['msisdn']}."
    )


async def execute_set_spending_cap(bss: BssClient, action: ActionRecord) -> dict[str, Any]:
    args = action.args
    cap = Decimal(args["amount"]) if args.get("amount") is not None else None
    order = await bss.set_spending_cap(
        customer_id=action.customer_id,
        product_id=args["product_id"],
        cap=cap,
        idempotency_key=action.idempotency_key,
    )
    done = (
        f"Done: the spending cap is now {money(cap)} a month."
        if cap is not None
        else ("Done: the spending cap is removed.")
    )
    return await settle_order(bss, action, order, done)
