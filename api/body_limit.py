"""The request-body limit, counted in bytes as they arrive.

A `Content-Length` over the limit is refused before anything is read. A chunked body (no
length) or a lying one is counted chunk by chunk while the route reads it: the chunk that goes
over raises `BodyTooLargeError` from `receive`, so nothing past the limit is buffered, parsed or
signature-checked. It is an HTTPException so that FastAPI's own body reading re-raises it (it
turns other errors into 400) and the error handlers render the contract's 413."""

from __future__ import annotations

from fastapi import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import error_response

WEBHOOK_PREFIXES = ("/v1/webhooks/", "/v1/bss/events/")


class BodyTooLargeError(HTTPException):
    def __init__(self) -> None:
        super().__init__(status_code=413)


class BodyLimit:
    """413 for a body over `max_bytes` (`webhook_max_bytes` on the webhook routes)."""

    def __init__(self, app: ASGIApp, *, max_bytes: int, webhook_max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.webhook_max_bytes = webhook_max_bytes

    def _limit(self, path: str) -> int:
        return self.webhook_max_bytes if path.startswith(WEBHOOK_PREFIXES) else self.max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self._limit(scope.get("path", ""))
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None and (not _ascii_digits(length) or int(length) > limit):
            await _too_large(scope, receive, send)
            return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLargeError()
            return message

        await self.app(scope, counted, send)


def _ascii_digits(value: bytes) -> bool:
    return 0 < len(value) <= 18 and all(0x30 <= byte <= 0x39 for byte in value)


async def _too_large(scope: Scope, receive: Receive, send: Send) -> None:
    response = error_response(
        413, "message_too_long", "That message is too long. Please shorten it."
    )
    await response(scope, receive, send)
