"""The outbox worker against a fake provider server: delivery, retries with backoff, permanent
failures, dedupe keys, and channels without credentials kept in the outbox."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import update
from sqlalchemy.ext.asyncio import async_sessionmaker

from api.channels.outbox import OutboxWorker, backoff, enqueue, list_outbox
from api.channels.whatsapp import WhatsAppSender
from switchboard.db.models import OutboxMessage, utcnow
from tests.api.channels.conftest import FakeProvider, spec


async def _add(sessionmaker: async_sessionmaker[Any], key: str, text: str = "Hello") -> None:
    async with sessionmaker() as session, session.begin():
        await enqueue(
            session,
            channel="whatsapp",
            recipient="16505551234",
            kind="reply",
            text=text,
            dedupe_key=key,
            extra={"phone_number_id": "106540352242922"},
        )


def _worker(
    sessionmaker: async_sessionmaker[Any], provider: FakeProvider, http: httpx.AsyncClient
) -> OutboxWorker:
    sender = WhatsAppSender(http, access_token="EAAG-test", phone_number_id="999")
    return OutboxWorker(sessionmaker, {"whatsapp": sender}, base_s=30.0, max_attempts=3)


async def _make_due(sessionmaker: async_sessionmaker[Any]) -> None:
    async with sessionmaker() as session, session.begin():
        await session.execute(
            update(OutboxMessage).values(next_attempt_at=utcnow() - timedelta(seconds=1))
        )


async def test_sends_the_cloud_api_text_body(sessionmaker: async_sessionmaker[Any]) -> None:
    provider = FakeProvider()
    async with httpx.AsyncClient(transport=httpx.MockTransport(provider.handler)) as http:
        await _add(sessionmaker, "k1", "Hello, this is a text message")
        assert await _worker(sessionmaker, provider, http).deliver_due() == 1
    [request] = provider.requests
    assert str(request.url) == "https://graph.facebook.com/v25.0/106540352242922/messages"
    assert request.headers["authorization"] == "Bearer EAAG-test"
    expected = spec("whatsapp/send-text.request.json")
    body = json.loads(request.content)
    assert body.keys() == expected.keys() and body["type"] == "text"
    assert body["text"]["body"] == "Hello, this is a text message"
    [row] = await list_outbox(sessionmaker)
    assert row.status == "sent" and row.sent_at is not None
    assert (
        row.payload["provider_id"] == spec("whatsapp/send-text.response.json")["messages"][0]["id"]
    )


async def test_retries_with_backoff_then_sends_once(sessionmaker: async_sessionmaker[Any]) -> None:
    provider = FakeProvider(fail_next=1)
    async with httpx.AsyncClient(transport=httpx.MockTransport(provider.handler)) as http:
        worker = _worker(sessionmaker, provider, http)
        await _add(sessionmaker, "k2")
        assert await worker.deliver_due() == 0
        [row] = await list_outbox(sessionmaker)
        assert row.status == "pending" and row.attempts == 1
        assert row.next_attempt_at.replace(tzinfo=None) > utcnow().replace(tzinfo=None)
        assert await worker.deliver_due() == 0  # not due yet: no request
        assert len(provider.requests) == 1
        await _make_due(sessionmaker)
        assert await worker.deliver_due() == 1
        assert await worker.deliver_due() == 0  # sent rows are never sent again
    assert len(provider.requests) == 2
    assert (await list_outbox(sessionmaker))[0].status == "sent"


async def test_gives_up_after_max_attempts_and_on_client_errors(
    sessionmaker: async_sessionmaker[Any],
) -> None:
    provider = FakeProvider(fail_next=10)
    async with httpx.AsyncClient(transport=httpx.MockTransport(provider.handler)) as http:
        worker = _worker(sessionmaker, provider, http)
        await _add(sessionmaker, "k3")
        for _ in range(3):
            await _make_due(sessionmaker)
            await worker.deliver_due()
    [row] = await list_outbox(sessionmaker)
    assert row.status == "failed" and row.attempts == 3 and len(provider.requests) == 3

    def refuse(request: httpx.Request) -> httpx.Response:
        return httpx.Response(400, json={"error": {"message": "invalid recipient"}})

    async with httpx.AsyncClient(transport=httpx.MockTransport(refuse)) as http:
        await _add(sessionmaker, "k4")
        await _worker(sessionmaker, provider, http).deliver_due()
    rows = await list_outbox(sessionmaker)
    assert rows[-1].status == "failed" and rows[-1].attempts == 1


async def test_dedupe_key_and_unconfigured_channels(sessionmaker: async_sessionmaker[Any]) -> None:
    await _add(sessionmaker, "same", "first")
    await _add(sessionmaker, "same", "second")
    async with sessionmaker() as session, session.begin():
        await enqueue(
            session,
            channel="sms",
            recipient="+447700900001",
            kind="reply",
            text="kept",
            dedupe_key="sms-1",
        )
    provider = FakeProvider()
    async with httpx.AsyncClient(transport=httpx.MockTransport(provider.handler)) as http:
        assert await _worker(sessionmaker, provider, http).deliver_due() == 1
    rows = await list_outbox(sessionmaker)
    assert [(r.channel, r.payload["text"], r.status) for r in rows] == [
        ("whatsapp", "first", "sent"),
        ("sms", "kept", "pending"),  # no SMS sender configured: inspectable, not lost
    ]


def test_backoff_grows_and_is_capped() -> None:
    waits = [backoff(n, base_s=2, cap_s=60).total_seconds() for n in range(1, 8)]
    assert waits == [2, 4, 8, 16, 32, 60, 60]
