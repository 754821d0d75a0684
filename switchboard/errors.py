"""Errors split by audience: the customer sees `customer_message`, the developer sees the rest."""

from __future__ import annotations


class SwitchboardError(Exception):
    """Root of every error a customer may be told about.

    `code` is a stable machine-readable string; `customer_message` is safe to show to a
    customer. `str(exc)` is for logs and developers only and never reaches a customer.
    """

    code: str = "internal_error"
    customer_message: str = "Sorry, something went wrong on our side. Please try again."
    http_status: int = 500

    def __init__(
        self,
        detail: str = "",
        *,
        code: str | None = None,
        customer_message: str | None = None,
        http_status: int | None = None,
    ) -> None:
        super().__init__(detail or self.code)
        if code is not None:
            self.code = code
        if customer_message is not None:
            self.customer_message = customer_message
        if http_status is not None:
            self.http_status = http_status


class NotFoundError(SwitchboardError):
    code = "not_found"
    customer_message = "We couldn't find that."
    http_status = 404


class InvalidInputError(SwitchboardError):
    code = "invalid_input"
    customer_message = "That request isn't valid."
    http_status = 422


class RateLimitedError(SwitchboardError):
    code = "rate_limited"
    customer_message = "You're sending messages too quickly. Please wait a moment."
    http_status = 429

    def __init__(self, detail: str = "", *, retry_after: int = 1) -> None:
        super().__init__(detail)
        self.retry_after = retry_after


class UnauthorizedError(SwitchboardError):
    code = "unauthorized"
    customer_message = "Please sign in again."
    http_status = 401


class ServiceUnavailableError(SwitchboardError):
    code = "service_unavailable"
    customer_message = (
        "Sorry, I can't reach our systems right now. I can put you through to a person if you like."
    )
    http_status = 503


class BusyError(ServiceUnavailableError):
    """Every turn slot of this replica stayed taken for the whole queue wait: nothing was stored,
    so the same message can simply be sent again."""

    code = "busy"
    customer_message = "I'm helping a lot of customers right now. Please try again in a moment."

    def __init__(self, detail: str = "", *, retry_after: int = 5) -> None:
        super().__init__(detail)
        self.retry_after = retry_after


class ConfigError(Exception):
    """A configuration mistake found at start-up: names the setting and how to fix it."""

    def __init__(self, setting: str, problem: str, fix: str) -> None:
        self.setting = setting
        self.problem = problem
        self.fix = fix
        super().__init__(f"{setting}: {problem}. {fix}")
