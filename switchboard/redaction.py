"""Masking of payment data and phone numbers for logs and stored transcripts."""

from __future__ import annotations

import re

_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b")
_CARD = re.compile(r"\b(?:\d[ -]?){12,18}\d\b")
_PHONE = re.compile(r"(?<![\w*])(\+?\d[\d ]{6,}?)(\d{3})(?!\d)")


def mask_payment_data(text: str) -> str:
    """Replace IBANs and card-like numbers (13–19 digits) with a placeholder."""
    return _CARD.sub("[card]", _IBAN.sub("[iban]", text))


def redact(text: str) -> str:
    """For logs: payment data masked entirely, phone numbers to their last three digits."""
    text = mask_payment_data(text)
    return _PHONE.sub(lambda m: "*" * min(len(m.group(1).replace(" ", "")), 9) + m.group(2), text)
