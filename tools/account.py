"""Balance and usage: the account at a glance, and usage with extra charges explained."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from switchboard import clock
from tools.bss.models import Bucket, LineOverview
from tools.catalog import day, days_away, describe
from tools.context import TurnContext
from tools.lines import allowed, customer_of, label, resolve_line
from tools.money import money
from tools.outcome import ToolOutcome, ok
from tools.schemas import GetAccountOverviewArgs, GetUsageArgs


def _allowance(bucket: Bucket) -> dict[str, Any]:
    return {
        "name": bucket.name,
        "remaining": str(bucket.remaining),
        "units": bucket.units,
        "initial": str(bucket.initial) if bucket.initial is not None else None,
        "valid_until": bucket.valid_until.isoformat() if bucket.valid_until else None,
    }


def _overview_data(overview: LineOverview) -> dict[str, Any]:
    line = overview.line
    return {
        "msisdn": line.msisdn,
        "service": line.kind,
        "status": line.status,
        "suspension_reason": line.suspension_reason,
        "plan": describe(overview.plan) if overview.plan else line.offering_name,
        "credit": str(overview.credit) if overview.credit is not None else None,
        "allowances": [_allowance(b) for b in overview.buckets if b.usage_type != "monetary"],
        "renewal_date": line.renewal_date.isoformat() if line.renewal_date else None,
        "minimum_term_end": line.minimum_term_end.isoformat() if line.minimum_term_end else None,
        "roaming": line.roaming,
        "call_forwarding": line.call_forwarding,
        "call_waiting": line.call_waiting,
        "voicemail": line.voicemail,
        "caller_id": line.caller_id,
        "spending_cap": str(line.spending_cap) if line.spending_cap is not None else None,
        "addons": [
            {"offer_id": a.offering_id, "name": a.name, "status": a.status} for a in overview.addons
        ],
    }


def _headline(overview: LineOverview) -> str:
    line = overview.line
    plan = overview.plan.name if overview.plan else (line.offering_name or "your plan")
    parts = [f"{label(line)} is on {plan}"]
    if line.status != "active":
        parts.append(f"the line is {line.status}")
    if overview.credit is not None:
        parts.append(f"credit {money(overview.credit)}")
    data = overview.data_left_gb
    if data is not None:
        parts.append(f"{data.normalize():f}GB data left")
    elif overview.plan is not None and overview.plan.unlimited_data:
        parts.append("unlimited data")
    if line.renewal_date:
        parts.append(f"renews on {day(line.renewal_date)}{days_away(line.renewal_date)}")
    return ", ".join(parts) + "."


async def get_account_overview(ctx: TurnContext, args: GetAccountOverviewArgs) -> ToolOutcome:
    """The customer's account at a glance for one of their lines: plan, credit or balance,
    allowances left, renewal date, line status, roaming and call features. Use it for
    balance, credit, data-left and renewal-date questions."""
    customer_id = customer_of(ctx)
    line = await resolve_line(ctx, args.msisdn, mobile=False)
    overview = await ctx.bss.get_line_overview(customer_id=customer_id, product_id=line.id)
    lines = allowed(ctx, await ctx.bss.list_lines(customer_id=customer_id))
    data = _overview_data(overview)
    data["other_lines"] = [label(x) for x in lines if x.id != line.id]
    return ok("get_account_overview", _headline(overview), data=data)


def _period(period: str, now: datetime) -> tuple[datetime, datetime | None]:
    start = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    if period == "current":
        return start, None
    previous = (
        start.replace(year=start.year - 1, month=12)
        if start.month == 1
        else start.replace(month=start.month - 1)
    )
    return previous, start


async def get_usage(ctx: TurnContext, args: GetUsageArgs) -> ToolOutcome:
    """Usage in detail for a period ('current' or 'previous' month): charges with their amounts,
    out-of-bundle and extra charges separated, and allowances left. Use it to explain
    unexpected charges."""
    customer_id = customer_of(ctx)
    line = await resolve_line(ctx, args.msisdn, mobile=False)
    since, until = _period(args.period, clock.now())
    usage = await ctx.bss.get_usage(
        customer_id=customer_id, product_id=line.id, since=since, until=until
    )
    overview = await ctx.bss.get_line_overview(customer_id=customer_id, product_id=line.id)
    extras = [c for c in usage.charges if c.out_of_bundle]
    charges = [
        {
            "date": c.date.date().isoformat() if c.date else None,
            "name": c.name,
            "amount": str(c.amount),
            "type": c.type,
            "out_of_bundle": c.out_of_bundle,
            "bill_id": c.bill_id,
        }
        for c in usage.charges
    ]
    window = f"since {day(since)}" if until is None else f"from {day(since)} to {day(until)}"
    if extras:
        named = "; ".join(f"{c.name} {money(c.amount)}" for c in extras)
        headline = (
            f"Extra (out-of-bundle) charges on {label(line)} {window}: "
            f"{money(usage.out_of_bundle_total)} ({named})."
        )
    else:
        headline = f"No extra charges on {label(line)} {window}."
    return ok(
        "get_usage",
        headline,
        data={
            "msisdn": line.msisdn,
            "period": args.period,
            "since": since.date().isoformat(),
            "until": until.date().isoformat() if until else None,
            "charges": charges,
            "total": str(usage.total),
            "out_of_bundle_total": str(usage.out_of_bundle_total),
            "allowances": [_allowance(b) for b in overview.buckets if b.usage_type != "monetary"],
            "credit": str(overview.credit) if overview.credit is not None else None,
        },
    )
