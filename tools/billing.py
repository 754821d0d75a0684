"""Bills and payments: bills explained, paying a bill, autopay, disputing a charge."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from tools.actions import ActionRecord
from tools.bss.client import BssClient
from tools.bss.models import Bill, Customer, PaymentMethod
from tools.catalog import day
from tools.context import TurnContext
from tools.failures import ToolRefusal
from tools.lines import customer_of
from tools.money import currency_of, money
from tools.outcome import ToolOutcome, ok
from tools.quoting import nothing_to_do, quote
from tools.schemas import DisputeChargeArgs, GetBillsArgs, PayBillArgs, SetAutopayArgs


def _state(bill: Bill) -> str:
    if bill.remaining <= 0:
        return "paid"
    if bill.overdue:
        return f"overdue: {money(bill.remaining)} unpaid since {day(bill.due_date)}"
    return f"{money(bill.remaining)} to pay by {day(bill.due_date)}"


def _due(bill: Bill) -> str:
    """The due date, where the state does not already say it."""
    return f" (it was due on {day(bill.due_date)})" if bill.remaining <= 0 and bill.due_date else ""


_MAX_ITEMS = 6


def _items(bill: Bill) -> str:
    """' Charges: Bundle 20 20.00; Data outside your bundle 6.40 (usage beyond the
    allowance).' — what the bill is made of, so a question about it can be answered."""
    if not bill.items:
        return ""
    shown = [
        f"{c.name} {money(c.amount)}" + (" (usage beyond the allowance)" if c.out_of_bundle else "")
        for c in bill.items[:_MAX_ITEMS]
    ]
    more = len(bill.items) - len(shown)
    return " Charges: " + "; ".join(shown) + (f"; and {more} more" if more > 0 else "") + "."


def _bill(bill: Bill) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "bill_id": bill.id,
        "bill_no": bill.bill_no,
        "bill_date": bill.bill_date.date().isoformat() if bill.bill_date else None,
        "period": [
            d.date().isoformat() if d else None for d in (bill.period_start, bill.period_end)
        ],
        "due_date": bill.due_date.date().isoformat() if bill.due_date else None,
        "amount_due": str(bill.amount_due),
        "remaining": str(bill.remaining),
        "overdue": bill.overdue,
        "state": _state(bill),
    }
    if bill.items:
        doc["items"] = [
            {
                "item_id": c.id,
                "name": c.name,
                "type": c.type,
                "amount": str(c.amount),
                "out_of_bundle": c.out_of_bundle,
            }
            for c in bill.items
        ]
    return doc


async def get_bills(ctx: TurnContext, args: GetBillsArgs) -> ToolOutcome:
    """The customer's recent bills, or one bill (`bill_id`) with its line items, amounts, due
    dates, what is unpaid or overdue, and the autopay setting. The latest bill comes with its
    line items, so charges can be explained."""
    customer_id = customer_of(ctx)
    customer = await ctx.bss.get_customer(customer_id=customer_id)
    if args.bill_id is not None:
        bills = [await ctx.bss.get_bill(customer_id=customer_id, bill_id=args.bill_id)]
    else:
        bills = await ctx.bss.list_bills(customer_id=customer_id, limit=args.limit)
        if bills:
            bills[0] = await ctx.bss.get_bill(customer_id=customer_id, bill_id=bills[0].id)
    if not bills:
        return ok("get_bills", "There are no bills on the account yet.", data={"bills": []})
    latest = bills[0]
    headline = (
        f"Bill {latest.bill_no or latest.id} of {day(latest.bill_date)}: "
        f"{money(latest.amount_due)}, {_state(latest)}{_due(latest)}.{_items(latest)}"
    )
    headline += "".join(
        f" Also open: bill {b.bill_no or b.id} of {day(b.bill_date)}, {_state(b)}."
        for b in bills[1:]
        if b.remaining > 0
    )
    autopay = f"day {customer.autopay_day}" if customer.autopay else "off"
    return ok("get_bills", headline, data={"bills": [_bill(b) for b in bills], "autopay": autopay})


def _card(customer: Customer) -> PaymentMethod:
    if not customer.payment_methods:
        raise ToolRefusal(
            "no_payment_method",
            "There's no stored payment method on the account. A person can help you add one.",
            offer_human=True,
        )
    return customer.payment_methods[0]


async def _bill_to_pay(ctx: TurnContext, bill_id: str | None) -> Bill:
    customer_id = customer_of(ctx)
    if bill_id is not None:
        return await ctx.bss.get_bill(customer_id=customer_id, bill_id=bill_id)  # type: ignore[no-any-return]
    unpaid = [b for b in await ctx.bss.list_bills(customer_id=customer_id) if b.remaining > 0]
    if not unpaid:
        raise ToolRefusal("nothing_due", "There's nothing to pay: your bills are all paid.")
    return min(unpaid, key=lambda b: (b.due_date is None, b.due_date))  # type: ignore[no-any-return]


