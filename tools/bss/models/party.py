"""The customer as TMF629 describes them: contact media, accounts, payment methods."""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from pydantic import Field

from tools.bss.models.tmf import (
    Doc,
    FieldMap,
    Frozen,
    TmfModel,
    at,
    characteristic,
    characteristic_values,
)


class PaymentMethod(Frozen):
    id: str
    name: str | None = None


def _medium(doc: Doc, medium_type: str) -> list[dict[str, Any]]:
    return [
        m.get("characteristic") or {}
        for m in doc.get("contactMedium") or []
        if m.get("mediumType") == medium_type
    ]


def _autopay_day(doc: Doc) -> int | None:
    day = characteristic_values(doc, "characteristic").get("autopayDay")
    return day if isinstance(day, int) and day > 0 else None


class Customer(TmfModel):
    id: str
    name: str
    status: str | None = None
    segment: Literal["prepaid", "postpaid", "business"] | None = None
    msisdns: list[str] = Field(default_factory=list)
    email: str | None = None
    postcode: str | None = None
    account_ids: list[str] = Field(default_factory=list)
    payment_methods: list[PaymentMethod] = Field(default_factory=list)
    autopay: bool = False
    autopay_day: int | None = None
    contact_name: str | None = None  # business accounts: the named contact

    tmf: ClassVar[FieldMap] = {
        "id": at("id"),
        "name": lambda d: d.get("name") or at("engagedParty", "name", default="")(d),
        "status": at("status"),
        "segment": characteristic("segment", "characteristic"),
        "msisdns": lambda d: [
            m["phoneNumber"] for m in _medium(d, "mobile") if m.get("phoneNumber")
        ],
        "email": at("contactMedium", {"mediumType": "email"}, "characteristic", "emailAddress"),
        "postcode": at(
            "contactMedium", {"mediumType": "postalAddress"}, "characteristic", "postCode"
        ),
        "account_ids": lambda d: [a["id"] for a in d.get("account") or [] if a.get("id")],
        "payment_methods": lambda d: [
            PaymentMethod(id=p["id"], name=p.get("name")) for p in d.get("paymentMethod") or []
        ],
        "autopay": lambda d: bool(characteristic_values(d, "characteristic").get("autopay", False)),
        "autopay_day": _autopay_day,
        "contact_name": at("relatedParty", {"role": "contact"}, "name"),
    }
