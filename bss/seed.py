"""Build the demo world's TMF resources from `data/world.yaml` and store them: the catalog,
then each customer with their products (bss/seed_money.py for balances and bills,
bss/seed_cases.py for outages, tickets, orders and service requests)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from bss.catalog import offering_prices, offerings
from bss.clock import utcnow
from bss.context import Ctx
from bss.inventory import broadband_product, device_product, line_product
from bss.seed_cases import seed_flow, seed_order, seed_outages, seed_ticket
from bss.seed_money import seed_bills, seed_buckets, seed_topup, seed_usage
from bss.shapes import characteristic, href

Doc = dict[str, Any]


def _months_ago(now: datetime, months: int) -> datetime:
    return now - timedelta(days=round(months * 30.44))


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
    await seed_outages(ctx, now)
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
        await seed_buckets(ctx, line, plan, ls, spec["segment"], now, period_start)
        await seed_usage(ctx, line, plan, ls, spec["segment"], now, period_start)
        for amount in ls.get("topped_up_today", []):
            await seed_topup(ctx, line, float(amount), now)
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
        await seed_bills(ctx, spec, customer, lines, monthly, now)
    for t in spec.get("tickets", []):
        await seed_ticket(ctx, cid, t, now)
    for o in spec.get("orders", []):
        await seed_order(ctx, cid, o, now)
    for sr in spec.get("service_requests", []):
        await seed_flow(ctx, customer, sr, now)
