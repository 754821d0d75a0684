"""Issue 16's edge findings, each as the request that broke it: event ids, chunked bodies,
anonymous budgets, forwarded addresses, OTP guesses, and secrets in access logs."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from cli.main import server_options
from switchboard.db.models import OtpChallenge
from switchboard.logging import configure_logging
from tests.api.conftest import ALICE, Api, live_server, make_settings, running_api


@pytest.fixture
async def served(tmp_path: Path) -> AsyncIterator[tuple[Api, str]]:
    settings = make_settings(tmp_path, max_streams_per_conversation=2)
    async with running_api(settings, ping_s=0.3) as api, live_server(api.app) as url:
        yield api, url


async def _open_streams(url: str, path: str, headers: dict[str, str], count: int) -> list[int]:
    """Open `count` event streams at once and report their statuses (then close them)."""
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=10) as client:
        async with asyncio.TaskGroup() as tg:
            opened: list[Any] = []
            for _ in range(count):
                opened.append(
                    tg.create_task(client.send(client.build_request("GET", path), stream=True))
                )
        statuses = [task.result().status_code for task in opened]
        for task in opened:
            await task.result().aclose()
    return statuses


BAD_RESUMES: list[tuple[dict[str, Any], dict[str, bytes]]] = [
    ({}, {"Last-Event-ID": b"\xb2"}),  # "²" as the server decodes it (latin-1): isdigit() holds
    ({}, {"Last-Event-ID": b"\xb9\xb9"}),
    ({}, {"Last-Event-ID": b"99999999999999999999"}),
    ({}, {"Last-Event-ID": b"-1"}),
    ({"after": "9223372036854775808"}, {}),  # OverflowError in SQLite
    ({"after": "-1"}, {}),
    ({"after": "\u0663"}, {}),  # an Arabic-Indic three
]


@pytest.mark.parametrize(("params", "extra"), BAD_RESUMES)
async def test_a_bad_resume_point_is_4xx_and_leaves_every_stream_slot_free(
    served: tuple[Api, str], params: dict[str, Any], extra: dict[str, bytes]
) -> None:
    api, url = served
    headers = await api.sign_in()
    cid = await api.conversation(headers)
    path = f"/v1/conversations/{cid}/events"
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=10) as client:
        for _ in range(3):  # more than the cap: a leaked slot per request would show
            response = await client.get(path, params=params, headers=extra)
            assert response.status_code == 422, response.text
            assert response.json()["error"]["code"] == "invalid_input"
    assert await _open_streams(url, path, headers, 2) == [200, 200]


async def test_large_valid_resume_points_still_open_the_stream(
    served: tuple[Api, str],
) -> None:
    api, url = served
    headers = await api.sign_in()
    cid = await api.conversation(headers)
    path = f"/v1/conversations/{cid}/events"
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=10) as client:
        for value in ("9007199254740991", "42"):
            async with client.stream("GET", path, headers={"Last-Event-ID": value}) as response:
                assert response.status_code == 200
        async with client.stream("GET", path, params={"after": 2**53 - 1}) as response:
            assert response.status_code == 200


async def _chunks(counter: list[int], *, size: int, count: int) -> AsyncIterator[bytes]:
    for _ in range(count):
        counter.append(size)
        yield b" " * size


@pytest.mark.parametrize(
    "path", ["/v1/demo/session", "/v1/webhooks/whatsapp", "/v1/webhooks/telegram"]
)
async def test_a_chunked_body_is_counted_as_it_arrives_and_refused_at_the_limit(
    tmp_path: Path, path: str
) -> None:
    settings = make_settings(
        tmp_path,
        max_webhook_bytes=64_000,
        whatsapp_app_secret="w" * 32,
        telegram_secret_token="g" * 32,
    )
    async with running_api(settings) as api:
        sent: list[int] = []
        response = await api.client.post(
            path,
            content=_chunks(sent, size=65_536, count=2_000),  # 131 MB if it were all read
            headers={
                "Content-Type": "application/json",
                "X-Telegram-Bot-Api-Secret-Token": "g" * 32,
            },
        )
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "message_too_long"
    assert sum(sent) <= 4 * 65_536  # stopped at the limit, not after reading everything


async def test_a_content_length_over_the_webhook_limit_is_refused_before_the_signature(
    tmp_path: Path,
) -> None:
    settings = make_settings(tmp_path, max_webhook_bytes=4096, whatsapp_app_secret="w" * 32)
    async with running_api(settings) as api:
        response = await api.client.post(
            "/v1/webhooks/whatsapp", content=b"{" + b" " * 5000 + b"}", headers={}
        )
    assert response.status_code == 413  # not 401: the body was never read or signed


async def test_anonymous_sessions_of_one_address_share_one_budget(tmp_path: Path) -> None:
    async with running_api(make_settings(tmp_path, rate_limit_per_minute=3)) as api:
        statuses = []
        for round_ in range(3):  # a fresh anonymous session each time
            created = await api.client.post("/v1/conversations")
            api.client.cookies.clear()
            token, cid = created.json()["token"], created.json()["conversation_id"]
            for i in range(2):
                response = await api.client.post(
                    f"/v1/conversations/{cid}/feedback",
                    json={"rating": 1, "comment": f"{round_}-{i}"},
                    headers={"Authorization": f"Bearer {token}"},
                )
                statuses.append(response.status_code)
        assert statuses == [201, 201, 201, 429, 429, 429]
        signed_in = await api.sign_in()  # a customer keeps their own budget
        cid = await api.conversation(signed_in)
        response = await api.client.post(
            f"/v1/conversations/{cid}/feedback", json={"rating": 1}, headers=signed_in
        )
        assert response.status_code == 201


def serve_like_the_cli(app: FastAPI) -> Any:
    """`switchboard serve`'s uvicorn options, on a loopback port in this event loop."""
    return live_server(app, log_level=None, **server_options())


