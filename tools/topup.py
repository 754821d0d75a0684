"""`top_up`: prepaid credit from the stored card, quoted first, within the policy limits."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from tools.actions import ActionRecord
from tools.bss.client import BssClient
from tools.context import TurnContext
from tools.failures import ToolRefusal
from tools.lines import customer_of, ensure_active, resolve_line
from tools.money import currency_of, money
from tools.outcome import ToolOutcome
from tools.quoting import quote
from tools.schemas import TopUpArgs


async def top_up(ctx: TurnContext, args: TopUpArgs) -> ToolOutcome:
    """Quote a prepaid top-up of `amount` pounds from the stored card to one of the
    customer's own lines (default: the signed-in line). Nothing is charged yet: it returns a
    quote the customer must explicitly confirm on their next message."""
    customer_id = customer_of(ctx)
    line = await resolve_line(ctx, args.msisdn)
    ensure_active(line)
    overview = await ctx.bss.get_line_overview(customer_id=customer_id, product_id=line.id)
    if overview.credit is None:
        raise ToolRefusal(
            "not_prepaid",
            f"{line.msisdn} is a pay-monthly line, so it doesn't take top-ups: its charges go "
            "on the monthly bill.",
        )
    customer = await ctx.bss.get_customer(customer_id=customer_id)
    if not customer.payment_methods:
        raise ToolRefusal(
            "no_payment_method",
            "There's no stored card to top up from. A person can help you add one.",
            offer_human=True,
        )
    card = customer.payment_methods[0]
    today = await ctx.bss.topped_up_today(customer_id=customer_id, product_id=line.id)
    after = overview.credit + args.amount
    summary = (
        f"Top up {money(args.amount)} on {line.msisdn} from your {card.name or 'stored card'}: "
        f"your credit goes from {money(overview.credit)} to {money(after)}."
    )
    return await quote(
        ctx,
        tool="top_up",
        args={
            "msisdn": line.msisdn,
            "amount": str(args.amount),
            "currency": currency_of(ctx.settings, args.currency),
            "product_id": line.id,
            "payment_method_id": card.id,
        },
        summary=summary,
        amount=args.amount,
        data={
            "msisdn": line.msisdn,
            "amount": str(args.amount),
            "credit": str(overview.credit),
            "credit_after": str(after),
            "payment_method": card.name,
        },
        bss_topped_up_today=today,
    )


async def execute_top_up(bss: BssClient, action: ActionRecord) -> dict[str, Any]:
    args = action.args
    topup = await bss.top_up(
        customer_id=action.customer_id,
        product_id=args["product_id"],
        amount=Decimal(args["amount"]),
        currency=args.get("currency"),
        idempotency_key=action.idempotency_key,
        payment_method_id=args.get("payment_method_id"),
    )
    if topup.status not in ("completed", "done", "succeeded"):
        raise ToolRefusal(
            "topup_failed",
            "The card payment for that top-up didn't go through, so no credit was added.",
        )
    balance = f" Your credit is now {money(topup.balance_after)}." if topup.balance_after else ""
    return {
        "bss_ref": topup.id,
        "amount": str(topup.amount),
        "balance_after": str(topup.balance_after) if topup.balance_after is not None else None,
        "message": f"Done: {money(topup.amount)} added to {args['msisdn']}.{balance}",
    }
