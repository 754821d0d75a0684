"""TMF637 products (lines, broadband, add-ons, devices) and their TMF654 buckets."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from bss.clock import iso
from bss.context import Ctx
from bss.errors import TmfError, not_found, rule
from bss.shapes import (
    char_value,
    characteristic,
    gbp,
    href,
    party,
    price,
    quantity,
    ref,
)
from bss.world import Addon, Plan

Doc = dict[str, Any]

LINE_FEATURE_DEFAULTS: dict[str, Any] = {
    "callForwarding": "off",  # "off" or the E.164 number calls are forwarded to
    "callWaiting": True,
    "voicemail": True,
    "callerId": True,
    "spendingCap": "none",  # "none" or a monthly amount in GBP (postpaid)
}


def plan_price_entry(plan: Plan) -> Doc:
    period = f"{plan.period_days} days" if plan.period_days else "month"
    return {
        "priceType": "recurring",
        "recurringChargePeriod": period,
        "name": plan.name,
        "price": price(plan.price),
        "productOfferingPrice": {
            "id": f"pop-{plan.id}",
            "href": href("productOfferingPrice", f"pop-{plan.id}"),
        },
    }


def plan_terms(plan: Plan, start: datetime, *, period_start: datetime | None = None) -> list[Doc]:
    terms: list[Doc] = []
    if plan.min_term_months:
        end = start + timedelta(days=round(plan.min_term_months * 30.44))
        terms.append(
            {
                "name": "minimumTerm",
                "duration": quantity(plan.min_term_months, "month"),
                "validFor": {"startDateTime": iso(start), "endDateTime": iso(end)},
            }
        )
    if plan.period_days:
        begin = period_start or start
        terms.append(
            {
                "name": "bundlePeriod",
                "duration": quantity(plan.period_days, "day"),
                "validFor": {
                    "startDateTime": iso(begin),
                    "endDateTime": iso(begin + timedelta(days=plan.period_days)),
                },
            }
        )
    return terms


def line_product(
    *,
    line_id: str,
    customer_id: str,
    account_id: str,
    plan: Plan,
    msisdn: str,
    start: datetime,
    status: str = "active",
    period_start: datetime | None = None,
    features: dict[str, Any] | None = None,
) -> Doc:
    chars = [characteristic("productType", "mobileLine"), characteristic("msisdn", msisdn)]
    for name, value in {**LINE_FEATURE_DEFAULTS, **(features or {})}.items():
        chars.append(characteristic(name, value))
    return {
        "id": line_id,
        "href": href("product", line_id),
        "@type": "Product",
        "name": f"{plan.name} ({msisdn})",
        "description": plan.description,
        "isBundle": False,
        "isCustomerVisible": True,
        "status": status,
        "startDate": iso(start),
        "orderDate": iso(start),
        "productOffering": ref("productOffering", plan.id, name=plan.name),
        "productCharacteristic": chars,
        "productPrice": [plan_price_entry(plan)],
        "productTerm": plan_terms(plan, start, period_start=period_start),
        "billingAccount": {"id": account_id, "@referredType": "BillingAccount"},
        "relatedParty": [party(customer_id)],
    }


def broadband_product(
    *,
    product_id: str,
    customer_id: str,
    account_id: str,
    plan: Plan,
    service_id: str,
    postcode: str,
    start: datetime,
    status: str = "active",
) -> Doc:
    return {
        "id": product_id,
        "href": href("product", product_id),
        "@type": "Product",
        "name": f"{plan.name} ({postcode})",
        "description": plan.description,
        "isBundle": False,
        "isCustomerVisible": True,
        "status": status,
        "startDate": iso(start),
        "orderDate": iso(start),
        "productOffering": ref("productOffering", plan.id, name=plan.name),
        "productCharacteristic": [
            characteristic("productType", "broadband"),
            characteristic("serviceId", service_id),
            characteristic("postcode", postcode),
        ],
        "productPrice": [plan_price_entry(plan)],
        "productTerm": plan_terms(plan, start),
        "billingAccount": {"id": account_id, "@referredType": "BillingAccount"},
        "relatedParty": [party(customer_id)],
    }


def addon_product(
    *,
    product_id: str,
    customer_id: str,
    account_id: str,
    addon: Addon,
    line_id: str,
    start: datetime,
) -> Doc:
    terms: list[Doc] = []
    if addon.validity_days:
        terms.append(
            {
                "name": "validity",
                "duration": quantity(addon.validity_days, "day"),
                "validFor": {
                    "startDateTime": iso(start),
                    "endDateTime": iso(start + timedelta(days=addon.validity_days)),
                },
            }
        )
    period = {"once": None, "day": "day", "month": "month"}[addon.price_unit]
    entry: Doc = {
        "priceType": "oneTime" if period is None else "recurring",
        "name": addon.name,
        "price": price(addon.price),
    }
    if period:
        entry["recurringChargePeriod"] = period
    return {
        "id": product_id,
        "href": href("product", product_id),
        "@type": "Product",
        "name": addon.name,
        "description": addon.description,
        "isBundle": False,
        "isCustomerVisible": True,
        "status": "active",
        "startDate": iso(start),
        "productOffering": ref("productOffering", addon.id, name=addon.name),
        "productCharacteristic": [characteristic("productType", "addon")],
        "productPrice": [entry],
        "productTerm": terms,
        "productRelationship": [
            {
                "relationshipType": "addOnTo",
                "product": {"id": line_id, "href": href("product", line_id)},
            }
        ],
        "billingAccount": {"id": account_id, "@referredType": "BillingAccount"},
        "relatedParty": [party(customer_id)],
    }


def device_product(
    *,
    product_id: str,
    customer_id: str,
    account_id: str,
    name: str,
    offering_id: str,
    imei: str,
    start: datetime,
    status: str = "active",
) -> Doc:
    return {
        "id": product_id,
        "href": href("product", product_id),
        "@type": "Product",
        "name": name,
        "isBundle": False,
        "isCustomerVisible": True,
        "status": status,
        "startDate": iso(start),
        "productSerialNumber": imei,
        "productOffering": ref("productOffering", offering_id, name=name),
        "productCharacteristic": [
            characteristic("productType", "device"),
            characteristic("imei", imei),
        ],
        "billingAccount": {"id": account_id, "@referredType": "BillingAccount"},
        "relatedParty": [party(customer_id)],
    }


def bucket(
    *,
    bucket_id: str,
    line: Doc,
    usage_type: str,
    name: str,
    remaining: float,
    units: str,
    start: datetime,
    end: datetime | None,
    initial: float | None = None,
) -> Doc:
    msisdn = char_value(line, "msisdn")
    customer = line["relatedParty"][0]["id"]
    label = gbp(remaining) if units == "GBP" else f"{remaining:g} {units}"
    doc: Doc = {
        "id": bucket_id,
        "href": href("bucket", bucket_id),
        "@type": "Bucket",
        "name": name,
        "usageType": usage_type,
        "isShared": False,
        "status": "active",
        "remainingValue": quantity(remaining, units),
        "remainingValueName": label,
        "validFor": {"startDateTime": iso(start), **({"endDateTime": iso(end)} if end else {})},
        "product": [{"id": line["id"], "href": line["href"], "@referredType": "Product"}],
        "logicalResource": [{"id": msisdn, "name": "MSISDN", "@referredType": "LogicalResource"}],
        "partyAccount": {"id": line["billingAccount"]["id"], "@referredType": "PartyAccount"},
        "relatedParty": [party(customer)],
    }
    if initial is not None:
        # Extension (documented in ADR 0002): the allowance the bucket started the period with.
        doc["initialValue"] = quantity(initial, units)
    return doc


def set_remaining(doc: Doc, amount: float) -> None:
    units = doc["remainingValue"]["units"]
    doc["remainingValue"] = quantity(amount, units)
    doc["remainingValueName"] = gbp(amount) if units == "GBP" else f"{round(amount, 2):g} {units}"


# -- look-ups with the business checks every write needs ----------------------------------------


async def owned_product(ctx: Ctx, product_id: str, customer_id: str | None) -> Doc:
    doc = await ctx.repo.get("product", product_id)
    if doc is None or (customer_id and doc["relatedParty"][0]["id"] != customer_id):
        raise not_found("Product", product_id)
    return doc


def product_type(doc: Doc) -> str:
    return str(char_value(doc, "productType", "unknown"))


async def addon_standing(ctx: Ctx, line: Doc, customer_id: str) -> tuple[list[str], bool]:
    """What an add-on's eligibility depends on: the offerings of the add-ons active on `line`,
    and whether the customer owns a device."""
    owned = await ctx.repo.list_docs("product", customer_id=customer_id)
    active = [
        p["productOffering"]["id"]
        for p in owned
        if p.get("status") == "active"
        and any(r["product"]["id"] == line["id"] for r in p.get("productRelationship") or [])
    ]
    return active, any(product_type(p) == "device" for p in owned)


def require_active(line: Doc) -> None:
    if line.get("status") == "suspended":
        raise rule(
            "LINE_SUSPENDED",
            f"Line {line['id']} is suspended; no changes can be made "
            "until it is reactivated by an agent",
            409,
        )
    if line.get("status") != "active":
        raise rule("PRODUCT_NOT_ACTIVE", f"Product {line['id']} is {line.get('status')}", 409)


async def credit_bucket(ctx: Ctx, line_id: str) -> Doc | None:
    return await ctx.repo.get("bucket", f"bkt-{line_id}-credit")


async def debit_credit(ctx: Ctx, line: Doc, amount: float, what: str) -> None:
    """Take `amount` from a prepaid line's credit or refuse with INSUFFICIENT_BALANCE."""
    credit = await credit_bucket(ctx, line["id"])
    if credit is None:
        raise TmfError(500, "NO_CREDIT_BUCKET", f"Line {line['id']} has no credit bucket")
    have = float(credit["remainingValue"]["amount"])
    if have + 1e-9 < amount:
        raise rule(
            "INSUFFICIENT_BALANCE",
            f"{what} costs {gbp(amount)} but the credit is "
            f"{gbp(have)}; top up at least {gbp(amount - have)} first",
        )
    set_remaining(credit, have - amount)
    await ctx.repo.save("bucket", credit)


async def refund_credit(ctx: Ctx, line_id: str, amount: float) -> None:
    credit = await credit_bucket(ctx, line_id)
    if credit is not None and amount > 0:
        set_remaining(credit, float(credit["remainingValue"]["amount"]) + amount)
        await ctx.repo.save("bucket", credit)
