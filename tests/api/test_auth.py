"""Customer tokens: pinned algorithms, issuer, audience, expiry; bearer or cookie; CSRF."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from api.auth import Identity, TokenCodec
from switchboard.errors import UnauthorizedError
from tests.api.conftest import ALICE, Api, make_settings

SECRET = "t" * 40


def _claims(**overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    claims = {
        "iss": "switchboard",
        "aud": "switchboard-widget",
        "iat": now,
        "exp": now + 600,
        "sub": "cust-001",
        "msisdn": ALICE,
        "seg": "prepaid",
    }
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not None}


def test_own_tokens_round_trip(tmp_path: Path) -> None:
    codec = TokenCodec(make_settings(tmp_path))
    identity = Identity("cust-001", ALICE, "prepaid", True)
    assert codec.verify(codec.issue(identity)) == identity


@pytest.mark.parametrize(
    "bad",
    [
        {"exp": int(time.time()) - 60},
        {"aud": "someone-else"},
        {"iss": "evil"},
        {"exp": None},
        {"sub": None},
        {"anon": True, "sub": "cust-001"},
    ],
)
def test_bad_claims_are_refused(tmp_path: Path, bad: dict[str, Any]) -> None:
    codec = TokenCodec(make_settings(tmp_path))
    with pytest.raises(UnauthorizedError):
        codec.verify(jwt.encode(_claims(**bad), SECRET, algorithm="HS256"))


def test_wrong_secret_and_alg_none_are_refused(tmp_path: Path) -> None:
    codec = TokenCodec(make_settings(tmp_path))
    with pytest.raises(UnauthorizedError):
        codec.verify(jwt.encode(_claims(), "x" * 40, algorithm="HS256"))
    unsigned = jwt.encode(_claims(), None, algorithm="none")  # type: ignore[arg-type]
    with pytest.raises(UnauthorizedError):
        codec.verify(unsigned)


def _hs256_by_hand(claims: dict[str, Any], key: bytes) -> str:
    """HS256 signed with any key (PyJWT itself refuses a PEM key as an HMAC secret)."""

    def b64(raw: bytes) -> str:
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    signing_input = b64(b'{"alg":"HS256","typ":"JWT"}') + "." + b64(json.dumps(claims).encode())
    signature = hmac.new(key, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64(signature)}"


def _rsa_pair() -> tuple[bytes, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return private, public.decode()


def test_operator_rs256_tokens_and_no_key_confusion(tmp_path: Path) -> None:
    private, public = _rsa_pair()
    codec = TokenCodec(make_settings(tmp_path, jwt_algorithm="RS256", jwt_public_key=public))
    identity = codec.verify(jwt.encode(_claims(), private, algorithm="RS256"))
    assert (identity.customer_id, identity.msisdn, identity.verified) == ("cust-001", ALICE, True)
    # The public key used as an HMAC secret (the classic confusion attack) is refused.
    forged = _hs256_by_hand(_claims(), public.encode())
    with pytest.raises(UnauthorizedError):
        codec.verify(forged)
    # Switchboard's own HS256 sessions (demo, anonymous) still verify beside RS256.
    assert codec.verify(codec.issue(identity)).customer_id == "cust-001"


async def test_bearer_and_cookie_both_authenticate(api: Api) -> None:
    response = await api.client.post("/v1/demo/session", json={"msisdn": ALICE})
    token = response.json()["token"]
    via_cookie = await api.client.get("/v1/session")  # the cookie set by the demo session
    api.client.cookies.clear()
    via_bearer = await api.client.get("/v1/session", headers={"Authorization": f"Bearer {token}"})
    assert via_cookie.json() == via_bearer.json()
    assert via_bearer.json()["msisdn"] == ALICE


async def test_garbage_token_is_401(api: Api) -> None:
    response = await api.client.get("/v1/session", headers={"Authorization": "Bearer nope"})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthorized"


async def test_cookie_writes_from_another_origin_are_refused(api: Api) -> None:
    await api.client.post("/v1/demo/session", json={"msisdn": ALICE})  # cookie set
    evil = await api.client.post("/v1/conversations", headers={"Origin": "https://evil.example"})
    ours = await api.client.post("/v1/conversations", headers={"Origin": "http://testserver"})
    assert evil.status_code == 403
    assert ours.status_code == 201 and ours.json()["signed_in"] is True


async def test_operator_token_becomes_the_session_cookie(api: Api) -> None:
    token = jwt.encode(_claims(sub="cust-003", msisdn="+447700900003", seg="postpaid"), SECRET)
    response = await api.client.post("/v1/session", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert response.json()["segment"] == "postpaid"
    assert (await api.client.get("/v1/session")).json()["msisdn"] == "+447700900003"
    await api.client.delete("/v1/session")
    assert (await api.client.get("/v1/session")).json()["signed_in"] is False
