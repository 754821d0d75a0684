"""Failures the model can explain: every exception a tool meets becomes a short, safe message
with a stable code. BSS business refusals keep their meaning ("that add-on isn't available on a
prepaid line"); an unreachable BSS becomes an apology and an offer of a person; anything else
is logged for developers and never shown."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import httpx

from switchboard.errors import ServiceUnavailableError, SwitchboardError

UNAVAILABLE = (
    "Sorry, I can't reach our account systems right now, so nothing has been changed. "
    "Please try again in a few minutes, or I can put you through to a person."
)
INTERNAL = "Sorry, something went wrong on our side and nothing has been changed."

# TMF error codes of the BSS (bss/, tools/bss/) → what the customer is told.
BSS_MESSAGES: dict[str, str] = {
    "LINE_SUSPENDED": "That line is suspended, so it can't be changed until it is unblocked. "
    "Unblocking needs a quick identity check with one of our team.",
    "PRODUCT_NOT_ACTIVE": "That line isn't active, so it can't be changed right now.",
    "INSUFFICIENT_BALANCE": "There isn't enough credit on the line for that. A top-up first "
    "would cover it.",
    "INELIGIBLE_PRODUCT": "That isn't available on this line.",
    "INELIGIBLE_OFFERING": "That isn't available for this account.",
    "NO_FIBRE_AT_ADDRESS": "Fibre broadband isn't available at that address yet.",
    "INVALID_PAC": "That PAC or STAC code isn't valid. Codes are 9 characters and last 30 days; "
    "your current provider can send a new one.",
    "INVALID_STATE_TRANSITION": "That can't be done in the current state of the account.",
    "TOPUP_LIMIT": "That top-up is outside the allowed amount.",
    "TOPUP_DAILY_LIMIT": "That would go over the daily top-up limit.",
    "DAILY_LIMIT": "That would go over the daily top-up limit.",
    "DATA_BOOST_LIMIT": "The line already has the maximum of 3 active data boosts.",
    "MIN_TERM": "A downgrade is only possible once the minimum term has ended.",
    "DOWNGRADE_IN_MIN_TERM": "A downgrade is only possible once the minimum term has ended.",
    "ALREADY_PAID": "That bill is already paid.",
    "NOT_FOUND": "I couldn't find that on your account.",
    "IDEMPOTENCY_CONFLICT": "That request conflicts with an earlier one, so nothing was changed.",
}


@dataclass(frozen=True, slots=True)
class Failure:
    code: str
    message: str  # safe for the customer
    retryable: bool = False  # the outcome is unknown or transient: the same request may be resent
    offer_human: bool = False


def describe_failure(exc: BaseException) -> Failure:
    """Classify an exception raised while talking to the BSS (or in a tool body)."""
    if isinstance(exc, httpx.TransportError | asyncio.TimeoutError | TimeoutError):
        return Failure("bss_unavailable", UNAVAILABLE, retryable=True, offer_human=True)
    if isinstance(exc, ServiceUnavailableError):
        return Failure("bss_unavailable", UNAVAILABLE, retryable=True, offer_human=True)
    status = _int(getattr(exc, "status", None) or getattr(exc, "status_code", None))
    code = getattr(exc, "code", None)
    if status is not None and (status >= 500 or status == 429):
        return Failure("bss_unavailable", UNAVAILABLE, retryable=True, offer_human=True)
    if isinstance(code, str) and code.upper() in BSS_MESSAGES:
        return Failure(code.upper(), BSS_MESSAGES[code.upper()])
    if status is not None and 400 <= status < 500 and isinstance(code, str):
        return Failure(code.upper(), "That can't be done on this account.", offer_human=True)
    if isinstance(exc, SwitchboardError):
        return Failure(exc.code, exc.customer_message)
    return Failure("internal_error", INTERNAL, offer_human=True)


def _int(value: object) -> int | None:
    try:
        return int(value)  # type: ignore[call-overload, no-any-return]
    except (TypeError, ValueError):
        return None


class ToolRefusal(Exception):
    """Raised inside a tool body to answer with an error outcome the model can explain."""

    def __init__(self, code: str, message: str, *, offer_human: bool = False) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.offer_human = offer_human
