"""The simulator can demand what an operator's API gateway demands, so the client's credentials
are tested against a real check: an API key header, and/or OAuth2 client-credentials bearer
tokens it issues itself at `POST /oauth/token`. (Mutual TLS is uvicorn's job:
`switchboard bss serve --ssl-ca-certs …`.) Nothing is required unless its setting is set."""

from __future__ import annotations

import base64
import binascii
import hmac
import secrets
import time
from dataclasses import dataclass, field
from urllib.parse import parse_qs

from starlette.types import ASGIApp, Receive, Scope, Send

from switchboard.settings import Settings

TOKEN_PATH = "/oauth/token"
OPEN_PATHS = ("/docs", "/openapi.json")


@dataclass
class Gate:
    api_key_header: str
    api_key: str | None = None
    client_id: str | None = None
    client_secret: str | None = None
    token_ttl_s: int = 300
    tokens: dict[str, float] = field(default_factory=dict)  # token -> expiry (monotonic)
    issued: int = 0

    @classmethod
    def from_settings(cls, settings: Settings) -> Gate | None:
        key = settings.bss_sim_api_key
        secret = settings.bss_sim_oauth_client_secret
        if key is None and secret is None:
            return None
        return cls(
            api_key_header=settings.bss_api_key_header,
            api_key=key.get_secret_value() if key else None,
            client_id=settings.bss_sim_oauth_client_id,
            client_secret=secret.get_secret_value() if secret else None,
            token_ttl_s=settings.bss_sim_token_ttl_s,
        )

    def issue(self, authorization: str) -> str | None:
        """A new token for HTTP Basic client credentials, or None."""
        scheme, _, encoded = authorization.partition(" ")
        if scheme.lower() != "basic" or self.client_secret is None:
            return None
        try:
            client_id, _, secret = base64.b64decode(encoded).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return None
        if not (
            hmac.compare_digest(client_id, self.client_id or "")
            and hmac.compare_digest(secret, self.client_secret)
        ):
            return None
        token = secrets.token_urlsafe(24)
        now = time.monotonic()
        self.tokens = {t: exp for t, exp in self.tokens.items() if exp > now}
        self.tokens[token] = now + self.token_ttl_s
        self.issued += 1
        return token

    def allows(self, headers: dict[str, str]) -> bool:
        if self.api_key is not None and not hmac.compare_digest(
            headers.get(self.api_key_header.lower(), ""), self.api_key
        ):
            return False
        if self.client_secret is not None:
            scheme, _, token = headers.get("authorization", "").partition(" ")
            expiry = self.tokens.get(token) if scheme.lower() == "bearer" else None
            if expiry is None or expiry <= time.monotonic():
                return False
        return True


class GateMiddleware:
    """Refuses every request without the credentials the gate demands (401, TMF Error body)."""

    def __init__(self, app: ASGIApp, gate: Gate) -> None:
        self.app = app
        self.gate = gate

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in OPEN_PATHS:
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        if scope["path"] == TOKEN_PATH and scope["method"] == "POST":
            await self._token(headers, receive, send)
        elif self.gate.allows(headers):
            await self.app(scope, receive, send)
        else:
            await _json(
                send, 401, b'{"code":"UNAUTHORIZED","reason":"missing or wrong credentials"}'
            )

    async def _token(self, headers: dict[str, str], receive: Receive, send: Send) -> None:
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body") or len(body) > 4096:
                break
        form = parse_qs(body.decode("latin-1"))
        token = self.gate.issue(headers.get("authorization", ""))
        if form.get("grant_type") != ["client_credentials"]:
            await _json(send, 400, b'{"error":"unsupported_grant_type"}')
        elif token is None:
            await _json(send, 401, b'{"error":"invalid_client"}')
        else:
            ttl = self.gate.token_ttl_s
            payload = f'{{"access_token":"{token}","token_type":"Bearer","expires_in":{ttl}}}'
            await _json(send, 200, payload.encode())


async def _json(send: Send, status: int, body: bytes) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/json"), (b"cache-control", b"no-store")],
        }
    )
    await send({"type": "http.response.body", "body": body})