async def _rotating_forwarded_for(url: str, count: int) -> list[int]:
    async with httpx.AsyncClient(base_url=url, timeout=10) as client:
        return [
            (
                await client.get("/v1/session", headers={"X-Forwarded-For": f"203.0.113.{i}"})
            ).status_code
            for i in range(count)
        ]


async def test_forwarded_for_is_not_believed_by_default(tmp_path: Path) -> None:
    async with running_api(make_settings(tmp_path, rate_limit_ip_per_minute=4)) as api:
        async with serve_like_the_cli(api.app) as url:
            assert await _rotating_forwarded_for(url, 6) == [200] * 4 + [429] * 2


async def test_forwarded_for_is_believed_from_a_trusted_proxy(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, rate_limit_ip_per_minute=4, trusted_proxies=["127.0.0.1"])
    async with running_api(settings) as api, serve_like_the_cli(api.app) as url:
        assert await _rotating_forwarded_for(url, 6) == [200] * 6


async def test_secrets_in_query_strings_and_paths_stay_out_of_the_access_log(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = make_settings(tmp_path, whatsapp_verify_token="v" * 32)
    # uvicorn's loggers as `serve` (log_config=None) leaves them: through to the root logger.
    # Other tests' servers configured them (own handlers, no propagation, WARNING).
    for name in ("uvicorn", "uvicorn.access"):
        logger = logging.getLogger(name)
        monkeypatch.setattr(logger, "handlers", [])
        monkeypatch.setattr(logger, "propagate", True)
        monkeypatch.setattr(logger, "disabled", False)
        monkeypatch.setattr(logger, "level", logging.NOTSET)
    root = logging.getLogger()
    monkeypatch.setattr(root, "handlers", list(root.handlers))  # restored after the test
    monkeypatch.setattr(root, "level", root.level)
    configure_logging(level="INFO")
    async with running_api(settings) as api, serve_like_the_cli(api.app) as url:
        async with httpx.AsyncClient(base_url=url, timeout=10) as client:
            params = {"hub.mode": "subscribe", "hub.challenge": "77", "hub.verify_token": "v" * 32}
            assert (await client.get("/v1/webhooks/whatsapp", params=params)).status_code == 200
            await client.post("/v1/bss/events/listener-key-SECRETXYZ", json={})
    logged = capsys.readouterr().err
    assert "/v1/webhooks/whatsapp?" in logged  # the request is logged...
    assert "v" * 32 not in logged and "SECRETXYZ" not in logged  # ...its secrets are not


async def test_concurrent_otp_guesses_never_get_more_than_five_tries(api: Api) -> None:
    started = await api.client.post("/v1/demo/otp", json={"msisdn": ALICE})
    challenge_id = started.json()["challenge_id"]
    outbox = (await api.client.get("/v1/demo/outbox", params={"msisdn": ALICE})).json()
    code = re.search(r"\b(\d{6})\b", outbox[0]["text"])
    assert code is not None
    wrong = [f"{(int(code.group(1)) + i) % 1_000_000:06d}" for i in range(1, 13)]

    async def guess(value: str) -> int:
        response = await api.client.post(
            "/v1/demo/otp/verify", json={"challenge_id": challenge_id, "code": value}
        )
        return response.status_code

    statuses = await asyncio.gather(*(guess(value) for value in wrong))
    assert all(400 <= status < 500 for status in statuses)
    async with api.app.state.api.runtime.sessionmaker() as session:
        attempts = await session.scalar(
            select(OtpChallenge.attempts).where(OtpChallenge.id == challenge_id)
        )
    assert attempts == 5  # twelve guesses, five judged: the rest were refused untried
    assert await guess(code.group(1)) == 422  # and the right code no longer works
