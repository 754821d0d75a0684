"""TMF622 product ordering: plan change (`modify`), renewal (`modify` of the same offering with
characteristic `renewal=true`, see ADR 0002), line features (`modify` with characteristics only),
add-ons (`add` with an `addOnTo` relationship), add-on removal (`delete`), and cancellation.

Every rule is checked when the order is posted (a refusal is a TMF `Error`, nothing is created);
prepaid charges are taken from credit at acceptance and refunded if the order is cancelled.
The effect on the inventory lands when the order reaches `completed` on the clock."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from bss.catalog import addon_verdict, plan_verdict
from bss.clock import iso, utcnow
from bss.context import Ctx
from bss.errors import TmfError, bad_request, not_found, rule
from bss.events import emit
from bss.inventory import (
    addon_product,
    bucket,
    debit_credit,
    owned_product,
    plan_price_entry,
    plan_terms,
    product_type,
    refund_credit,
    require_active,
    set_remaining,
)
from bss.shapes import char_value, href, party, price, set_char

Doc = dict[str, Any]

FEATURES = {"roaming", "callForwarding", "callWaiting", "voicemail", "callerId", "spendingCap"}
E164 = re.compile(r"^\+[1-9]\d{7,14}$")
OPEN_STATES = {"acknowledged", "inProgress", "pending", "held"}
FINAL_STATES = {"completed", "failed", "partial", "cancelled", "rejected"}
# simulated seconds each step takes: (acknowledged -> inProgress, inProgress -> completed)
DELAYS = {"default": (30.0, 120.0), "features": (5.0, 10.0)}
CANCEL_DELAY = 10.0


@dataclass(slots=True)
class Plan:
    """What an accepted order will do, item by item."""

    kind: str = "default"
    charges: list[tuple[str, float, str]] = field(default_factory=list)  # (line, amount, what)
    billed: float = 0.0  # postpaid: added to the next bill


async def segment_of(ctx: Ctx, customer_id: str) -> str:
    customer = await ctx.repo.get("customer", customer_id)
    if customer is None:
        raise not_found("Customer", customer_id)
    return str(char_value(customer, "segment", "postpaid", key="characteristic"))


def _customer_id(body: Doc) -> str:
    for p in body.get("relatedParty") or []:
        if p.get("@referredType") == "Customer" or p.get("role") == "customer":
            return str(p["id"])
    raise bad_request("relatedParty must name the Customer the order is for")


def _chars(item: Doc) -> dict[str, Any]:
    product = item.get("product") or {}
    return {str(c["name"]): c.get("value") for c in product.get("productCharacteristic") or []}


def _check_features(chars: dict[str, Any], segment: str, world_cap: float) -> None:
    unknown = set(chars) - FEATURES
    if unknown:
        raise bad_request(
            f"Unknown characteristic(s) {sorted(unknown)}; settable: {sorted(FEATURES)}",
            code="UNKNOWN_CHARACTERISTIC",
        )
    for name in ("roaming", "callWaiting", "voicemail", "callerId"):
        if name in chars and not isinstance(chars[name], bool):
            raise bad_request(f"{name} must be true or false")
    forward = chars.get("callForwarding")
    if forward is not None and forward != "off" and not E164.match(str(forward)):
        raise bad_request(
            "callForwarding must be 'off' or a number in +44... format", code="INVALID_NUMBER"
        )
    if "spendingCap" in chars:
        cap = chars["spendingCap"]
        if segment == "prepaid":
            raise rule(
                "INELIGIBLE_OFFERING",
                "Spending caps apply to postpaid lines; prepaid lines can only spend their credit",
            )
        if cap != "none" and not (isinstance(cap, int | float) and 0 <= cap <= world_cap):
            raise bad_request(f"spendingCap must be 'none' or 0-{world_cap:g} (GBP per month)")


async def _plan_item(ctx: Ctx, item: Doc, customer_id: str, segment: str, plan: Plan) -> None:
    action = item.get("action")
    product = item.get("product") or {}
    offering_id = (item.get("productOffering") or {}).get("id")
    if action == "modify":
        if not product.get("id"):
            raise bad_request("A modify item needs product.id (the inventory product)")
        line = await owned_product(ctx, str(product["id"]), customer_id)
        require_active(line)
        chars = _chars(item)
        current = line["productOffering"]["id"]
        if chars.get("renewal") is True:
            target = ctx.world.plan(str(offering_id or current))
            if target is None or target.id != current:
                raise bad_request("A renewal modifies the product with its current offering")
            if not target.is_bundle:
                raise rule(
                    "RENEWAL_NOT_APPLICABLE",
                    f"{target.name} renews automatically each "
                    "bill; only prepaid bundles can be renewed early",
                )
            plan.charges.append((line["id"], target.price, f"Renewing {target.name}"))
            return
        if offering_id and offering_id != current:
            target = ctx.world.plan(str(offering_id))
            if target is None:
                raise not_found("ProductOffering", str(offering_id))
            verdict = plan_verdict(ctx.world, target, segment=segment, line=line)
            if not verdict.eligible:
                raise rule(verdict.code or "INELIGIBLE_OFFERING", verdict.reason or "")
            if target.is_bundle:
                plan.charges.append((line["id"], target.price, f"{target.name}"))
            return
        if not chars:
            raise bad_request("A modify item needs a new productOffering or characteristics")
        if product_type(line) != "mobileLine":
            raise rule("INELIGIBLE_PRODUCT", f"{line['id']} has no line features")
        _check_features(chars, segment, ctx.world.rules.spending_cap_max)
        plan.kind = "features"
        return
    if action == "add":
        addon = ctx.world.addon(str(offering_id)) if offering_id else None
        if addon is None:
            if offering_id and ctx.world.device(str(offering_id)):
                raise rule("NOT_SELLABLE", "Handsets are sold in shops and online, not here")
            raise not_found("ProductOffering", str(offering_id))
        rels = [
            r
            for r in product.get("productRelationship") or []
            if r.get("relationshipType") == "addOnTo"
        ]
        if not rels:
            raise bad_request("An add-on item needs product.productRelationship addOnTo the line")
        line = await owned_product(ctx, str(rels[0]["product"]["id"]), customer_id)
        require_active(line)
        owned = await ctx.repo.list_docs("product", customer_id=customer_id)
        active = [
            p["productOffering"]["id"]
            for p in owned
            if p.get("status") == "active"
            and any(r["product"]["id"] == line["id"] for r in p.get("productRelationship") or [])
        ]
        has_device = any(product_type(p) == "device" for p in owned)
        verdict = addon_verdict(
            ctx.world,
            addon,
            segment=segment,
            line=line,
            active_addons=active,
            has_device=has_device,
        )
        if not verdict.eligible:
            raise rule(verdict.code or "INELIGIBLE_OFFERING", verdict.reason or "")
        if segment == "prepaid":
            plan.charges.append((line["id"], addon.price, addon.name))
        else:
            plan.billed += addon.price
        return
    if action == "delete":
        existing = await owned_product(ctx, str(product.get("id", "")), customer_id)
        if product_type(existing) != "addon" or existing.get("status") != "active":
            raise rule("INVALID_ACTION", "Only an active add-on can be removed by an order")
        return
    raise bad_request(f"Unsupported action {action!r}")


async def create_order(ctx: Ctx, body: Doc) -> Doc:
    items = body.get("productOrderItem") or []
    if not items:
        raise bad_request("productOrderItem is required")
    customer_id = _customer_id(body)
    segment = await segment_of(ctx, customer_id)
    plan = Plan()
    for item in items:
        if not item.get("id") or not item.get("action"):
            raise bad_request("Each productOrderItem needs id and action")
        await _plan_item(ctx, item, customer_id, segment, plan)
    charged = 0.0
    for line_id, amount, what in plan.charges:
        line = await ctx.repo.get("product", line_id)
        assert line is not None
        await debit_credit(ctx, line, amount, what)
        charged += amount
    number = await ctx.repo.next_number("productOrder")
    now = utcnow()
    first, second = DELAYS[plan.kind]
    order_id = f"ORD-{2100 + number}"
    doc: Doc = {
        "id": order_id,
        "href": href("productOrder", order_id),
        "@type": "ProductOrder",
        "state": "acknowledged",
        "orderDate": iso(now),
        "expectedCompletionDate": iso(now + timedelta(seconds=first + second)),
        "relatedParty": [party(customer_id)],
        "productOrderItem": [{**item, "state": "acknowledged"} for item in items],
        "_kind": plan.kind,
        "_charges": [[c[0], c[1]] for c in plan.charges],
    }
    for key in (
        "externalId",
        "channel",
        "note",
        "category",
        "description",
        "priority",
        "requestedStartDate",
        "requestedCompletionDate",
        "billingAccount",
    ):
        if key in body:
            doc[key] = body[key]
    totals = []
    if charged:
        totals.append({"priceType": "oneTime", "name": "Paid from credit", "price": price(charged)})
    if plan.billed:
        totals.append(
            {"priceType": "oneTime", "name": "Added to the next bill", "price": price(plan.billed)}
        )
    if totals:
        doc["orderTotalPrice"] = totals
    await ctx.repo.put(
        "productOrder", doc, customer_id=customer_id, due_at=ctx.clock.due_after(first)
    )
    await emit(ctx, "productOrder", "ProductOrderCreateEvent", public(doc))
    return doc


def public(doc: Doc) -> Doc:
    return {k: v for k, v in doc.items() if not k.startswith("_")}


def _set_state(doc: Doc, state: str) -> None:
    doc["state"] = state
    for item in doc["productOrderItem"]:
        item["state"] = state if state != "partial" else "completed"
    if state == "completed":
        doc["completionDate"] = iso()
    if state == "cancelled":
        doc["cancellationDate"] = iso()


async def step_order(ctx: Ctx, doc: Doc) -> None:
    state = doc["state"]
    _first, second = DELAYS[doc.get("_kind", "default")]
    due: float | None = None
    if state == "acknowledged":
        _set_state(doc, "inProgress")
        due = ctx.clock.due_after(second)
    elif state == "inProgress":
        await _apply(ctx, doc)
        _set_state(doc, "completed")
    elif state == "assessingCancellation":
        _set_state(doc, "pendingCancellation")
        await _cancel_request_state(ctx, doc, "inProgress")
        due = ctx.clock.due_after(CANCEL_DELAY)
    elif state == "pendingCancellation":
        for line_id, amount in doc.get("_charges", []):
            await refund_credit(ctx, line_id, amount)
        _set_state(doc, "cancelled")
        await _cancel_request_state(ctx, doc, "done")
    else:
        await ctx.repo.save("productOrder", doc, due_at=None)
        return
    await ctx.repo.save("productOrder", doc, due_at=due)
    await emit(ctx, "productOrder", "ProductOrderStateChangeEvent", public(doc))


async def cancel_order(ctx: Ctx, body: Doc) -> Doc:
    order_ref = body.get("productOrder") or {}
    order = await ctx.repo.get("productOrder", str(order_ref.get("id", "")))
    if order is None:
        raise not_found("ProductOrder", str(order_ref.get("id", "")))
    if order["state"] not in OPEN_STATES:
        raise TmfError(
            409,
            "ORDER_NOT_CANCELLABLE",
            f"Order {order['id']} is {order['state']} and can no longer be cancelled",
        )
    number = await ctx.repo.next_number("cancelProductOrder")
    cid = f"CAN-{5100 + number}"
    cancel: Doc = {
        "id": cid,
        "href": href("cancelProductOrder", cid),
        "@type": "CancelProductOrder",
        "state": "acknowledged",
        "productOrder": {"id": order["id"], "href": order["href"], "@referredType": "ProductOrder"},
        "requestedCancellationDate": iso(),
    }
    if body.get("cancellationReason"):
        cancel["cancellationReason"] = body["cancellationReason"]
        order["cancellationReason"] = body["cancellationReason"]
    order["_cancel"] = cid
    owner_id = order["relatedParty"][0]["id"]
    await ctx.repo.put("cancelProductOrder", cancel, customer_id=owner_id)
    _set_state(order, "assessingCancellation")
    await ctx.repo.save("productOrder", order, due_at=ctx.clock.due_after(CANCEL_DELAY))
    await emit(ctx, "cancelProductOrder", "CancelProductOrderCreateEvent", cancel)
    await emit(ctx, "productOrder", "ProductOrderStateChangeEvent", public(order))
    return cancel


async def _cancel_request_state(ctx: Ctx, order: Doc, state: str) -> None:
    cancel = await ctx.repo.get("cancelProductOrder", str(order.get("_cancel", "")))
    if cancel is None:
        return
    cancel["state"] = state
    if state == "done":
        cancel["effectiveCancellationDate"] = iso()
    await ctx.repo.save("cancelProductOrder", cancel)
    await emit(ctx, "cancelProductOrder", "CancelProductOrderStateChangeEvent", cancel)


# -- effects at completion ------------------------------------------------------------------------


async def _apply(ctx: Ctx, order: Doc) -> None:
    customer_id = order["relatedParty"][0]["id"]
    for item in order["productOrderItem"]:
        product = item.get("product") or {}
        if item["action"] == "modify":
            line = await ctx.repo.get("product", str(product["id"]))
            if line is None:
                continue
            chars = _chars(item)
            offering_id = (item.get("productOffering") or {}).get("id")
            if chars.get("renewal") is True:
                await _renew(ctx, line)
            elif offering_id and offering_id != line["productOffering"]["id"]:
                await _change_plan(ctx, line, str(offering_id))
            else:
                for name, value in chars.items():
                    set_char(line, name, value)
            await ctx.repo.save("product", line)
            await emit(ctx, "product", "ProductAttributeValueChangeEvent", line)
        elif item["action"] == "add":
            await _add_addon(ctx, order, item, customer_id)
        elif item["action"] == "delete":
            addon = await ctx.repo.get("product", str(product["id"]))
            if addon is not None:
                addon["status"] = "terminated"
                addon["terminationDate"] = iso()
                await ctx.repo.save("product", addon)
                await emit(ctx, "product", "ProductStateChangeEvent", addon)


async def _data_bucket(ctx: Ctx, line: Doc, total: float | None, *, start: Any, end: Any) -> None:
    bid = f"bkt-{line['id']}-data"
    existing = await ctx.repo.get("bucket", bid)
    if total is None or total == 0:
        if existing is not None:
            existing["status"] = "expired"
            await ctx.repo.save("bucket", existing)
        return
    fresh = bucket(
        bucket_id=bid,
        line=line,
        usage_type="data",
        name="Data allowance",
        remaining=total,
        units="GB",
        start=start,
        end=end,
        initial=total,
    )
    if existing is None:
        await ctx.repo.put("bucket", fresh, customer_id=line["relatedParty"][0]["id"])
    else:
        await ctx.repo.save("bucket", fresh)


async def _change_plan(ctx: Ctx, line: Doc, offering_id: str) -> None:
    target = ctx.world.plan(offering_id)
    assert target is not None
    now = utcnow()
    line["productOffering"] = {
        "id": target.id,
        "href": href("productOffering", target.id),
        "name": target.name,
        "@referredType": "ProductOffering",
    }
    line["name"] = f"{target.name} ({char_value(line, 'msisdn') or line['id']})"
    line["description"] = target.description
    line["productPrice"] = [plan_price_entry(target)]
    line["productTerm"] = plan_terms(target, now)
    if target.kind == "mobile":
        end = now + timedelta(days=target.period_days or 30)
        await _data_bucket(ctx, line, target.data_gb, start=now, end=end)


async def _renew(ctx: Ctx, line: Doc) -> None:
    target = ctx.world.plan(line["productOffering"]["id"])
    assert target is not None and target.period_days
    now = utcnow()
    line["productTerm"] = plan_terms(target, now)
    await _data_bucket(
        ctx, line, target.data_gb, start=now, end=now + timedelta(days=target.period_days)
    )


async def _add_addon(ctx: Ctx, order: Doc, item: Doc, customer_id: str) -> None:
    addon = ctx.world.addon(str(item["productOffering"]["id"]))
    rel = item["product"]["productRelationship"][0]
    line = await ctx.repo.get("product", str(rel["product"]["id"]))
    if addon is None or line is None:
        return
    number = await ctx.repo.next_number("addonProduct")
    product = addon_product(
        product_id=f"add-{number:05d}",
        customer_id=customer_id,
        account_id=line["billingAccount"]["id"],
        addon=addon,
        line_id=line["id"],
        start=utcnow(),
    )
    product["productOrderItem"] = [
        {
            "productOrderId": order["id"],
            "orderItemId": item["id"],
            "orderItemAction": "add",
            "@referredType": "ProductOrderItem",
        }
    ]
    await ctx.repo.put("product", product, customer_id=customer_id)
    await emit(ctx, "product", "ProductCreateEvent", product)
    if addon.data_gb:
        data = await ctx.repo.get("bucket", f"bkt-{line['id']}-data")
        if data is not None:
            set_remaining(data, float(data["remainingValue"]["amount"]) + addon.data_gb)
            if "initialValue" in data:
                data["initialValue"]["amount"] = round(
                    float(data["initialValue"]["amount"]) + addon.data_gb, 2
                )
            await ctx.repo.save("bucket", data)
    from bss.billing import add_charge  # billing imports ordering's helpers indirectly

    segment = await segment_of(ctx, customer_id)
    await add_charge(
        ctx,
        customer_id=customer_id,
        line=line,
        name=addon.name,
        amount=addon.price,
        kind="oneTime",
        billed_from_credit=segment == "prepaid",
    )
