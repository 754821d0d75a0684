"""Health endpoints (#2) and the demo identity (CONTRACT §5) with its OTP flow."""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import select

from api.app import create_app
from switchboard.db.models import OutboxMessage
from switchboard.settings import load_settings
from tests.api.conftest import ALICE, Api, make_settings, running_api


async def test_healthz(api: Api) -> None:
    response = await api.client.get("/healthz")
    assert response.json() == {"status": "ok", "checks": {}}


async def test_readyz_names_the_failing_dependency(api: Api) -> None:
    async def bss_down() -> None:
        raise ConnectionError("refused")

    async def vectors_ok() -> None:
        return None

    checks = api.app.state.api.runtime.readiness_checks
    checks["vector_store"] = vectors_ok
    ready = await api.client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["checks"] == {"database": "ok", "vector_store": "ok"}
    checks["bss"] = bss_down
    down = await api.client.get("/readyz")
    assert down.status_code == 503
    assert down.json() == {
        "status": "unavailable",
        "checks": {"bss": "failed", "database": "ok", "vector_store": "ok"},
    }


async def test_demo_customers_list_the_seeded_lines(api: Api) -> None:
    customers = (await api.client.get("/v1/demo/customers")).json()
    by_msisdn = {c["msisdn"]: c for c in customers}
    assert by_msisdn[ALICE] == {"msisdn": ALICE, "name": "Alice Morgan", "segment": "prepaid"}
    assert by_msisdn["+447700900008"]["segment"] == "business"
    assert all(c["msisdn"].startswith("+447700900") for c in customers)


async def test_demo_session_for_an_unknown_number_is_404(api: Api) -> None:
    response = await api.client.post("/v1/demo/session", json={"msisdn": "+447700900999"})
    assert response.status_code == 404


async def test_demo_endpoints_do_not_exist_in_production(tmp_path: Path) -> None:
    async with running_api(make_settings(tmp_path, mode="production")) as api:
        assert (await api.client.get("/v1/demo/customers")).status_code == 404
        response = await api.client.post("/v1/demo/session", json={"msisdn": ALICE})
        assert response.status_code == 404


async def test_otp_code_lands_in_the_outbox_and_verifies_once(api: Api) -> None:
    started = await api.client.post("/v1/demo/otp", json={"msisdn": ALICE})
    assert started.status_code == 201
    challenge_id = started.json()["challenge_id"]
    async with api.app.state.api.runtime.sessionmaker() as session:
        sms = (await session.scalars(select(OutboxMessage))).one()
    assert (sms.recipient, sms.kind) == (ALICE, "otp")
    code = re.search(r"\b(\d{6})\b", sms.payload["text"])
    assert code is not None
    phone = (await api.client.get("/v1/demo/outbox", params={"msisdn": ALICE})).json()
    assert code.group(1) in phone[0]["text"]

    wrong = "000000" if code.group(1) != "000000" else "111111"
    bad = await api.client.post(
        "/v1/demo/otp/verify", json={"challenge_id": challenge_id, "code": wrong}
    )
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "wrong_code"
    good = await api.client.post(
        "/v1/demo/otp/verify", json={"challenge_id": challenge_id, "code": code.group(1)}
    )
    assert good.status_code == 200
    session_info = await api.client.get(
        "/v1/session", headers={"Authorization": f"Bearer {good.json()['token']}"}
    )
    assert session_info.json()["verified"] is True
    reused = await api.client.post(
        "/v1/demo/otp/verify", json={"challenge_id": challenge_id, "code": code.group(1)}
    )
    assert reused.status_code == 422


async def test_otp_locks_after_five_wrong_codes(api: Api) -> None:
    challenge_id = (await api.client.post("/v1/demo/otp", json={"msisdn": ALICE})).json()[
        "challenge_id"
    ]
    async with api.app.state.api.runtime.sessionmaker() as session:
        sms = (await session.scalars(select(OutboxMessage))).one()
    code = re.search(r"\b(\d{6})\b", sms.payload["text"]).group(1)  # type: ignore[union-attr]
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for _ in range(5):
        await api.client.post(
            "/v1/demo/otp/verify", json={"challenge_id": challenge_id, "code": wrong}
        )
    late = await api.client.post(
        "/v1/demo/otp/verify", json={"challenge_id": challenge_id, "code": code}
    )
    assert late.status_code == 422


def test_demo_mode_writes_the_console_token_at_start(tmp_path: Path) -> None:
    settings = load_settings(data_dir=tmp_path, token_secret="f" * 40)
    assert settings.demo and not (tmp_path / "console-token").exists()
    create_app(settings, runtime=object())
    assert len((tmp_path / "console-token").read_text().strip()) >= 32
