"""How the TMF client proves who it is to an operator's BSS: an API key header, OAuth2 client
credentials (RFC 6749 §4.4, the token cached and refreshed before it expires or when refused),
mutual TLS, or several of them. All are settings; the built-in simulator needs none."""

from __future__ import annotations

import asyncio
import ssl
import time
from collections.abc import AsyncGenerator
from dataclasses import dataclass

import httpx

from switchboard.errors import ConfigError
from switchboard.settings import Settings

REFRESH_MARGIN_S = 30.0  # a token this close to expiry is renewed before use
DEFAULT_TOKEN_TTL_S = 300.0  # when the token response has no expires_in


class BssAuthError(Exception):
    """The BSS's token endpoint refused the client's credentials or answered nonsense."""


@dataclass
class _Token:
    value: str
    expires_at: float  # time.monotonic()


class OAuth2ClientCredentials(httpx.Auth):
    """Bearer tokens from a token endpoint, shared by every request of the client; a 401 with a
    cached token fetches a new one and retries the request once."""

    requires_response_body = False

    def __init__(
        self,
        *,
        token_url: str,
        client_id: str,
        client_secret: str,
        scope: str | None = None,
        token_client: httpx.AsyncClient | None = None,
    ) -> None:
        self._token_url = token_url
        self._form = {"grant_type": "client_credentials"} | ({"scope": scope} if scope else {})
        self._basic = httpx.BasicAuth(client_id, client_secret)
        self._client = token_client
        self._token: _Token | None = None
        self._lock = asyncio.Lock()
        self.fetches = 0  # tokens obtained (observability and tests)

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()

    async def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        token = await self._valid_token()
        request.headers["Authorization"] = f"Bearer {token}"
        response = yield request
        if response.status_code == 401:
            token = await self._valid_token(refused=token)
            request.headers["Authorization"] = f"Bearer {token}"
            yield request

    async def _valid_token(self, refused: str | None = None) -> str:
        async with self._lock:  # one fetch for many concurrent requests
            current = self._token
            fresh = current is not None and current.expires_at - REFRESH_MARGIN_S > time.monotonic()
            if current is not None and fresh and current.value != refused:
                return current.value
            self._token = await self._fetch()
            return self._token.value

    async def _fetch(self) -> _Token:
        client = self._client or httpx.AsyncClient(timeout=10)
        try:
            response = await client.post(self._token_url, data=self._form, auth=self._basic)
        except httpx.HTTPError as exc:
            raise BssAuthError(f"token endpoint unreachable: {type(exc).__name__}") from exc
        finally:
            if self._client is None:
                await client.aclose()
        try:
            body = response.json()
        except ValueError:
            body = {}
        if response.status_code != 200 or not isinstance(body.get("access_token"), str):
            error = body.get("error") if isinstance(body, dict) else None
            raise BssAuthError(f"token endpoint answered {response.status_code} {error or ''}")
        ttl = body.get("expires_in")
        ttl_s = float(ttl) if isinstance(ttl, int | float) and ttl > 0 else DEFAULT_TOKEN_TTL_S
        self.fetches += 1
        return _Token(body["access_token"], time.monotonic() + ttl_s)


def tls_context(settings: Settings) -> ssl.SSLContext | bool:
    """The TLS set-up for the BSS: a client certificate (mutual TLS) and/or a private CA."""
    cert, key, ca = settings.bss_client_cert, settings.bss_client_key, settings.bss_ca_bundle
    if cert is None and ca is None:
        return True
    if (cert is None) != (key is None):
        raise ConfigError(
            "SWITCHBOARD_BSS_CLIENT_CERT",
            "and SWITCHBOARD_BSS_CLIENT_KEY must be set together",
            "Set both (PEM files) for mutual TLS, or neither",
        )
    try:
        context = ssl.create_default_context(cafile=str(ca) if ca else None)
        if cert is not None and key is not None:
            context.load_cert_chain(str(cert), str(key))
    except (OSError, ssl.SSLError) as exc:
        raise ConfigError(
            "SWITCHBOARD_BSS_CLIENT_CERT",
            f"cannot be loaded ({exc.__class__.__name__}: {exc})",
            "Point SWITCHBOARD_BSS_CLIENT_CERT/_KEY/_CA_BUNDLE at readable PEM files",
        ) from None
    return context


def bss_auth(settings: Settings) -> tuple[httpx.Auth | None, dict[str, str]]:
    """The client's auth flow (OAuth2) and fixed headers (API key) from settings."""
    headers: dict[str, str] = {}
    if settings.bss_api_key is not None:
        headers[settings.bss_api_key_header] = settings.bss_api_key.get_secret_value()
    if not settings.bss_oauth_token_url:
        return None, headers
    if not settings.bss_oauth_client_id or settings.bss_oauth_client_secret is None:
        raise ConfigError(
            "SWITCHBOARD_BSS_OAUTH_CLIENT_ID",
            "and SWITCHBOARD_BSS_OAUTH_CLIENT_SECRET are needed with a token URL",
            "Set the client id and secret the operator issued for Switchboard",
        )
    verify = tls_context(settings)
    auth = OAuth2ClientCredentials(
        token_url=settings.bss_oauth_token_url,
        client_id=settings.bss_oauth_client_id,
        client_secret=settings.bss_oauth_client_secret.get_secret_value(),
        scope=settings.bss_oauth_scope,
        token_client=httpx.AsyncClient(timeout=settings.bss_timeout_s, verify=verify),
    )
    return auth, headers
