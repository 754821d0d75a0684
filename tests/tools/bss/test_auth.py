"""The TMF client against a simulator that demands credentials: an API key, OAuth2 client
credentials (cached, refreshed, re-fetched when refused), and mutual TLS over a real socket."""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from pydantic import SecretStr

from bss.app import create_bss_app
from switchboard.errors import ConfigError
from switchboard.settings import Settings
from tests.bss.fixtures import REPO, _free_port
from tests.clock import clock_env
from tools.bss.auth import OAuth2ClientCredentials, bss_auth
from tools.bss.client import BssClient, make_bss_client
from tools.bss.errors import BssUnavailableError

ALICE = "+447700900001"


def _client_for(settings: Settings, app: object) -> BssClient:
    auth, headers = bss_auth(settings)
    if isinstance(auth, OAuth2ClientCredentials):
        auth._client = httpx.AsyncClient(  # the token endpoint is the same in-process app
            transport=httpx.ASGITransport(app=app),  # type: ignore[arg-type]
            base_url="http://bss.internal",
        )
    http = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),  # type: ignore[arg-type]
        base_url="http://bss.internal",
        auth=auth,
        headers=headers,
    )
    return BssClient(http, max_retries=0)


async def test_an_api_key_is_required_and_sent(settings: Settings) -> None:
    gated = settings.model_copy(update={"bss_sim_api_key": SecretStr("k-123")})
    app = create_bss_app(gated, run_worker=False)
    async with app.router.lifespan_context(app):
        async with _client_for(settings, app) as anonymous:
            with pytest.raises(BssUnavailableError, match="401"):
                await anonymous.find_customer_by_msisdn(msisdn=ALICE)
        wrong = settings.model_copy(update={"bss_api_key": SecretStr("nope")})
        async with _client_for(wrong, app) as client:
            with pytest.raises(BssUnavailableError, match="401"):
                await client.find_customer_by_msisdn(msisdn=ALICE)
        right = settings.model_copy(update={"bss_api_key": SecretStr("k-123")})
        async with _client_for(right, app) as client:
            assert (await client.find_customer_by_msisdn(msisdn=ALICE)) is not None


async def test_oauth2_tokens_are_cached_refreshed_and_refetched_when_refused(
    settings: Settings,
) -> None:
    gated = settings.model_copy(
        update={
            "bss_sim_oauth_client_id": "switchboard",
            "bss_sim_oauth_client_secret": SecretStr("s3cret"),
            "bss_sim_token_ttl_s": 3600,
        }
    )
    app = create_bss_app(gated, run_worker=False)
    gate = app.state.gate
    client_settings = settings.model_copy(
        update={
            "bss_oauth_token_url": "http://bss.internal/oauth/token",
            "bss_oauth_client_id": "switchboard",
            "bss_oauth_client_secret": SecretStr("s3cret"),
        }
    )
    async with app.router.lifespan_context(app), _client_for(client_settings, app) as client:
        for _ in range(3):
            assert (await client.find_customer_by_msisdn(msisdn=ALICE)) is not None
        assert gate.issued == 1  # one token for every request while it is valid
        gate.tokens.clear()  # the BSS forgets (restart, revocation): the next call re-fetches
        assert (await client.find_customer_by_msisdn(msisdn=ALICE)) is not None
        assert gate.issued == 2
    wrong = client_settings.model_copy(update={"bss_oauth_client_secret": SecretStr("guess")})
    app = create_bss_app(gated, run_worker=False)
    async with app.router.lifespan_context(app), _client_for(wrong, app) as client:
        with pytest.raises(BssUnavailableError, match="credentials"):
            await client.find_customer_by_msisdn(msisdn=ALICE)


def test_oauth2_needs_its_client_id_and_secret(settings: Settings) -> None:
    half = settings.model_copy(update={"bss_oauth_token_url": "https://idp.example/token"})
    with pytest.raises(ConfigError, match="SWITCHBOARD_BSS_OAUTH_CLIENT_ID"):
        bss_auth(half)