async def pay_bill(ctx: TurnContext, args: PayBillArgs) -> ToolOutcome:
    """Quote paying a bill (default: the oldest unpaid one, in full) from the stored payment
    method. Nothing is paid until the customer explicitly confirms on their next message."""
    customer = await ctx.bss.get_customer(customer_id=customer_of(ctx))
    card = _card(customer)
    bill = await _bill_to_pay(ctx, args.bill_id)
    if bill.remaining <= 0:
        raise ToolRefusal("ALREADY_PAID", f"Bill {bill.bill_no or bill.id} is already paid.")
    amount = args.amount if args.amount is not None else bill.remaining
    if amount > bill.remaining:
        raise ToolRefusal(
            "invalid_input",
            f"That's more than the {money(bill.remaining)} due on bill {bill.bill_no or bill.id}.",
        )
    late = ", which is overdue" if bill.overdue else ""
    summary = (
        f"Pay {money(amount)} towards bill {bill.bill_no or bill.id} (due "
        f"{day(bill.due_date)}{late}) from your {card.name or 'stored card'}."
    )
    return await quote(
        ctx,
        tool="pay_bill",
        args={
            "bill_id": bill.id,
            "bill_no": bill.bill_no,
            "amount": str(amount),
            "currency": currency_of(ctx.settings, args.currency),
            "payment_method_id": card.id,
        },
        summary=summary,
        amount=amount,
        data={"bill": _bill(bill), "payment_method": card.name},
    )


async def set_autopay(ctx: TurnContext, args: SetAutopayArgs) -> ToolOutcome:
    """Quote turning automatic payment (Direct Debit) on, on a day of the month 1-28, or off.
    Nothing changes until the customer explicitly confirms on their next message."""
    customer = await ctx.bss.get_customer(customer_id=customer_of(ctx))
    if customer.autopay == args.enabled and (not args.enabled or customer.autopay_day == args.day):
        state = f"already on, on day {customer.autopay_day}" if args.enabled else "already off"
        return nothing_to_do("set_autopay", f"Automatic payment is {state}.")
    card = _card(customer) if args.enabled else None
    if card is not None:
        summary = (
            f"Turn on automatic payment: each bill is paid on day {args.day} of the month "
            f"from your {card.name or 'stored payment method'}."
        )
    else:
        summary = "Turn off automatic payment: you'll pay each bill yourself by its due date."
    return await quote(
        ctx,
        tool="set_autopay",
        args={
            "enabled": args.enabled,
            "day": args.day,
            "payment_method_id": card.id if card else None,
        },
        summary=summary,
        data={"currently": customer.autopay, "current_day": customer.autopay_day},
    )


async def dispute_charge(ctx: TurnContext, args: DisputeChargeArgs) -> ToolOutcome:
    """Quote opening a billing dispute for a bill (`bill_id` from get_bills) or one of its line
    items (`item_id`), with the customer's reason. Opens only after the customer explicitly
    confirms; the billing team then replies."""
    bill = await ctx.bss.get_bill(customer_id=customer_of(ctx), bill_id=args.bill_id)
    item = None
    if args.item_id is not None:
        item = next((c for c in bill.items if c.id == args.item_id), None)
        if item is None:
            raise ToolRefusal("not_found", f"That charge isn't on bill {bill.bill_no or bill.id}.")
    amount: Decimal = item.amount if item else bill.amount_due
    what = (
        f"the charge '{item.name}' ({money(amount)})"
        if item
        else f"the whole bill ({money(amount)})"
    )
    summary = (
        f"Open a billing dispute about {what} on bill {bill.bill_no or bill.id}, because: "
        f"{args.reason}. The billing team will look into it and reply."
    )
    return await quote(
        ctx,
        tool="dispute_charge",
        args={
            "bill_id": bill.id,
            "item_id": item.id if item else None,
            "reason": args.reason,
            "disputed_amount": str(amount),
            "item_name": item.name if item else None,
        },
        summary=summary,
        data={"bill": _bill(bill), "disputed_amount": str(amount)},
    )


async def execute_pay_bill(bss: BssClient, action: ActionRecord) -> dict[str, Any]:
    args = action.args
    payment = await bss.pay_bill(
        customer_id=action.customer_id,
        bill_id=args["bill_id"],
        idempotency_key=action.idempotency_key,
        amount=Decimal(args["amount"]),
        payment_method_id=args.get("payment_method_id"),
    )
    if payment.status.lower() in ("failed", "rejected", "declined"):
        raise ToolRefusal("payment_failed", "The payment didn't go through, so nothing was taken.")
    return {
        "bss_ref": payment.id,
        "amount": str(payment.amount),
        "status": payment.status,
        "message": f"Done: {money(payment.amount)} paid towards bill "
        f"{args.get('bill_no') or args['bill_id']}.",
    }


async def execute_set_autopay(bss: BssClient, action: ActionRecord) -> dict[str, Any]:
    args = action.args
    customer = await bss.set_autopay(
        customer_id=action.customer_id,
        enabled=bool(args["enabled"]),
        idempotency_key=action.idempotency_key,
        day=args.get("day"),
        payment_method_id=args.get("payment_method_id"),
    )
    state = f"on, on day {customer.autopay_day}" if customer.autopay else "off"
    return {"bss_ref": f"{action.customer_id}:autopay", "message": f"Done: autopay is {state}."}


async def execute_dispute_charge(bss: BssClient, action: ActionRecord) -> dict[str, Any]:
    args = action.args
    ticket = await bss.open_ticket(
        customer_id=action.customer_id,
        ticket_type="billingDispute",
        description=args["reason"],
        idempotency_key=action.idempotency_key,
        name=f"Dispute: {args.get('item_name') or 'bill ' + args['bill_id']}",
        bill_id=args["bill_id"],
        disputed_amount=Decimal(args["disputed_amount"]),
    )
    when = (
        f" We expect to reply by {day(ticket.expected_resolution)}."
        if ticket.expected_resolution
        else ""
    )
    return {
        "bss_ref": ticket.id,
        "status": ticket.status,
        "message": f"Done: dispute {ticket.id} is open.{when}",
    }
