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


# Query parameters that carry secrets (Meta's hub.verify_token, tokens, keys, signatures, codes)
# and the BSS listener's key, which is a path segment: uvicorn's access log records both.
_SECRET_PARAM = re.compile(
    r"(?i)([?&](?:[\w.-]*(?:token|secret|key|signature|password|code|challenge)[\w.-]*)=)[^&\s\"]*"
)
_LISTENER_KEY = re.compile(r"(/v1/bss/events/)[^/?\s\"]+")


def redact_url_secrets(text: str) -> str:
    """For logs: the values of secret-looking query parameters and the listener key removed."""
    return _LISTENER_KEY.sub(r"\1[redacted]", _SECRET_PARAM.sub(r"\1[redacted]", text))
