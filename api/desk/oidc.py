"""Desk sign-in through the operator's OpenID Connect provider: authorization code flow with
PKCE (S256), `state` and `nonce` kept in a short-lived signed cookie, the ID token checked
against the provider's JWKS (issuer, audience = our client id, expiry, nonce). The token's
`SWITCHBOARD_OIDC_USERNAME_CLAIM` must name an active agent account here: the provider proves
who the person is; the role stays ours to give (docs/desk.md)."""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx
import jwt

from switchboard.errors import NotFoundError, ServiceUnavailableError, UnauthorizedError
from switchboard.settings import Settings

FLOW_COOKIE = "sb_oidc"
FLOW_AUDIENCE = "switchboard-desk-oidc"
FLOW_TTL_S = 600
ALGORITHMS = ["RS256", "ES256", "PS256"]


@dataclass(frozen=True, slots=True)
class Provider:
    issuer: str
    client_id: str
    client_secret: str | None
    redirect_uri: str


def provider(settings: Settings) -> Provider:
    if not settings.oidc_issuer or not settings.oidc_client_id:
        # no provider: this way of signing in does not exist here (the page never offers it)
        raise NotFoundError("OIDC sign-in is not configured", code="oidc_not_configured")
    secret = settings.oidc_client_secret
    return Provider(
        issuer=settings.oidc_issuer.rstrip("/"),
        client_id=settings.oidc_client_id,
        client_secret=secret.get_secret_value() if secret else None,
        redirect_uri=f"{settings.public_base_url.rstrip('/')}/v1/console/oidc/callback",
    )


async def _discover(http: httpx.AsyncClient, issuer: str) -> dict[str, Any]:
    try:
        response = await http.get(f"{issuer}/.well-known/openid-configuration")
        response.raise_for_status()
        found: dict[str, Any] = response.json()
    except (httpx.HTTPError, ValueError):
        raise ServiceUnavailableError(
            "the OIDC provider's discovery document is unavailable", code="oidc_unavailable"
        ) from None
    if found.get("issuer", "").rstrip("/") != issuer:
        raise UnauthorizedError("OIDC discovery names another issuer")
    return found


def _challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


async def start(settings: Settings, http: httpx.AsyncClient) -> tuple[str, str]:
    """Where to send the browser, and the signed flow cookie to set."""
    p = provider(settings)
    meta = await _discover(http, p.issuer)
    state, nonce, verifier = (secrets.token_urlsafe(24) for _ in range(3))
    query = urlencode(
        {
            "response_type": "code",
            "client_id": p.client_id,
            "redirect_uri": p.redirect_uri,
            "scope": "openid profile",
            "state": state,
            "nonce": nonce,
            "code_challenge": _challenge(verifier),
            "code_challenge_method": "S256",
        }
    )
    now = int(time.time())
    flow = {"aud": FLOW_AUDIENCE, "iat": now, "exp": now + FLOW_TTL_S}
    flow |= {"state": state, "nonce": nonce, "verifier": verifier}
    cookie = jwt.encode(flow, settings.resolved_token_secret(), algorithm="HS256")
    return f"{meta['authorization_endpoint']}?{query}", cookie


def _flow(settings: Settings, cookie: str | None, state: str) -> dict[str, Any]:
    if not cookie:
        raise UnauthorizedError("no OIDC flow cookie")
    try:
        flow: dict[str, Any] = jwt.decode(
            cookie, settings.resolved_token_secret(), algorithms=["HS256"], audience=FLOW_AUDIENCE
        )
    except jwt.InvalidTokenError:
        raise UnauthorizedError("bad OIDC flow cookie") from None
    if not secrets.compare_digest(str(flow.get("state", "")), state):
        raise UnauthorizedError("OIDC state does not match")
    return flow


async def finish(
    settings: Settings, http: httpx.AsyncClient, *, code: str, state: str, cookie: str | None
) -> str:
    """The username the provider vouches for, or UnauthorizedError."""
    p = provider(settings)
    flow = _flow(settings, cookie, state)
    meta = await _discover(http, p.issuer)
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": p.redirect_uri,
        "client_id": p.client_id,
        "code_verifier": flow["verifier"],
    }
    if p.client_secret:
        form["client_secret"] = p.client_secret
    try:
        answer = await http.post(meta["token_endpoint"], data=form)
        id_token = answer.json().get("id_token") if answer.is_success else None
        keys = jwt.PyJWKSet.from_dict((await http.get(meta["jwks_uri"])).json())
    except (httpx.HTTPError, ValueError, jwt.PyJWKError):
        raise ServiceUnavailableError(
            "the OIDC provider is unavailable", code="oidc_unavailable"
        ) from None
    if not isinstance(id_token, str):
        raise UnauthorizedError(f"no id_token from the provider ({answer.status_code})")
    kid = jwt.get_unverified_header(id_token).get("kid")
    key = next((k for k in keys.keys if kid is None or k.key_id == kid), None)
    if key is None:
        raise UnauthorizedError("the ID token's key is not in the provider's JWKS")
    try:
        claims = jwt.decode(
            id_token,
            key.key,
            algorithms=ALGORITHMS,
            audience=p.client_id,
            issuer=meta["issuer"],
            options={"require": ["exp", "iat", "iss", "aud", "sub"]},
            leeway=30,
        )
    except jwt.InvalidTokenError as exc:
        raise UnauthorizedError(f"bad ID token: {exc.__class__.__name__}") from None
    if not secrets.compare_digest(str(claims.get("nonce", "")), str(flow["nonce"])):
        raise UnauthorizedError("OIDC nonce does not match")
    username = claims.get(settings.oidc_username_claim)
    if not isinstance(username, str) or not username:
        raise UnauthorizedError(f"the ID token has no {settings.oidc_username_claim}")
    return username.lower()
