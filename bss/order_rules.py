"""What a product order may do, decided when it is posted (TMF622): each item is checked against
the catalog's eligibility, the line's state and the settable features, and becomes a `Plan`: the
prepaid charges to take from credit and what is added to the next bill. A refusal is a TMF
`Error` and nothing is created."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from bss.catalog import addon_verdict, plan_verdict
from bss.context import Ctx
from bss.errors import bad_request, not_found, rule
from bss.inventory import addon_standing, owned_product, product_type, require_active
from bss.shapes import char_value

Doc = dict[str, Any]

FEATURES = {"roaming", "callForwarding", "callWaiting", "voicemail", "callerId", "spendingCap"}
E164 = re.compile(r"^\+[1-9]\d{7,14}$")


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


def customer_of(body: Doc) -> str:
    """The id of the Customer a posted TMF body is for (its `relatedParty`)."""
    for p in body.get("relatedParty") or []:
        if p.get("@referredType") == "Customer" or p.get("role") == "customer":
            return str(p["id"])
    raise bad_request("relatedParty must name the Customer the order is for")


def item_characteristics(item: Doc) -> dict[str, Any]:
    """The characteristics an order item sets on its product, by name."""
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


async def plan_item(ctx: Ctx, item: Doc, customer_id: str, segment: str, plan: Plan) -> None:
    action = item.get("action")
    product = item.get("product") or {}
    offering_id = (item.get("productOffering") or {}).get("id")
    if action == "modify":
        if not product.get("id"):
            raise bad_request("A modify item needs product.id (the inventory product)")
        line = await owned_product(ctx, str(product["id"]), customer_id)
        require_active(line)
        chars = item_characteristics(item)
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
        active, has_device = await addon_standing(ctx, line, customer_id)
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
