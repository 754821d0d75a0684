"""Build the demo world's TMF resources from `data/world.yaml` and store them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from bss import billing
from bss.catalog import offering_prices, offerings
from bss.clock import iso, parse_iso, utcnow
from bss.context import Ctx
from bss.flows import flow_doc
from bss.inventory import broadband_product, bucket, device_product, line_product
from bss.shapes import char_value, characteristic, href, party, price, ref
from bss.world import Plan

Doc = dict[str, Any]


def _months_ago(now: datetime, months: int) -> datetime:
    return now - timedelta(days=round(months * 30.44))


def _month_start(year: int, month: int) -> datetime:
    while month < 1:
        month, year = month + 12, year - 1
    while month > 12:
        month, year = month - 12, year + 1
    return datetime(year, month, 1, tzinfo=UTC)


def customer_doc(spec: Doc) -> Doc:
    cid = spec["id"]
    business = spec["segment"] == "business"
    contact: list[Doc] = [
        {
            "mediumType": "mobile",
            "preferred": i == 0,
            "characteristic": {"contactType": "mobile", "phoneNumber": line["msisdn"]},
        }
        for i, line in enumerate(spec["lines"])
    ]
    contact.append(
        {
            "mediumType": "email",
            "preferred": False,
            "characteristic": {"contactType": "email", "emailAddress": spec["email"]},
        }
    )
    contact.append(
        {
            "mediumType": "postalAddress",
            "preferred": False,
            "characteristic": {
                "contactType": "home" if not business else "office",
                "postCode": spec["postcode"],
                "country": "GB",
            },
        }
    )
    chars = [
        characteristic("segment", spec["segment"]),
        characteristic("autopay", bool(spec.get("autopay", False))),
        characteristic("autopayDay", int(spec.get("autopay_day", 0))),
    ]
    doc: Doc = {
        "id": cid,
        "href": href("customer", cid),
        "@type": "Customer",
        "name": spec["name"],
        "status": "Approved",
        "contactMedium": contact,
        "characteristic": chars,
        "engagedParty": {
            "id": f"{'org' if business else 'ind'}-{cid[5:]}",
            "name": spec["name"],
            "@referredType": "Organization" if business else "Individual",
        },
        "account": [
            {
                "id": f"acc-{cid[5:]}",
                "name": f"{spec['name']} account",
                "@referredType": "BillingAccount",
            }
        ],
        "paymentMethod": [
            {
                "id": f"pm-{cid[5:]}-card",
                "name": "Visa debit card ending 4242",
                "@referredType": "BankCard",
            }
        ],
    }
    if business and spec.get("contact"):
        doc["relatedParty"] = [
            {
                "id": f"ind-{cid[5:]}-contact",
                "name": spec["contact"],
                "role": "contact",
                "@referredType": "Individual",
            }
        ]
    return doc


async def seed_world(ctx: Ctx) -> None:
    ctx.repo.begin_bulk()
    await _seed_all(ctx)
    await ctx.repo.end_bulk()


async def _seed_all(ctx: Ctx) -> None:
    now = utcnow()
    for doc in offerings(ctx.world):
        await ctx.repo.put("productOffering", doc)
    for doc in offering_prices(ctx.world):
        await ctx.repo.put("productOfferingPrice", doc)
    for outage in ctx.world.outages:
        since = iso(now - timedelta(hours=outage.since_hours_ago))
        fix = iso(now + timedelta(hours=outage.fixed_in_hours))
        await ctx.repo.put(
            "troubleTicket",
            {
                "id": outage.id,
                "href": href("troubleTicket", outage.id),
                "@type": "TroubleTicket",
                "name": outage.title,
                "ticketType": "networkOutage",
                "severity": "Major",
                "priority": "High",
                "status": "inProgress",
                "creationDate": since,
                "lastUpdate": since,
                "expectedResolutionDate": fix,
                "description": f"{outage.title} in {', '.join(outage.districts)}",
                "statusChange": [{"status": "inProgress", "changeDate": since}],
            },
        )
    for spec in ctx.world.customers:
        await _seed_customer(ctx, spec, now)


async def _seed_customer(ctx: Ctx, spec: Doc, now: datetime) -> None:
    cid = spec["id"]
    customer = customer_doc(spec)
    account = customer["account"][0]["id"]
    await ctx.repo.put("customer", customer, customer_id=cid)
    lines: list[Doc] = []
    monthly = 0.0
    for ls in spec["lines"]:
        plan = ctx.world.plan(ls["plan"])
        assert plan is not None, ls["plan"]
        start = _months_ago(now, int(ls.get("since_months", 6)))
        period_start = (
            now + timedelta(days=int(ls["renews_in_days"]) - (plan.period_days or 30))
            if "renews_in_days" in ls
            else None
        )
        features: Doc = {
            "roaming": bool(ls.get("roaming", spec["segment"] != "prepaid")),
            "iccid": ls.get("iccid", ""),
            "simType": "physical",
        }
        if "call_waiting" in ls:
            features["callWaiting"] = bool(ls["call_waiting"])
        if "spending_cap" in ls:
            features["spendingCap"] = ls["spending_cap"]
        if ls.get("visited_country"):
            features["visitedCountry"] = ls["visited_country"]
        if ls.get("suspension_reason"):
            features["suspensionReason"] = ls["suspension_reason"]
        if ls.get("user"):
            features["lineUser"] = ls["user"]
        line = line_product(
            line_id=ls["id"],
            customer_id=cid,
            account_id=account,
            plan=plan,
            msisdn=ls["msisdn"],
            start=start,
            status=ls.get("status", "active"),
            period_start=period_start,
            features=features,
        )
        await ctx.repo.put("product", line, customer_id=cid)
        lines.append(line)
        monthly += plan.price if spec["segment"] != "prepaid" else 0
        await _seed_buckets(ctx, line, plan, ls, spec["segment"], now, period_start)
        await _seed_usage(ctx, line, plan, ls, spec["segment"], now, period_start)
        for amount in ls.get("topped_up_today", []):
            await _seed_topup(ctx, line, float(amount), now)
    for bb in spec.get("broadband", []):
        plan = ctx.world.plan(bb["plan"])
        assert plan is not None
        product = broadband_product(
            product_id=bb["id"],
            customer_id=cid,
            account_id=account,
            plan=plan,
            service_id=bb["service_id"],
            postcode=spec["postcode"],
            start=_months_ago(now, int(bb.get("since_months", 6))),
        )
        await ctx.repo.put("product", product, customer_id=cid)
        monthly += plan.price
    for dev in spec.get("devices", []):
        device = ctx.world.device(dev["offering"])
        assert device is not None
        await ctx.repo.put(
            "product",
            device_product(
                product_id=dev["id"],
                customer_id=cid,
                account_id=account,
                name=device.name,
                offering_id=device.id,
                imei=dev["imei"],
                start=_months_ago(now, 3),
            ),
            customer_id=cid,
        )
    if spec["segment"] != "prepaid":
        await _seed_bills(ctx, spec, customer, lines, monthly, now)
    for t in spec.get("tickets", []):
        await _seed_ticket(ctx, cid, t, now)
    for o in spec.get("orders", []):
        await _seed_order(ctx, cid, o, now)
    for sr in spec.get("service_requests", []):
        await _seed_flow(ctx, customer, sr, now)


async def _seed_buckets(
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
            start = _month_start(now.year, now.month)
            end = _month_start(now.year, now.month + 1)
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


async def _seed_usage(
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


async def _seed_bills(
    ctx: Ctx, spec: Doc, customer: Doc, lines: list[Doc], monthly: float, now: datetime
) -> None:
    cid = spec["id"]
    account = customer["account"][0]["id"]
    method = customer["paymentMethod"][0]["id"]
    newest = _month_start(now.year, now.month)
    # the two most recent bills: issued on the 1st, due on the 15th
    for back in (1, 0):
        bill_date = _month_start(newest.year, newest.month - back)
        period = (_month_start(bill_date.year, bill_date.month - 1), bill_date)
        due = bill_date + timedelta(days=14)
        bill_id = f"bill-{cid[5:]}-{bill_date:%Y%m}"
        rates: list[Doc] = []
        for line in lines:
            plan = ctx.world.plan(line["productOffering"]["id"])
            assert plan is not None
            rates.append(
                _rate(
                    await ctx.repo.next_number("rate"),
                    account,
                    line,
                    f"{plan.name} monthly charge",
                    plan.price,
                    "recurring",
                    bill_date,
                    bill_id,
                    period,
                )
            )
        for product in await ctx.repo.list_docs("product", customer_id=cid):
            if char_value(product, "productType") == "broadband":
                plan = ctx.world.plan(product["productOffering"]["id"])
                assert plan is not None
                rates.append(
                    _rate(
                        await ctx.repo.next_number("rate"),
                        account,
                        product,
                        f"{plan.name} monthly charge",
                        plan.price,
                        "recurring",
                        bill_date,
                        bill_id,
                        period,
                    )
                )
        if back == 0:
            for ls, line in zip(spec["lines"], lines, strict=True):
                extra = ls.get("last_bill_extra")
                if extra:
                    rates.append(
                        _rate(
                            await ctx.repo.next_number("rate"),
                            account,
                            line,
                            extra["name"],
                            float(extra["amount"]),
                            extra["type"],
                            bill_date,
                            bill_id,
                            period,
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
            next_bill=_month_start(bill_date.year, bill_date.month + 1),
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


def _rate(
    number: int,
    account: str,
    line: Doc,
    name: str,
    amount: float,
    kind: str,
    when: datetime,
    bill_id: str,
    period: tuple[datetime, datetime],
) -> Doc:
    return billing.rate_doc(
        rate_id=f"rate-{number:06d}",
        account_id=account,
        line=line,
        name=name,
        amount=amount,
        kind=kind,
        when=when,
        bill_id=bill_id,
        period=period,
    )


async def _seed_ticket(ctx: Ctx, cid: str, t: Doc, now: datetime) -> None:
    opened = now - timedelta(days=float(t.get("opened_days_ago", 1)))
    doc: Doc = {
        "id": t["id"],
        "href": href("troubleTicket", t["id"]),
        "@type": "TroubleTicket",
        "name": t["name"],
        "description": t["description"],
        "ticketType": t["type"],
        "severity": t["severity"],
        "priority": t["priority"],
        "status": t["status"],
        "creationDate": iso(opened),
        "lastUpdate": iso(opened + timedelta(hours=2)),
        "expectedResolutionDate": iso(now + timedelta(days=2)),
        "statusChange": [
            {"status": "acknowledged", "changeDate": iso(opened)},
            {"status": t["status"], "changeDate": iso(opened + timedelta(hours=2))},
        ],
        "relatedParty": [party(cid)],
        "relatedEntity": [
            {
                "id": t["product"],
                "href": href("product", t["product"]),
                "role": "affectedProduct",
                "@referredType": "Product",
            }
        ],
    }
    await ctx.repo.put("troubleTicket", doc, customer_id=cid)


async def _seed_order(ctx: Ctx, cid: str, o: Doc, now: datetime) -> None:
    opened = now - timedelta(days=float(o.get("opened_days_ago", 1)))
    device = ctx.world.device(o["offering"])
    assert device is not None
    doc: Doc = {
        "id": o["id"],
        "href": href("productOrder", o["id"]),
        "@type": "ProductOrder",
        "state": o["state"],
        "orderDate": iso(opened),
        "category": "device",
        "description": f"New handset: {device.name}",
        "expectedCompletionDate": iso(now + timedelta(days=2)),
        "relatedParty": [party(cid)],
        "note": [{"text": o["note"], "date": iso(opened)}],
        "orderTotalPrice": [{"priceType": "oneTime", "price": price(device.price)}],
        "productOrderItem": [
            {
                "id": "1",
                "action": "add",
                "state": o["state"],
                "productOffering": ref("productOffering", device.id, name=device.name),
                "product": {
                    "productRelationship": [
                        {"relationshipType": "usedBy", "product": {"id": o["product"]}}
                    ]
                },
            }
        ],
        "_kind": "default",
        "_charges": [],
    }
    await ctx.repo.put("productOrder", doc, customer_id=cid)  # no timer: waits on the courier


def _appointment(now: datetime, sr: Doc) -> str:
    """An installation slot `appointment_in_days` after the seed's day, at `appointment_time`."""
    hour, minute = (int(part) for part in str(sr.get("appointment_time", "08:00")).split(":"))
    day = now.date() + timedelta(days=int(sr["appointment_in_days"]))
    return iso(datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC))


