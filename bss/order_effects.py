"""What a completed product order does to the inventory (TMF622 -> TMF637/TMF654): a plan
change or renewal re-terms the line and resets its data bucket, features are set as
characteristics, an add-on becomes a product of its own (with its data and its charge), a
removed add-on is terminated."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bss.billing import add_charge
from bss.clock import iso, utcnow
from bss.context import Ctx
from bss.events import emit
from bss.inventory import (
    addon_product,
    bucket,
    plan_price_entry,
    plan_terms,
    set_remaining,
)
from bss.order_rules import item_characteristics, segment_of
from bss.shapes import char_value, href, set_char

Doc = dict[str, Any]


async def apply_order(ctx: Ctx, order: Doc) -> None:
    customer_id = order["relatedParty"][0]["id"]
    for item in order["productOrderItem"]:
        product = item.get("product") or {}
        if item["action"] == "modify":
            line = await ctx.repo.get("product", str(product["id"]))
            if line is None:
                continue
            chars = item_characteristics(item)
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
