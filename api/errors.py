"""Errors at the HTTP edge: every failure leaves as `{"error": {"code", "message"}}`.

The message is always a `SwitchboardError.customer_message` (or a fixed text for framework
errors); `str(exc)` never reaches a client."""

from __future__ import annotations

import logging
import re

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from switchboard.errors import BusyError, RateLimitedError, SwitchboardError

log = logging.getLogger(__name__)


class ErrorBody(BaseModel):
    code: str
    message: str


class ErrorResponse(BaseModel):
    """The body of every error response."""

    error: ErrorBody


_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    413: "too_large",
    415: "unsupported_media_type",
}


def error_response(
    status: int, code: str, message: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    body = ErrorResponse(error=ErrorBody(code=code, message=message))
    return JSONResponse(body.model_dump(), status_code=status, headers=headers)


async def _switchboard_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, SwitchboardError)
    if exc.http_status >= 500:
        log.error("request failed: %s", exc, exc_info=exc)
    headers = None
    if isinstance(exc, RateLimitedError | BusyError):
        headers = {"Retry-After": str(exc.retry_after)}
    return error_response(exc.http_status, exc.code, exc.customer_message, headers)


async def _validation_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    fields = sorted({".".join(str(p) for p in e["loc"][1:]) or "body" for e in exc.errors()})
    return error_response(422, "invalid_input", f"Invalid request: check {', '.join(fields)}.")


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = _HTTP_CODES.get(exc.status_code, "http_error")
    message = "That request isn't valid." if exc.status_code < 500 else "Something went wrong."
    if exc.status_code == 404:
        message = "We couldn't find that."
    if exc.status_code == 413:  # the body limit (api/body_limit.py): the same body as its 413
        code, message = "message_too_long", PayloadTooLargeError.customer_message
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        headers["Allow"] = _allowed_methods(request) or headers.get("Allow", "")
    return error_response(exc.status_code, code, message, headers)


def _allowed_methods(request: Request) -> str | None:
    """Every method the path supports: Starlette's 405 names only the first matching route's."""
    paths: dict[str, dict[str, object]] = request.app.openapi().get("paths", {})
    for template, operations in paths.items():
        if re.fullmatch(re.sub(r"\{[^/}]+\}", "[^/]+", template), request.url.path):
            return ", ".join(sorted(method.upper() for method in operations))
    return None


async def _unexpected_error(_request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error", exc_info=exc)
    fallback = SwitchboardError()
    return error_response(500, fallback.code, fallback.customer_message)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(SwitchboardError, _switchboard_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected_error)


class ForbiddenError(SwitchboardError):
    code = "forbidden"
    customer_message = "That request isn't allowed."
    http_status = 403


class PayloadTooLargeError(SwitchboardError):
    code = "message_too_long"
    customer_message = "That message is too long. Please shorten it."
    http_status = 413


class TooManyStreamsError(RateLimitedError):
    code = "too_many_streams"
    customer_message = "This conversation is already open in too many places."


class TokenBudgetError(SwitchboardError):
    """The conversation spent its token budget; waiting does not help, a new one does."""

    http_status = 429
    code = "token_budget_exhausted"
    customer_message = (
        "This conversation has reached its length limit. Please start a new conversation."
    )


class ConflictError(SwitchboardError):
    """The request is valid but the server's configuration or state does not allow it."""

    code = "conflict"
    customer_message = "That can't be done right now."
    http_status = 409


class NotAvailableError(SwitchboardError):
    """Demo-only endpoints in production mode look like they do not exist."""

    code = "not_found"
    customer_message = "We couldn't find that."
    http_status = 404


# Documented on every route so the OpenAPI (and schemathesis) know the error shape.
ERROR_RESPONSES: dict[int | str, dict[str, object]] = {
    status: {"model": ErrorResponse, "description": desc}
    for status, desc in {
        400: "Malformed request body",
        401: "Missing or invalid customer token",
        403: "Cross-site request refused",
        404: "Not found, or not yours",
        409: "Not possible in this configuration or state",
        413: "Message too long",
        422: "Invalid request",
        429: "Rate limited (see Retry-After)",
        503: "Busy (every turn slot taken; see Retry-After) or a dependency is down",
    }.items()
}
