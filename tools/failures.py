"""Failures the model can explain: every exception a tool meets becomes a short, safe message
with a stable code. BSS business refusals keep their meaning ("that add-on isn't available on a
prepaid line"); an unreachable BSS becomes an apology and an offer of a person; anything else
is logged for developers and never shown."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import httpx

from switchboard.errors import ServiceUnavailableError, SwitchboardError
from tools.bss.errors import (
    BssBusinessError,
    BssNotFoundError,
    BssProtocolError,
    BssUnavailableError,
)

UNAVAILABLE = (
    "Sorry, I can't reach our account systems right now, so nothing has been changed. "
    "Please try again in a few minutes, or I can put you through to a person."
)
# A confirmed change whose BSS call timed out or found the BSS down: it may or may not have been
# applied, so "nothing has been changed" would be a guess. The same key makes a retry safe, and
# the recovery sweep retries it too (ADR 0020).
UNCONFIRMED = (
    "Sorry, our account systems didn't answer, so I can't confirm yet whether that went through. "
    "It can't happen twice: say yes again in a minute to check and finish it, or I can put you "
    "through to a person."
)
INTERNAL = "Sorry, something went wrong on our side and nothing has been changed."

# TMF error codes of the BSS (tools/bss/errors.py CODES) → what the customer is told.
BSS_MESSAGES: dict[str, str] = {
    "NOT_FOUND": "I couldn't find that on your account.",
    "LINE_SUSPENDED": "That line is suspended, so it can't be changed until it is unblocked. "
    "Unblocking needs a quick identity check with one of our team.",
    "PRODUCT_NOT_ACTIVE": "That line isn't active, so it can't be changed right now.",
    "INSUFFICIENT_BALANCE": "There isn't enough credit on the line for that; a top-up first "
    "would cover it.",
    "INELIGIBLE_OFFERING": "That isn't available for this account.",
    "INELIGIBLE_PRODUCT": "That isn't available on this line.",
    "ALREADY_ON_PLAN": "The line is already on that plan.",
    "DOWNGRADE_IN_MIN_TERM": "A move to a cheaper plan is only possible once the minimum term "
    "has ended.",
    "MINIMUM_TERM_NOT_ENDED": "A move to a cheaper plan is only possible once the minimum term "
    "has ended.",
    "RENEWAL_NOT_APPLICABLE": "That plan has no bundle to renew: it renews automatically.",
    "DATA_BOOST_LIMIT": "The line already has the maximum of 3 active data boosts.",
    "ADDON_LIMIT_REACHED": "The line already has the maximum of 3 active data boosts.",
    "ADDON_ALREADY_ACTIVE": "That add-on is already active on the line.",
    "NOT_SELLABLE": "That can't be bought here.",
    "NO_FIBRE_AT_ADDRESS": "Fibre broadband isn't available at that address yet.",
    # the amounts are the BSS's rules; the tools check the configured ones first and name them
    # (tools/policy.top_up_problem), so these texts only answer a BSS stricter than the settings
    "TOPUP_LIMIT": "That top-up is outside the amount the account allows for one top-up.",
    "TOPUP_DAILY_LIMIT": "That would go over the line's daily top-up limit.",
    "INVALID_CURRENCY": "Payments can only be made in the account's own currency.",
    "ORDER_NOT_CANCELLABLE": "That order can no longer be cancelled.",
    "INVALID_STATE_TRANSITION": "That can't be done in the current state of the request.",
    "INVALID_NUMBER": "That phone number isn't one we can use for this.",
    "INVALID_PAC": "That PAC or STAC code isn't valid. A PAC is 3 letters and 6 digits and lasts "
    "30 days; your current provider can send a new one.",
    "ALREADY_PAID": "That bill is already paid.",
    "INVALID_AMOUNT": "That amount can't be used for this payment.",
    "UNKNOWN_PAYMENT_METHOD": "There's no stored payment method to use; a person can help set "
    "one up.",
    "IDEMPOTENCY_CONFLICT": "That request conflicts with an earlier one, so nothing was changed.",
}
_NEEDS_PERSON = {"LINE_SUSPENDED", "UNKNOWN_PAYMENT_METHOD"}


@dataclass(frozen=True, slots=True)
class Failure:
    code: str
    message: str  # safe for the customer
    retryable: bool = False  # the outcome is unknown or transient: the same request may be resent
    offer_human: bool = False


def describe_failure(exc: BaseException) -> Failure:
    """Classify an exception raised while talking to the BSS (or in a tool body)."""
    if isinstance(exc, BssUnavailableError | BssProtocolError | ServiceUnavailableError):
        return Failure("bss_unavailable", UNAVAILABLE, retryable=True, offer_human=True)
    if isinstance(exc, httpx.TransportError | asyncio.TimeoutError | TimeoutError):
        return Failure("bss_unavailable", UNAVAILABLE, retryable=True, offer_human=True)
    if isinstance(exc, BssBusinessError):
        code = str(exc.code).upper()
        if isinstance(exc, BssNotFoundError):
            return Failure("not_found", BSS_MESSAGES["NOT_FOUND"])
        if exc.status >= 500:
            return Failure("bss_unavailable", UNAVAILABLE, retryable=True, offer_human=True)
        message = BSS_MESSAGES.get(code, "That can't be done on this account.")
        return Failure(code, message, offer_human=code in _NEEDS_PERSON or code not in BSS_MESSAGES)
    if isinstance(exc, ToolRefusal):
        return Failure(exc.code, exc.message, offer_human=exc.offer_human)
    if isinstance(exc, SwitchboardError):
        return Failure(exc.code, exc.customer_message)
    return Failure("internal_error", INTERNAL, offer_human=True)


class ToolRefusal(Exception):
    """Raised inside a tool body to answer with an error outcome the model can explain."""

    def __init__(self, code: str, message: str, *, offer_human: bool = False) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.offer_human = offer_human
