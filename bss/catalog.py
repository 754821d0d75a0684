"""TMF620 offerings built from the world, and the eligibility rules the BSS enforces.

`eligibility()` is the single source of those rules: the catalog annotates offerings with it
(`GET /productOffering?eligibleFor=<productId>`) and product ordering refuses with it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bss.clock import iso, parse_iso, utcnow
from bss.shapes import char_value, href, money, price, quantity
from bss.world import Addon, Device, Plan, World

Doc = dict[str, Any]
CATEGORIES = {"plan": "Plans", "addon": "Add-ons", "device": "Devices"}


@dataclass(frozen=True, slots=True)
class Verdict:
    eligible: bool
    code: str | None = None
    reason: str | None = None
    change: str | None = None  # upgrade | downgrade | add (for display)

    def as_doc(self) -> Doc:
        doc: Doc = {"eligible": self.eligible}
        for key in ("code", "reason", "change"):
            if getattr(self, key) is not None:
                doc[key] = getattr(self, key)
        return doc


def _category(cat: str) -> list[Doc]:
    return [
        {
            "id": cat,
            "name": CATEGORIES[cat],
            "href": f"/tmf-api/productCatalogManagement/v4/category/{cat}",
            "@referredType": "Category",
        }
    ]


def _price_ref(pid: str, name: str, value: float, period: str | None) -> Doc:
    doc: Doc = {
        "id": pid,
        "href": href("productOfferingPrice", pid),
        "name": name,
        "priceType": "recurring" if period else "oneTime",
        "price": price(value),
        "@referredType": "ProductOfferingPrice",
    }
    if period:
        doc["recurringChargePeriod"] = period
    return doc


def _char_use(name: str, value: Any, unit: str | None = None) -> Doc:
    val: Doc = {"value": value, "isDefault": True}
    if unit:
        val["unitOfMeasure"] = unit
    value_type = (
        "number"
        if isinstance(value, int | float) and not isinstance(value, bool)
        else ("boolean" if isinstance(value, bool) else "string")
    )
    return {"name": name, "valueType": value_type, "productSpecCharacteristicValue": [val]}


def _base(
    oid: str, name: str, description: str, category: str, segments: list[str], sellable: bool = True
) -> Doc:
    return {
        "id": oid,
        "href": href("productOffering", oid),
        "@type": "ProductOffering",
        "name": name,
        "description": description,
        "lifecycleStatus": "Active",
        "version": "1.0",
        "isBundle": False,
        "isSellable": sellable,
        "lastUpdate": "2026-11-01T00:00:00Z",
        "category": _category(category),
        "marketSegment": [{"id": s, "name": s, "@referredType": "MarketSegment"} for s in segments],
    }


def plan_offering(plan: Plan) -> Doc:
    period = f"{plan.period_days} days" if plan.period_days else "month"
    doc = _base(plan.id, plan.name, plan.description, "plan", [plan.segment])
    doc["productOfferingPrice"] = [_price_ref(f"pop-{plan.id}", plan.name, plan.price, period)]
    if plan.min_term_months:
        doc["productOfferingTerm"] = [
            {"name": "minimumTerm", "duration": {"amount": plan.min_term_months, "units": "month"}}
        ]
    chars = [_char_use("serviceType", plan.kind)]
    if plan.kind == "mobile":
        chars.append(
            _char_use(
                "dataAllowance",
                "unlimited" if plan.data_gb is None else plan.data_gb,
                None if plan.data_gb is None else "GB",
            )
        )
        chars.append(_char_use("roamingIncluded", ",".join(plan.roaming_included) or "none"))
        chars.append(_char_use("fiveG", plan.five_g))
    doc["prodSpecCharValueUse"] = chars
    return doc


def addon_offering(addon: Addon) -> Doc:
    period = {"once": None, "day": "day", "month": "month"}[addon.price_unit]
    doc = _base(addon.id, addon.name, addon.description, "addon", list(addon.segments))
    doc["productOfferingPrice"] = [_price_ref(f"pop-{addon.id}", addon.name, addon.price, period)]
    if addon.validity_days:
        doc["productOfferingTerm"] = [
            {"name": "validity", "duration": {"amount": addon.validity_days, "units": "day"}}
        ]
    if addon.data_gb:
        doc["prodSpecCharValueUse"] = [_char_use("dataAllowance", addon.data_gb, "GB")]
    return doc


def device_offering(device: Device) -> Doc:
    doc = _base(
        device.id,
        device.name,
        f"{device.name} handset",
        "device",
        ["prepaid", "postpaid", "business"],
        sellable=False,
    )
    doc["productOfferingPrice"] = [_price_ref(f"pop-{device.id}", device.name, device.price, None)]
    return doc


def offerings(world: World) -> list[Doc]:
    return (
        [plan_offering(p) for p in world.plans]
        + [addon_offering(a) for a in world.addons]
        + [device_offering(d) for d in world.devices]
    )


def offering_prices(world: World) -> list[Doc]:
    docs: list[Doc] = []
    items: list[tuple[str, str, float, str | None]] = [
        (p.id, p.name, p.price, "month" if not p.period_days else "day") for p in world.plans
    ]
    items += [
        (a.id, a.name, a.price, None if a.price_unit == "once" else a.price_unit)
        for a in world.addons
    ]
    items += [(d.id, d.name, d.price, None) for d in world.devices]
    for oid, name, value, period in items:
        plan = world.plan(oid)
        doc: Doc = {
            "id": f"pop-{oid}",
            "href": href("productOfferingPrice", f"pop-{oid}"),
            "@type": "ProductOfferingPrice",
            "name": name,
            "lifecycleStatus": "Active",
            "priceType": "recurring" if period else "oneTime",
            "price": money(value),
            "isBundle": False,
            "version": "1.0",
            "lastUpdate": "2026-11-01T00:00:00Z",
        }
        if period:
            doc["recurringChargePeriodType"] = period
            length = plan.period_days if plan and plan.period_days else 1
            doc["recurringChargePeriodLength"] = length
        doc["unitOfMeasure"] = quantity(1, "each")
        docs.append(doc)
    return docs


# -- eligibility ----------------------------------------------------------------------------------


def _term_end(line: Doc) -> datetime | None:
    for term in line.get("productTerm") or []:
        if term.get("name") == "minimumTerm":
            return parse_iso(term["validFor"]["endDateTime"])
    return None


def plan_verdict(
    world: World, plan: Plan, *, segment: str, line: Doc | None, postcode: str | None = None
) -> Verdict:
    if plan.segment != segment:
        return Verdict(
            False,
            "INELIGIBLE_OFFERING",
            f"{plan.name} is a {plan.segment} plan and this is a {segment} account",
        )
    if line is None:
        if plan.kind == "broadband":
            area = world.area(postcode or "")
            if area is None or not area.fibre:
                return Verdict(
                    False,
                    "NO_FIBRE_AT_ADDRESS",
                    f"Home fibre is not available in postcode area {postcode}",
                )
        return Verdict(True, change="add")
    kind = "mobile" if char_value(line, "productType") == "mobileLine" else "broadband"
    if plan.kind != kind:
        return Verdict(
            False,
            "INELIGIBLE_OFFERING",
            f"{plan.name} is a {plan.kind} plan and {line['id']} is a {kind} product",
        )
    current = world.plan(line["productOffering"]["id"])
    if current is None or current.id == plan.id:
        return Verdict(False, "ALREADY_ON_PLAN", f"The line is already on {plan.name}")
    if plan.price < current.price:
        end = _term_end(line)
        if end is not None and end > utcnow():
            return Verdict(
                False,
                "DOWNGRADE_IN_MIN_TERM",
                f"Downgrades are allowed only after the minimum term ends on {iso(end)[:10]}",
                change="downgrade",
            )
        return Verdict(True, change="downgrade")
    return Verdict(True, change="upgrade")


def addon_verdict(
    world: World,
    addon: Addon,
    *,
    segment: str,
    line: Doc,
    active_addons: list[str],
    has_device: bool,
) -> Verdict:
    plan = world.plan(line["productOffering"]["id"])
    if char_value(line, "productType") != "mobileLine" or plan is None:
        return Verdict(False, "INELIGIBLE_OFFERING", "Add-ons can only be added to a mobile line")
    if segment not in addon.segments:
        return Verdict(
            False, "INELIGIBLE_OFFERING", f"{addon.name} is not available on {segment} accounts"
        )
    if addon.not_on_unlimited_data and plan.unlimited_data:
        return Verdict(
            False,
            "INELIGIBLE_OFFERING",
            f"{addon.name} is not needed on {plan.name}: data is already unlimited",
        )
    if addon.requires_plan and plan.id not in addon.requires_plan:
        names = ", ".join(addon.requires_plan)
        return Verdict(False, "INELIGIBLE_OFFERING", f"{addon.name} is only for plan(s) {names}")
    if addon.requires_device and not has_device:
        return Verdict(False, "INELIGIBLE_OFFERING", f"{addon.name} needs a device on the account")
    if addon.data_boost:
        boosts = [a for a in active_addons if (x := world.addon(a)) is not None and x.data_boost]
        if len(boosts) >= world.rules.max_data_boosts:
            return Verdict(
                False,
                "DATA_BOOST_LIMIT",
                f"At most {world.rules.max_data_boosts} data boosts can be active on one line",
            )
    elif addon.id in active_addons:
        return Verdict(False, "ADDON_ALREADY_ACTIVE", f"{addon.name} is already active")
    return Verdict(True, change="add")
