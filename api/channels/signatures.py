"""Webhook authenticity: every check runs over the raw request before anything is parsed, and
every comparison is constant-time (SECURITY-NOTES §3)."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from typing import Any

from twilio.request_validator import RequestValidator


def whatsapp_signature(app_secret: str, raw_body: bytes) -> str:
    """`X-Hub-Signature-256` as Meta computes it: sha256= + lowercase hex HMAC of the raw body."""
    digest = hmac.new(app_secret.encode(), raw_body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def whatsapp_signature_ok(app_secret: str, raw_body: bytes, header: str | None) -> bool:
    if not header:
        return False
    expected = whatsapp_signature(app_secret, raw_body).encode()
    return hmac.compare_digest(expected, header.strip().encode("utf-8", "surrogateescape"))


def secret_ok(expected: str, given: str | None) -> bool:
    """A shared-secret header (Telegram's X-Telegram-Bot-Api-Secret-Token, the verify token)."""
    if not given:
        return False
    return hmac.compare_digest(expected.encode(), given.encode("utf-8", "surrogateescape"))


def twilio_signature_ok(
    auth_token: str, url: str, params: Mapping[str, Any], header: str | None
) -> bool:
    """`X-Twilio-Signature` over the public URL and every posted parameter (Twilio's SDK)."""
    if not header:
        return False
    return bool(RequestValidator(auth_token).validate(url, params, header))
