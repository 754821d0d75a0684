"""Argument types shared by the tool schemas: validated and normalised at the boundary, so a
tool body only ever sees clean values (E.164 numbers, two-decimal GBP amounts, known ids)."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

import phonenumbers
from pydantic import AfterValidator, BeforeValidator, Field, WithJsonSchema

from switchboard.currency import CURRENCY_SIGN
from switchboard.redaction import mask_payment_data

# Ofcom's drama range: not "valid" to libphonenumber, but it is the demo world's number space.
_DRAMA = re.compile(r"^\+447700900\d{3}$")
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$")
_OFFER_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,47}$")
_POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)(?: ?([0-9][A-Z]{2}))?$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
MAX_AMOUNT = Decimal("10000")


def normalise_msisdn(value: Any) -> str:
    """A phone number in E.164 (UK numbers may be written nationally, e.g. `07700 900123`)."""
    if not isinstance(value, str) or not 3 <= len(value) <= 32:
        raise ValueError("a phone number such as +447700900123 is needed")
    try:
        number = phonenumbers.parse(value, "GB")
    except phonenumbers.NumberParseException:
        raise ValueError("that is not a phone number") from None
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    if not (phonenumbers.is_valid_number(number) or _DRAMA.match(e164)):
        raise ValueError("that is not a valid phone number")
    return e164


def normalise_amount(value: Any) -> Decimal:
    """A money amount: finite, at most two decimal places, not negative, below a sanity bound."""
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        raise ValueError("an amount such as 10 or 12.50 is needed")
    text = re.sub(CURRENCY_SIGN, "", value).strip() if isinstance(value, str) else str(value)
    try:
        amount = Decimal(text)
    except (InvalidOperation, ValueError):
        raise ValueError("an amount such as 10 or 12.50 is needed") from None
    if not amount.is_finite():
        raise ValueError("the amount must be a number")
    if amount < 0:
        raise ValueError("the amount cannot be negative")
    if amount > MAX_AMOUNT:
        raise ValueError("the amount is too large")
    if amount != amount.quantize(Decimal("0.01")):
        raise ValueError("the amount can have at most two decimal places (pence)")
    return amount.quantize(Decimal("0.01"))


def normalise_postcode(value: Any) -> str:
    """A UK postcode, full (`LS2 7HY`) or its outward part (`LS2`), upper-cased."""
    if not isinstance(value, str) or len(value) > 10:
        raise ValueError("a UK postcode such as LS2 7HY is needed")
    match = _POSTCODE.match(value.strip().upper())
    if not match:
        raise ValueError("that is not a UK postcode")
    outward, inward = match.groups()
    return f"{outward} {inward}" if inward else outward


def _ref(pattern: re.Pattern[str], what: str) -> Any:
    def check(value: Any) -> str:
        if not isinstance(value, str) or not pattern.match(value.strip()):
            raise ValueError(f"that is not a valid {what}")
        return value.strip()

    return check


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError("text is needed")
    cleaned = _CONTROL.sub("", value).strip()
    if not cleaned:
        raise ValueError("this cannot be empty")
    # Free text travels to tickets, hand-off notes and the audit log: no card numbers or IBANs.
    return mask_payment_data(cleaned)


Msisdn = Annotated[
    str,
    BeforeValidator(normalise_msisdn),
    WithJsonSchema({"type": "string", "description": "phone number in E.164, e.g. +447700900123"}),
]
Money = Annotated[
    Decimal,
    BeforeValidator(normalise_amount),
    WithJsonSchema({"type": "number", "minimum": 0, "description": "amount in pounds, e.g. 10"}),
]
OfferId = Annotated[
    str,
    BeforeValidator(_ref(_OFFER_ID, "offer id")),
    WithJsonSchema({"type": "string", "description": "catalog offer id from list_offers"}),
]
Ref = Annotated[str, BeforeValidator(_ref(_ID, "reference"))]
Postcode = Annotated[
    str,
    BeforeValidator(normalise_postcode),
    WithJsonSchema({"type": "string", "description": "UK postcode, e.g. LS2 7HY or LS2"}),
]
ShortText = Annotated[str, BeforeValidator(_text), Field(max_length=500)]
LongText = Annotated[str, BeforeValidator(_text), Field(max_length=2000)]
Query = Annotated[str, BeforeValidator(_text), Field(max_length=500)]


def _positive(value: Decimal) -> Decimal:
    if value <= 0:
        raise ValueError("the amount must be more than zero")
    return value


PositiveMoney = Annotated[Money, AfterValidator(_positive)]