async def _seed_flow(ctx: Ctx, customer: Doc, sr: Doc, now: datetime) -> None:
    cid = customer["id"]
    opened = now - timedelta(
        hours=float(sr.get("opened_hours_ago", 0)), days=float(sr.get("opened_days_ago", 0))
    )
    chars: list[Doc] = []
    entities: list[Doc] = []
    if sr.get("product"):
        entities.append(
            {
                "id": sr["product"],
                "href": href("product", sr["product"]),
                "role": "line",
                "@referredType": "Product",
            }
        )
    if sr["kind"] == "broadband_installation":
        postcode = next(
            c["characteristic"]["postCode"]
            for c in customer["contactMedium"]
            if c["mediumType"] == "postalAddress"
        )
        chars = [
            characteristic("offering", sr["offering"]),
            characteristic("postcode", postcode),
            characteristic("appointment", _appointment(now, sr)),
        ]
    doc = flow_doc(
        flow_id=sr["id"],
        spec=sr["kind"],
        customer_id=cid,
        when=opened,
        chars=chars,
        entities=entities,
    )
    # seeded requests are mid-way and wait on the outside world (no timer)
    done = 1 if sr["kind"] == "esim" else 2
    for i, task in enumerate(doc["_tasks"]):
        task["state"] = "completed" if i < done else ("active" if i == done else "new")
    await ctx.repo.put("processFlow", doc, customer_id=cid)


async def _seed_topup(ctx: Ctx, line: Doc, amount: float, now: datetime) -> None:
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
