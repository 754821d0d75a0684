"""Desk sign-in through an OpenID Connect provider: a small provider of our own (discovery,
authorize, token with PKCE, JWKS; RS256) on a loopback port, and the app following the
authorization code flow to a desk session for an existing agent account."""

from __future__ import annotations

import base64
import hashlib
import json
import time
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse

from tests.api.channels.conftest import Channels, MakeChannels, make_channels
from tests.api.conftest import free_port, live_server

__all__ = ["make_channels"]  # the fixture
CLIENT_ID, CLIENT_SECRET = "switchboard-desk", "idp-client-secret"


@dataclass
class FakeProvider:
    user: str = "sam"
    audience: str = CLIENT_ID
    base: str = ""
    key: Any = field(default_factory=lambda: rsa.generate_private_key(65537, 2048))
    codes: dict[str, dict[str, str]] = field(default_factory=dict)

    def app(self) -> FastAPI:
        app = FastAPI()

        @app.get("/.well-known/openid-configuration")
        async def discovery() -> dict[str, str]:
            return {
                "issuer": self.base,
                "authorization_endpoint": f"{self.base}/authorize",
                "token_endpoint": f"{self.base}/token",
                "jwks_uri": f"{self.base}/jwks",
            }

        @app.get("/authorize")
        async def authorize(request: Request) -> RedirectResponse:
            q = request.query_params
            assert q["client_id"] == CLIENT_ID and q["code_challenge_method"] == "S256"
            code = uuid.uuid4().hex
            self.codes[code] = {"nonce": q["nonce"], "challenge": q["code_challenge"]}
            back = urlencode({"code": code, "state": q["state"]})
            return RedirectResponse(f"{q['redirect_uri']}?{back}", status_code=302)

        @app.post("/token")
        async def token(request: Request) -> JSONResponse:
            form = {k: v[0] for k, v in parse_qs((await request.body()).decode()).items()}
            code, code_verifier = form.get("code", ""), form.get("code_verifier", "")
            client_secret = form.get("client_secret")
            grant = self.codes.pop(code, None)
            digest = hashlib.sha256(code_verifier.encode()).digest()
            challenge = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
            if grant is None or challenge != grant["challenge"] or client_secret != CLIENT_SECRET:
                return JSONResponse({"error": "invalid_grant"}, status_code=400)
            now = int(time.time())
            claims = {
                "iss": self.base,
                "aud": self.audience,
                "sub": f"idp-{self.user}",
                "preferred_username": self.user,
                "nonce": grant["nonce"],
                "iat": now,
                "exp": now + 300,
            }
            signed = jwt.encode(claims, self.key, algorithm="RS256", headers={"kid": "k1"})
            return JSONResponse({"id_token": signed, "token_type": "Bearer"})

        @app.get("/jwks")
        async def jwks() -> dict[str, Any]:
            public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
            return {"keys": [{**public, "kid": "k1", "use": "sig", "alg": "RS256"}]}

        return app


async def _sign_in(ch: Channels, *, tamper_state: bool = False) -> httpx.Response:
    """Follow the flow by hand: the app → the provider → the app's callback."""
    start = await ch.client.get("/v1/console/oidc/start")
    assert start.status_code == 302, start.text
    async with httpx.AsyncClient(timeout=10) as browser:
        at_provider = await browser.get(start.headers["location"])
    assert at_provider.status_code == 302
    back = urlsplit(at_provider.headers["location"])
    assert back.path == "/v1/console/oidc/callback"
    query = parse_qs(back.query)
    if tamper_state:
        query["state"] = ["forged"]
    params = {k: v[0] for k, v in query.items()}
    return await ch.client.get(back.path, params=params)


async def test_an_agent_signs_in_through_the_provider(make_channels: MakeChannels) -> None:
    idp = FakeProvider()
    async with live_server(idp.app()) as idp_url:
        idp.base = idp_url
        settings = {
            "oidc_issuer": idp_url,
            "oidc_client_id": CLIENT_ID,
            "oidc_client_secret": CLIENT_SECRET,
        }
        async with make_channels(**settings) as ch:
            await ch.desk("sam")  # the account exists here; the provider proves who it is
            options = (await ch.client.get("/v1/console/sign-in-options")).json()
            assert options == {"password": True, "oidc": True}
            done = await _sign_in(ch)
            assert done.status_code == 303 and done.headers["location"] == "/console"
            me = await ch.client.get("/v1/console/me")  # the session cookie it set
            assert me.status_code == 200 and me.json()["id"] == "sam"

            ch.client.cookies.clear()
            assert (await _sign_in(ch, tamper_state=True)).status_code == 401
            ch.client.cookies.clear()
            idp.user = "zed"  # the provider knows them; the desk has no account for them
            assert (await _sign_in(ch)).status_code == 401
            ch.client.cookies.clear()
            idp.user, idp.audience = "sam", "someone-else"  # a token minted for another client
            assert (await _sign_in(ch)).status_code == 401
            assert (await ch.client.get("/v1/console/me")).status_code == 401


async def test_without_a_provider_the_page_offers_passwords_only(
    make_channels: MakeChannels,
) -> None:
    async with make_channels() as ch:
        options = (await ch.client.get("/v1/console/sign-in-options")).json()
        assert options == {"password": True, "oidc": False}
        assert (await ch.client.get("/v1/console/oidc/start")).status_code == 404


async def test_a_provider_that_does_not_answer_is_a_503_not_a_crash(
    make_channels: MakeChannels,
) -> None:
    closed = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    async with make_channels(oidc_issuer=closed, oidc_client_id=CLIENT_ID) as ch:
        started = await ch.client.get("/v1/console/oidc/start")
        assert started.status_code == 503
        assert started.json()["error"]["code"] == "oidc_unavailable"
