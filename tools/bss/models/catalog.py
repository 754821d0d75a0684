"""What can be sold, as TMF620 offerings: price, terms, allowances, and whether a given product
may change to it."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, ClassVar

from pydantic import Field

from tools.bss.models.tmf import Doc, FieldMap, Frozen, TmfModel, at, dig, to_decimal


class Eligibility(Frozen):
    eligible: bool
    code: str | None = None
    reason: str | None = None
    change: str | None = None  # upgrade | downgrade | add


def _price(doc: Doc) -> Decimal | None:
    value = dig(doc, "productOfferingPrice", 0, "price") or {}
    if "taxIncludedAmount" in value:
        return to_decimal(dig(value, "taxIncludedAmount", "value"))
    return to_decimal(value.get("value"))


def _uses(doc: Doc) -> dict[str, Any]:
    """The offering's characteristic values (`prodSpecCharValueUse`) by name."""
    return {
        u.get("name"): (
            u.get("productSpecCharValue") or u.get("productSpecCharacteristicValue") or [{}]
        )[0].get("value")
        for u in doc.get("prodSpecCharValueUse") or []
    }


def _data_allowance(doc: Doc) -> Decimal | None:
    data = _uses(doc).get("dataAllowance")
    return None if data in (None, "unlimited") else to_decimal(data)


def _roaming_included(doc: Doc) -> list[str]:
    roaming = str(_uses(doc).get("roamingIncluded") or "none")
    return [] if roaming == "none" else roaming.split(",")


def _eligibility(doc: Doc) -> Eligibility | None:
    eligibility = doc.get("eligibility")
    return Eligibility(**eligibility) if isinstance(eligibility, dict) else None


class Offering(TmfModel):
    """A TMF620 product offering with its price and (if asked for a product) eligibility."""

    id: str
    name: str
    description: str = ""
    category: str | None = None  # plan | addon | device
    segments: list[str] = Field(default_factory=list)
    price: Decimal | None = None
    price_type: str | None = None  # recurring | oneTime
    price_period: str | None = None
    min_term_months: int | None = None
    validity_days: int | None = None
    service_type: str | None = None  # mobile | broadband
    data_allowance_gb: Decimal | None = None
    unlimited_data: bool = False
    roaming_included: list[str] = Field(default_factory=list)
    sellable: bool = True
    eligibility: Eligibility | None = None

    tmf: ClassVar[FieldMap] = {
        "id": at("id"),
        "name": lambda d: d.get("name", d["id"]),
        "description": at("description", default=""),
        "category": at("category", 0, "id"),
        "segments": lambda d: [s["id"] for s in d.get("marketSegment") or [] if s.get("id")],
        "price": _price,
        "price_type": at("productOfferingPrice", 0, "priceType"),
        "price_period": at("productOfferingPrice", 0, "recurringChargePeriod"),
        "min_term_months": at("productOfferingTerm", {"name": "minimumTerm"}, "duration", "amount"),
        "validity_days": at("productOfferingTerm", {"name": "validity"}, "duration", "amount"),
        "service_type": lambda d: _uses(d).get("serviceType"),
        "data_allowance_gb": _data_allowance,
        "unlimited_data": lambda d: _uses(d).get("dataAllowance") == "unlimited",
        "roaming_included": _roaming_included,
        "sellable": lambda d: bool(d.get("isSellable", True)),
        "eligibility": _eligibility,
    }
