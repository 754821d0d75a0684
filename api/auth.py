"""Who is calling: customer tokens (JWT) from the operator's site, the demo picker or OTP.

A token arrives as `Authorization: Bearer` or in the HttpOnly `sb_session` cookie (the browser's
EventSource cannot set headers). Algorithms are pinned per key (RFC 8725 §3.1): the operator's key
with `settings.jwt_algorithm`; Switchboard's own secret with HS256 for the tokens it mints itself
(anonymous, demo and OTP sessions). Issuer, audience, expiry and the claims we need are required."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from typing import Any, Literal

import jwt

from switchboard.errors import ConfigError, UnauthorizedError
from switchboard.settings import Settings

Segment = Literal["prepaid", "postpaid", "business"]
SEGMENTS: tuple[str, ...] = ("prepaid", "postpaid", "business")
COOKIE_NAME = "sb_session"
_REQUIRED = ["exp", "iat", "sub", "aud", "iss"]


@dataclass(frozen=True, slots=True)
class Identity:
    """The caller of one request. A customer's identity never comes from message text."""

    customer_id: str | None
    msisdn: str | None
    segment: Segment | None
    verified: bool
    channel: str = "web"
    anonymous_id: str | None = None
    # A business line user: the lines they may see and act on (None: the whole account — a
    # consumer, or the business account's admin). Their conversations are theirs alone.
    lines: tuple[str, ...] | None = None

    @property
    def signed_in(self) -> bool:
        return self.customer_id is not None

    @property
    def owner(self) -> str:
        """The key rate limits and ownership are counted by."""
        if self.customer_id is not None and self.lines is not None:
            return f"{self.customer_id}:{line_user_key(self.msisdn)}"
        return self.customer_id or self.anonymous_id or "nobody"

    @property
    def channel_user_id(self) -> str | None:
        """What tags a line user's conversations (None for everyone else on the web)."""
        return line_user_key(self.msisdn) if self.lines is not None else None


def line_user_key(msisdn: str | None) -> str:
    return f"line:{msisdn}"


def anonymous_identity() -> Identity:
    return Identity(None, None, None, False, anonymous_id=f"anon-{uuid.uuid4()}")


class TokenCodec:
    """Mints Switchboard's own session tokens and verifies every customer token."""

    def __init__(self, settings: Settings) -> None:
        self._issuer = settings.jwt_issuer
        self._audience = settings.jwt_audience
        self._ttl = settings.token_ttl_s
        self._own_secret = settings.resolved_token_secret()
        self._keys: list[tuple[str, Any]] = []
        if settings.jwt_algorithm == "RS256":
            if not settings.jwt_public_key:
                raise ConfigError(
                    "SWITCHBOARD_JWT_PUBLIC_KEY",
                    "is required when SWITCHBOARD_JWT_ALGORITHM is RS256",
                    "Set it to the operator's PEM public key",
                )
            self._keys.append(("RS256", settings.jwt_public_key))
        self._keys.append(("HS256", self._own_secret))

    @property
    def ttl_s(self) -> int:
        return self._ttl

    def issue(self, identity: Identity) -> str:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self._issuer,
            "aud": self._audience,
            "iat": now,
            "exp": now + self._ttl,
            "jti": uuid.uuid4().hex,
            "sub": identity.customer_id or identity.anonymous_id,
            "vrf": identity.verified,
        }
        if identity.customer_id is None:
            claims["anon"] = True
        else:
            claims["msisdn"] = identity.msisdn
            claims["seg"] = identity.segment
            if identity.lines is not None:
                claims["lines"] = list(identity.lines)
        return jwt.encode(claims, self._own_secret, algorithm="HS256", headers={"typ": "JWT"})

    def verify(self, token: str) -> Identity:
        """The identity in `token`, or UnauthorizedError; never trusts the token's `alg`."""
        for algorithm, key in self._keys:
            try:
                claims = jwt.decode(
                    token,
                    key,
                    algorithms=[algorithm],
                    audience=self._audience,
                    issuer=self._issuer,
                    options={"require": _REQUIRED},
                    leeway=5,
                )
            except jwt.InvalidTokenError:
                continue
            return _identity_from(claims)
        raise UnauthorizedError("invalid customer token")


def _identity_from(claims: dict[str, Any]) -> Identity:
    sub = claims["sub"]
    if not isinstance(sub, str) or not sub or len(sub) > 64:
        raise UnauthorizedError("bad sub claim")
    if claims.get("anon") is True:
        if not sub.startswith("anon-"):
            raise UnauthorizedError("bad anonymous sub")
        return Identity(None, None, None, False, anonymous_id=sub)
    segment = claims.get("seg")
    msisdn = claims.get("msisdn")
    lines = claims.get("lines")
    if lines is not None and (
        not isinstance(lines, list)
        or len(lines) > 100
        or not all(isinstance(line, str) and len(line) <= 20 for line in lines)
    ):
        raise UnauthorizedError("bad lines claim")
    return Identity(
        customer_id=sub,
        msisdn=msisdn if isinstance(msisdn, str) else None,
        segment=segment if segment in SEGMENTS else None,
        # the operator's site authenticated the customer; its token is a verified session
        verified=bool(claims.get("vrf", True)),
        lines=tuple(lines) if lines is not None else None,
    )
