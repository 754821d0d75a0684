"""Fault reports: a trouble ticket with the details collected, after a known-outage check."""

from __future__ import annotations

from typing import Any

from tools.actions import ActionRecord
from tools.bss.client import BssClient
from tools.bss.models import Product
from tools.context import TurnContext
from tools.coverage import coverage_at, outage_data, outage_note
from tools.failures import ToolRefusal
from tools.lines import broadband_of, customer_of, label, resolve_line
from tools.outcome import ToolOutcome
from tools.quoting import quote
from tools.schemas import ReportFaultArgs

KIND_WORDS = {
    "no_signal": "no signal",
    "slow_data": "slow mobile data",
    "calls_failing": "calls failing",
    "broadband_down": "broadband down",
    "broadband_slow": "slow broadband",
    "other": "a problem",
}
MAJOR = {"no_signal", "broadband_down"}


async def _affected(ctx: TurnContext, args: ReportFaultArgs) -> Product:
    if args.kind.startswith("broadband"):
        return await broadband_of(ctx)
    return await resolve_line(ctx, args.msisdn)


async def report_fault(ctx: TurnContext, args: ReportFaultArgs) -> ToolOutcome:
    """Quote opening a fault ticket (no signal, slow data, calls failing, broadband down or
    slow) with the customer's description and the postcode where it happens; a known outage
    there is reported with the quote. Opens only after the customer explicitly confirms."""
    product = await _affected(ctx, args)
    postcode = args.postcode
    if postcode is None:
        postcode = (await ctx.bss.get_customer(customer_id=customer_of(ctx))).postcode
    outages = []
    if postcode:
        try:
            coverage = await coverage_at(ctx, postcode)
            service = "broadband" if args.kind.startswith("broadband") else "mobile"
            outages = [o for o in coverage.outages if o.affects_postcode and o.service == service]
        except ToolRefusal:
            outages = []
    where = f" at {postcode}" if postcode else ""
    summary = (
        f"Open a fault ticket for {label(product)}: {KIND_WORDS[args.kind]}{where} "
        f"(\u201c{args.description}\u201d)."
    )
    if outages:
        summary += (
            " "
            + " ".join(outage_note(o) for o in outages)
            + " A ticket isn't needed for that, but I can still open one."
        )
    return await quote(
        ctx,
        tool="report_fault",
        args={
            "msisdn": product.msisdn,
            "kind": args.kind,
            "description": args.description,
            "postcode": postcode,
            "product_id": product.id,
        },
        summary=summary,
        data={"outages": [outage_data(o) for o in outages]},
    )


async def execute_report_fault(bss: BssClient, action: ActionRecord) -> dict[str, Any]:
    args = action.args
    where = f" (postcode {args['postcode']})" if args.get("postcode") else ""
    ticket = await bss.open_ticket(
        customer_id=action.customer_id,
        ticket_type="fault",
        description=f"{KIND_WORDS[args['kind']]}{where}: {args['description']}",
        idempotency_key=action.idempotency_key,
        name=KIND_WORDS[args["kind"]].capitalize(),
        severity="Major" if args["kind"] in MAJOR else "Minor",
        product_id=args["product_id"],
    )
    return {
        "bss_ref": ticket.id,
        "status": ticket.status,
        "message": f"Done: fault ticket {ticket.id} is open; I'll keep you posted here.",
    }
