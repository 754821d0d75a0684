"""What a customer has, as TMF637 products: lines, broadband, add-ons and devices, and the line
features a customer can set."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, ClassVar, Literal

from pydantic import Field

from tools.bss.models.tmf import (
    Doc,
    FieldMap,
    Frozen,
    TmfModel,
    amount_at,
    at,
    characteristic,
    characteristic_values,
    date_at,
    owner,
    to_decimal,
)

ProductKind = Literal["mobileLine", "broadband", "addon", "device", "unknown"]
_KINDS = ("mobileLine", "broadband", "addon", "device")
_MINIMUM_TERM, _BUNDLE_PERIOD = {"name": "minimumTerm"}, {"name": "bundlePeriod"}
# The settable features: field name -> TMF characteristic name.
_FEATURES = {
    "roaming": "roaming",
    "call_forwarding": "callForwarding",
    "call_waiting": "callWaiting",
    "voicemail": "voicemail",
    "caller_id": "callerId",
    "spending_cap": "spendingCap",
}


class LineFeatures(Frozen):
    """Settable line features (`set_line_features`); `None` means "leave as it is"."""

    roaming: bool | None = None
    call_forwarding: str | None = None  # "off" or an E.164 number
    call_waiting: bool | None = None
    voicemail: bool | None = None
    caller_id: bool | None = None
    spending_cap: Decimal | Literal["none"] | None = None  # GBP per month, postpaid only

    def to_characteristics(self) -> list[Doc]:
        out: list[Doc] = []
        for field_name, tmf_name in _FEATURES.items():
            value = getattr(self, field_name)
            if value is None:
                continue
            if isinstance(value, Decimal):
                value = float(value)
            out.append({"name": tmf_name, "value": value})
        return out


def _kind(doc: Doc) -> ProductKind:
    kind = characteristic_values(doc).get("productType", "unknown")
    return kind if kind in _KINDS else "unknown"  # type: ignore[no-any-return]


def _spending_cap(doc: Doc) -> Decimal | None:
    cap = characteristic_values(doc).get("spendingCap")
    return None if cap in (None, "none") else to_decimal(cap)


class Product(TmfModel):
    """A TMF637 product: a mobile line, a broadband service, an add-on or a device."""

    id: str
    name: str
    kind: ProductKind
    status: str
    customer_id: str | None = None
    billing_account_id: str | None = None
    offering_id: str | None = None
    offering_name: str | None = None
    msisdn: str | None = None
    start_date: datetime | None = None
    minimum_term_end: datetime | None = None
    renewal_date: datetime | None = None  # end of a prepaid bundle period
    price: Decimal | None = None
    price_period: str | None = None  # "month", "30 days", "day"; None = one-off
    addon_to: str | None = None  # add-ons: the line they belong to
    roaming: bool | None = None
    visited_country: str | None = None
    call_forwarding: str | None = None
    call_waiting: bool | None = None
    voicemail: bool | None = None
    caller_id: bool | None = None
    spending_cap: Decimal | None = None  # None = no cap
    sim_type: str | None = None
    suspension_reason: str | None = None
    characteristics: dict[str, Any] = Field(default_factory=dict)

    tmf: ClassVar[FieldMap] = {
        "id": at("id"),
        "name": lambda d: d.get("name", d["id"]),
        "kind": _kind,
        "status": lambda d: str(d.get("status", "unknown")).strip(),
        "customer_id": owner,
        "billing_account_id": at("billingAccount", "id"),
        "offering_id": at("productOffering", "id"),
        "offering_name": at("productOffering", "name"),
        "msisdn": characteristic("msisdn"),
        "start_date": date_at("startDate"),
        "minimum_term_end": date_at("productTerm", _MINIMUM_TERM, "validFor", "endDateTime"),
        "renewal_date": date_at("productTerm", _BUNDLE_PERIOD, "validFor", "endDateTime"),
        "price": amount_at("productPrice", 0, "price", "taxIncludedAmount", "value"),
        "price_period": at("productPrice", 0, "recurringChargePeriod"),
        "addon_to": at("productRelationship", {"relationshipType": "addOnTo"}, "product", "id"),
        "roaming": characteristic("roaming"),
        "visited_country": characteristic("visitedCountry"),
        "call_forwarding": characteristic("callForwarding"),
        "call_waiting": characteristic("callWaiting"),
        "voicemail": characteristic("voicemail"),
        "caller_id": characteristic("callerId"),
        "spending_cap": _spending_cap,
        "sim_type": characteristic("simType"),
        "suspension_reason": lambda d: (
            characteristic_values(d).get("suspensionReason")
            if d.get("status") == "suspended"
            else None
        ),
        "characteristics": characteristic_values,
    }

    @property
    def is_line(self) -> bool:
        return self.kind in ("mobileLine", "broadband")
