"""Plans: what's on offer for this line, changing plan, renewing a prepaid bundle."""

from __future__ import annotations

from typing import Any

from tools.actions import ActionRecord
from tools.bss.client import BssClient
from tools.catalog import days_away, describe, find_offer, needs_credit, offers_for, price_text
from tools.context import TurnContext
from tools.failures import ToolRefusal
from tools.lines import customer_of, ensure_active, label, resolve_line
from tools.money import money
from tools.orders import settle_order
from tools.outcome import ToolOutcome, ok
from tools.quoting import quote
from tools.schemas import ChangePlanArgs, ListOffersArgs, RenewPlanArgs


async def list_offers(ctx: TurnContext, args: ListOffersArgs) -> ToolOutcome:
    """Plans and add-ons this customer's line is eligible for, with catalog prices and terms
    (kind: plan, addon or all). Quote prices only from this list."""
    line = await resolve_line(ctx, args.msisdn, mobile=False)
    offers = await offers_for(ctx, line, None if args.kind == "all" else args.kind)
    eligible = [o for o in offers if o.eligibility is None or o.eligibility.eligible]
    plans = [describe(o) for o in eligible if o.category == "plan"]
    addons = [describe(o) for o in eligible if o.category == "addon"]
    current = next((o for o in offers if o.id == line.offering_id), None)
    parts = []
    if args.kind in ("plan", "all"):
        parts.append(f"{len(plans)} plan(s)")
    if args.kind in ("addon", "all"):
        parts.append(f"{len(addons)} add-on(s)")
    return ok(
        "list_offers",
        f"{' and '.join(parts)} available for {label(line)}.",
        data={
            "msisdn": line.msisdn,
            "current_plan": describe(current) if current else line.offering_id,
            "plans": plans,
            "addons": addons,
        },
    )


async def change_plan(ctx: TurnContext, args: ChangePlanArgs) -> ToolOutcome:
    """Quote a change of the line's plan (upgrade, downgrade or sign-up) to the catalog offer
    `offer_id` from list_offers. Nothing changes yet: it returns a quote the customer must
    explicitly confirm on their next message."""
    line = await resolve_line(ctx, args.msisdn, mobile=False)
    ensure_active(line)
    offer = await find_offer(ctx, line, args.offer_id, "plan")
    overview = await ctx.bss.get_line_overview(customer_id=customer_of(ctx), product_id=line.id)
    current = overview.plan.name if overview.plan else line.offering_name or "the current plan"
    terms = []
    if overview.credit is not None and offer.price:  # prepaid bundles are paid from credit now
        needs_credit(overview, offer.price, offer.name)
        terms.append(f"{money(offer.price)} is taken from your credit today")
    if offer.min_term_months:
        terms.append(f"{offer.min_term_months}-month minimum term")
    change = offer.eligibility.change if offer.eligibility else None
    if change == "upgrade":
        terms.append("no fee for upgrading")
    summary = (
        f"Change {label(line)} from {current} to {offer.name} at {price_text(offer)}"
        + (f" ({'; '.join(terms)})" if terms else "")
        + "."
    )
    return await quote(
        ctx,
        tool="change_plan",
        args={
            "msisdn": line.msisdn,
            "offer_id": offer.id,
            "product_id": line.id,
            "offer_name": offer.name,
            "from_offer_id": line.offering_id,
        },
        summary=summary,
        amount=offer.price,
        data={"from": current, "to": describe(offer)},
    )


async def renew_plan(ctx: TurnContext, args: RenewPlanArgs) -> ToolOutcome:
    """Quote renewing the line's prepaid bundle now, paid from credit. Nothing changes yet:
    it returns a quote the customer must explicitly confirm on their next message."""
    line = await resolve_line(ctx, args.msisdn)
    ensure_active(line)
    overview = await ctx.bss.get_line_overview(customer_id=customer_of(ctx), product_id=line.id)
    plan = overview.plan
    if (
        plan is None
        or overview.credit is None
        or not plan.price
        or not plan.price_period
        or (not plan.price_period[0].isdigit())
    ):
        renews = (
            f" It renews on {line.renewal_date:%-d %B}{days_away(line.renewal_date)}."
            if line.renewal_date
            else ""
        )
        raise ToolRefusal(
            "RENEWAL_NOT_APPLICABLE",
            f"{plan.name if plan else 'That plan'} has no bundle to renew early; it renews "
            f"automatically.{renews}",
        )
    needs_credit(overview, plan.price, f"Renewing {plan.name}")
    ends = f" (the current period ends {line.renewal_date:%-d %B})" if line.renewal_date else ""
    summary = (
        f"Renew {plan.name} on {label(line)} now for {money(plan.price)} from your credit of "
        f"{money(overview.credit)}; a new {plan.price_period} period starts today{ends}."
    )
    return await quote(
        ctx,
        tool="renew_plan",
        args={"msisdn": line.msisdn, "product_id": line.id, "offer_id": plan.id},
        summary=summary,
        amount=plan.price,
        data={
            "plan": describe(plan),
            "credit": str(overview.credit),
            "renewal_date": line.renewal_date.isoformat() if line.renewal_date else None,
        },
    )


async def execute_change_plan(bss: BssClient, action: ActionRecord) -> dict[str, Any]:
    args = action.args
    order = await bss.change_plan(
        customer_id=action.customer_id,
        product_id=args["product_id"],
        offering_id=args["offer_id"],
        idempotency_key=action.idempotency_key,
    )
    return await settle_order(
        bss,
        action,
        order,
        f"Done: {args['msisdn'] or 'your service'} is moving to {args['offer_name']}.",
    )


async def execute_renew_plan(bss: BssClient, action: ActionRecord) -> dict[str, Any]:
    args = action.args
    order = await bss.renew_plan(
        customer_id=action.customer_id,
        product_id=args["product_id"],
        idempotency_key=action.idempotency_key,
    )
    return await settle_order(
        bss, action, order, f"Done: your bundle on {args['msisdn']} is renewed."
    )
