"""What can go wrong talking to the BSS, as typed exceptions rooted in `SwitchboardError`.

- `BssBusinessError(code, reason)`: the BSS refused with a TMF `Error` (a rule, an unknown id,
  a conflict). `code` is stable (see `CODES`); `reason` is the BSS's developer text.
- `BssNotFoundError`: unknown id, or an id that belongs to another customer (never told apart).
- `BssConflictError`: the same idempotency key was used for a different request (409).
- `BssUnavailableError`: the BSS could not be reached or failed (transport error, timeout, 5xx).
- `BssProtocolError`: the BSS answered something the client cannot read."""

from __future__ import annotations

from switchboard.errors import NotFoundError, ServiceUnavailableError, SwitchboardError

# Codes the built-in BSS answers with (an operator's BSS may use others).
CODES: frozenset[str] = frozenset(
    {
        "NOT_FOUND",
        "INVALID_REQUEST",
        "IDEMPOTENCY_CONFLICT",
        "LINE_SUSPENDED",
        "PRODUCT_NOT_ACTIVE",
        "INSUFFICIENT_BALANCE",
        "INELIGIBLE_OFFERING",
        "INELIGIBLE_PRODUCT",
        "ALREADY_ON_PLAN",
        "DOWNGRADE_IN_MIN_TERM",
        "RENEWAL_NOT_APPLICABLE",
        "DATA_BOOST_LIMIT",
        "ADDON_ALREADY_ACTIVE",
        "NOT_SELLABLE",
        "NO_FIBRE_AT_ADDRESS",
        "TOPUP_LIMIT",
        "TOPUP_DAILY_LIMIT",
        "INVALID_CURRENCY",
        "ORDER_NOT_CANCELLABLE",
        "INVALID_STATE_TRANSITION",
        "INVALID_ACTION",
        "UNKNOWN_CHARACTERISTIC",
        "INVALID_NUMBER",
        "INVALID_PAC",
        "UNKNOWN_SPECIFICATION",
        "ALREADY_PAID",
        "INVALID_AMOUNT",
        "UNKNOWN_PAYMENT_METHOD",
    }
)


class BssError(SwitchboardError):
    code = "bss_error"
    customer_message = "Sorry, I couldn't complete that on your account."
    http_status = 502


class BssBusinessError(BssError):
    """A TMF `Error` body: the BSS understood the request and refused it."""

    http_status = 422

    def __init__(
        self, code: str, reason: str, *, status: int = 422, message: str | None = None
    ) -> None:
        super().__init__(f"{code}: {reason}", code=code, http_status=status)
        self.reason = reason
        self.status = status
        self.message = message


class BssNotFoundError(BssBusinessError, NotFoundError):
    customer_message = "I couldn't find that on your account."

    def __init__(self, reason: str, *, code: str = "NOT_FOUND") -> None:
        super().__init__(code, reason, status=404)


class BssConflictError(BssBusinessError):
    customer_message = "That request conflicts with an earlier one, so nothing was changed."

    def __init__(self, reason: str, *, code: str = "IDEMPOTENCY_CONFLICT") -> None:
        super().__init__(code, reason, status=409)


class BssUnavailableError(BssError, ServiceUnavailableError):
    code = "bss_unavailable"
    customer_message = (
        "Sorry, I can't reach our account systems right now, so nothing has "
        "been changed. Please try again in a few minutes."
    )
    http_status = 503

    def __init__(self, detail: str = "", *, status: int | None = None) -> None:
        super().__init__(detail)
        self.status = status


class BssProtocolError(BssError):
    code = "bss_protocol_error"