# -- mutual TLS over a real socket -------------------------------------------------------------


def _key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def _cert(
    subject: str,
    key: ec.EllipticCurvePrivateKey,
    issuer: x509.Certificate | None,
    issuer_key: ec.EllipticCurvePrivateKey,
    *,
    usage: ExtendedKeyUsageOID | None = None,
) -> x509.Certificate:
    now = dt.datetime.now(dt.UTC)  # real time: TLS checks validity against the system clock
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)])
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(issuer.subject if issuer else name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=issuer is None, path_length=None), critical=True)
    )
    if usage is not None:
        builder = builder.add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
    if usage == ExtendedKeyUsageOID.SERVER_AUTH:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
    return builder.sign(issuer_key, hashes.SHA256())


def _write(path: Path, cert: x509.Certificate, key: ec.EllipticCurvePrivateKey | None) -> None:
    path.with_suffix(".crt").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    if key is not None:
        path.with_suffix(".key").write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("pki")
    ca_key = _key()
    ca = _cert("Operator test CA", ca_key, None, ca_key)
    _write(folder / "ca", ca, None)
    for name, usage in (
        ("server", ExtendedKeyUsageOID.SERVER_AUTH),
        ("client", ExtendedKeyUsageOID.CLIENT_AUTH),
    ):
        key = _key()
        _write(folder / name, _cert(f"{name}.test", key, ca, ca_key, usage=usage), key)
    return folder


@pytest.fixture(scope="module")
def mtls_server(pki: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`switchboard bss serve` demanding a client certificate signed by the operator's CA."""
    port = _free_port()
    env = {
        "SWITCHBOARD_DATA_DIR": str(tmp_path_factory.mktemp("bss-mtls")),
        "SWITCHBOARD_BSS_CLOCK_SPEED": "1e9",
        **clock_env(),
    }
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bss",
            "serve",
            "--port",
            str(port),
            "--ssl-certfile",
            str(pki / "server.crt"),
            "--ssl-keyfile",
            str(pki / "server.key"),
            "--ssl-ca-certs",
            str(pki / "ca.crt"),
        ],
        cwd=REPO,
        env={
            **{k: v for k, v in os.environ.items() if not k.startswith("SWITCHBOARD_")},
            **env,
        },
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"https://127.0.0.1:{port}"
    context = ssl.create_default_context(cafile=str(pki / "ca.crt"))
    context.load_cert_chain(str(pki / "client.crt"), str(pki / "client.key"))
    deadline = time.monotonic() + 120
    while True:
        try:
            httpx.get(f"{url}/ext/v1/outage", verify=context, timeout=1).raise_for_status()
            break
        except httpx.HTTPError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                raise RuntimeError(
                    f"bss serve (mTLS) did not start: {proc.stderr.read()!r}"
                ) from None
            time.sleep(0.2)
    yield url
    proc.terminate()
    proc.wait(timeout=20)
    if proc.stderr is not None:
        proc.stderr.close()


@pytest.mark.slow
async def test_mutual_tls_admits_only_a_client_certificate_from_the_operators_ca(
    settings: Settings, pki: Path, mtls_server: str
) -> None:
    with_cert = settings.model_copy(
        update={
            "bss_url": mtls_server,
            "bss_client_cert": pki / "client.crt",
            "bss_client_key": pki / "client.key",
            "bss_ca_bundle": pki / "ca.crt",
        }
    )
    async with make_bss_client(with_cert) as client:
        assert (await client.find_customer_by_msisdn(msisdn=ALICE)) is not None
    no_cert = with_cert.model_copy(update={"bss_client_cert": None, "bss_client_key": None})
    async with make_bss_client(no_cert) as client:
        with pytest.raises(BssUnavailableError):
            await client.find_customer_by_msisdn(msisdn=ALICE)
