"""The money side of a seeded account: balance buckets (prepaid credit, the data allowance),
the current period's unbilled charges, the two most recent bills, and today's top-ups."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from bss import billing
from bss.clock import iso, parse_iso
from bss.context import Ctx
from bss.inventory import bucket
from bss.shapes import char_value, href
from bss.world import Plan

Doc = dict[str, Any]


def month_start(year: int, month: int) -> datetime:
    while month < 1:
        month, year = month + 12, year - 1
    while month > 12:
        month, year = month - 12, year + 1
    return datetime(year, month, 1, tzinfo=UTC)


async def seed_buckets(
    ctx: Ctx,
    line: Doc,
    plan: Plan,
    ls: Doc,
    segment: str,
    now: datetime,
    period_start: datetime | None,
) -> None:
    cid = line["relatedParty"][0]["id"]
    if segment == "prepaid":
        await ctx.repo.put(
            "bucket",
            bucket(
                bucket_id=f"bkt-{line['id']}-credit",
                line=line,
                usage_type="monetary",
                name="Credit",
                remaining=float(ls.get("credit", 0)),
                units="GBP",
                start=line_start(line),
                end=None,
            ),
            customer_id=cid,
        )
    if plan.data_gb:
        if period_start is not None and plan.period_days:
            start, end = period_start, period_start + timedelta(days=plan.period_days)
        else:
            start = month_start(now.year, now.month)
            end = month_start(now.year, now.month + 1)
        await ctx.repo.put(
            "bucket",
            bucket(
                bucket_id=f"bkt-{line['id']}-data",
                line=line,
                usage_type="data",
                name="Data allowance",
                remaining=float(ls.get("data_left_gb", plan.data_gb)),
                units="GB",
                start=start,
                end=end,
                initial=plan.data_gb,
            ),
            customer_id=cid,
        )


def line_start(line: Doc) -> datetime:
    return parse_iso(line["startDate"])


async def seed_usage(
    ctx: Ctx,
    line: Doc,
    plan: Plan,
    ls: Doc,
    segment: str,
    now: datetime,
    period_start: datetime | None,
) -> None:
    """Unbilled charges of the current period: prepaid bundle renewals and PAYG usage."""
    cid = line["relatedParty"][0]["id"]
    account = line["billingAccount"]["id"]
    items: list[tuple[str, float, str, datetime]] = []
    if segment == "prepaid" and period_start is not None:
        items.append((f"{plan.name} renewal", plan.price, "recurring", period_start))
    if plan.id == "payg":
        items += [
            ("Calls: 14 minutes at 15p", 2.10, "usage", now - timedelta(days=3)),
            ("Texts: 6 at 10p", 0.60, "usage", now - timedelta(days=2)),
            ("Data: 18MB at 10p/MB", 1.80, "usage", now - timedelta(days=1)),
        ]
    for name, amount, kind, when in items:
        number = await ctx.repo.next_number("rate")
        await ctx.repo.put(
            "appliedCustomerBillingRate",
            billing.rate_doc(
                rate_id=f"rate-{number:06d}",
                account_id=account,
                line=line,
                name=name,
                amount=amount,
                kind=kind,
                when=when,
                description=f"{name} (paid from credit)",
            ),
            customer_id=cid,
        )


async def seed_bills(
    ctx: Ctx, spec: Doc, customer: Doc, lines: list[Doc], monthly: float, now: datetime
) -> None:
    """The two most recent bills (issued on the 1st, due on the 15th) with their charges; the
    older one settled unless the spec leaves it overdue (then with a late fee)."""
    cid = spec["id"]
    account = customer["account"][0]["id"]
    method = customer["paymentMethod"][0]["id"]
    newest = month_start(now.year, now.month)
    for back in (1, 0):
        bill_date = month_start(newest.year, newest.month - back)
        period = (month_start(bill_date.year, bill_date.month - 1), bill_date)
        due = bill_date + timedelta(days=14)
        bill_id = f"bill-{cid[5:]}-{bill_date:%Y%m}"
        charges: list[tuple[Doc, str, float, str]] = []  # (product, name, amount, kind)
        for line in lines:
            plan = ctx.world.plan(line["productOffering"]["id"])
            assert plan is not None
            charges.append((line, f"{plan.name} monthly charge", plan.price, "recurring"))
        for product in await ctx.repo.list_docs("product", customer_id=cid):
            if char_value(product, "productType") == "broadband":
                plan = ctx.world.plan(product["productOffering"]["id"])
                assert plan is not None
                charges.append((product, f"{plan.name} monthly charge", plan.price, "recurring"))
        if back == 0:
            for ls, line in zip(spec["lines"], lines, strict=True):
                extra = ls.get("last_bill_extra")
                if extra:
                    charges.append((line, extra["name"], float(extra["amount"]), extra["type"]))
        rates: list[Doc] = []
        for product, name, amount, kind in charges:
            number = await ctx.repo.next_number("rate")
            rates.append(
                billing.rate_doc(
                    rate_id=f"rate-{number:06d}",
                    account_id=account,
                    line=product,
                    name=name,
                    amount=amount,
                    kind=kind,
                    when=bill_date,
                    bill_id=bill_id,
                    period=period,
                )
            )
        amount = round(sum(r["taxIncludedAmount"]["value"] for r in rates), 2)
        overdue_back = 0 if newest + timedelta(days=14) < now else 1
        overdue = bool(spec.get("overdue_last_bill")) and back == overdue_back
        unpaid = bool(overdue) or due >= now
        state = "sent" if unpaid else "settled"
        doc = billing.bill_doc(
            bill_id=bill_id,
            bill_no=f"BW-{bill_date:%Y%m}-{cid[5:]}",
            customer_id=cid,
            account_id=account,
            amount=amount,
            bill_date=bill_date,
            period=period,
            due=due,
            next_bill=month_start(bill_date.year, bill_date.month + 1),
            state=state,
            remaining=amount if unpaid else 0.0,
            payment_method=method,
        )
        if not unpaid:
            doc["appliedPayment"] = [
                {
                    "appliedAmount": {"unit": "GBP", "value": amount},
                    "payment": {"id": f"PAY-{bill_id}", "@referredType": "Payment"},
                }
            ]
        await ctx.repo.put("customerBill", doc, customer_id=cid)
        for rate in rates:
            await ctx.repo.put("appliedCustomerBillingRate", rate, customer_id=cid)
        if overdue:
            number = await ctx.repo.next_number("rate")
            fee = billing.rate_doc(
                rate_id=f"rate-{number:06d}",
                account_id=account,
                line=lines[0],
                name="Late payment fee",
                amount=ctx.world.rules.late_fee,
                kind="penalty",
                when=due + timedelta(days=1),
                description=f"Late payment fee for bill {doc['billNo']}",
            )
            await ctx.repo.put("appliedCustomerBillingRate", fee, customer_id=cid)


async def seed_topup(ctx: Ctx, line: Doc, amount: float, now: datetime) -> None:
    """A top-up made earlier today (counts towards the daily limit)."""
    number = await ctx.repo.next_number("topupBalance")
    tid = f"TOP-{6000 + number}"
    when = iso(now.replace(hour=0, minute=0, second=0) + timedelta(minutes=30 + number))
    bucket_id = f"bkt-{line['id']}-credit"
    await ctx.repo.put(
        "topupBalance",
        {
            "id": tid,
            "href": href("topupBalance", tid),
            "@type": "TopupBalance",
            "status": "completed",
            "requestedDate": when,
            "confirmationDate": when,
            "amount": {"amount": amount, "units": "GBP"},
            "usageType": "monetary",
            "bucket": {
                "id": bucket_id,
                "href": href("bucket", bucket_id),
                "@referredType": "Bucket",
            },
            "partyAccount": {"id": line["billingAccount"]["id"], "@referredType": "PartyAccount"},
            "product": [{"id": line["id"], "href": line["href"], "@referredType": "Product"}],
            "relatedParty": line["relatedParty"],
        },
        customer_id=line["relatedParty"][0]["id"],
    )
    await ctx.repo.record_topup(line["id"], now.date().isoformat(), amount, tid)
