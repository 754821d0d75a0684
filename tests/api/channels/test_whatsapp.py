"""WhatsApp Cloud API webhook: handshake, signatures, statuses, dedupe, one turn per message."""

from __future__ import annotations

import asyncio
import json

from sqlalchemy import func, select

from switchboard.db.models import Conversation, Message, Turn
from tests.api.channels.conftest import (
    ALICE,
    STRANGER,
    VERIFY_TOKEN,
    MakeChannels,
    sign,
    spec,
    whatsapp_body,
)
from tests.fakes.scripted_model import say


async def test_verify_handshake_echoes_the_challenge(make_channels: MakeChannels) -> None:
    query = spec("whatsapp/verify-request.query.json")
    async with make_channels() as ch:
        params = {"hub.mode": "subscribe", "hub.challenge": "1158201444"}
        good = await ch.client.get(
            "/v1/webhooks/whatsapp", params={**params, "hub.verify_token": VERIFY_TOKEN}
        )
        assert good.status_code == 200 and good.text == "1158201444"
        assert good.headers["content-type"].startswith("text/plain")
        bad = await ch.client.get(
            "/v1/webhooks/whatsapp", params={**params, "hub.verify_token": "nope"}
        )
        assert bad.status_code == 401 and "1158201444" not in bad.text
        missing = await ch.client.get("/v1/webhooks/whatsapp", params=params)
        assert missing.status_code == 401
    assert query  # the spec example exists beside the test


async def test_signed_message_runs_a_turn_and_answers_through_the_outbox(
    make_channels: MakeChannels,
) -> None:
    async with make_channels([say("Hello Alice! How can I help?")]) as ch:
        response = await ch.whatsapp("hi", wamid="wamid.ONE")
        assert response.status_code == 200 and response.json() == {"accepted": 1}
        await ch.settle()
        rows = await ch.outbox(channel="whatsapp")
        assert [r["payload"]["text"] for r in rows] == ["Hello Alice! How can I help?"]
        assert rows[0]["recipient"] == ALICE.lstrip("+")
        assert rows[0]["status"] == "pending"  # no access token: the outbox is the destination
        async with ch.runtime.sessionmaker() as session:
            conversation = await session.scalar(select(Conversation))
        assert conversation is not None and conversation.channel == "whatsapp"
        found = await ch.runtime.bss.find_customer_by_msisdn(msisdn=ALICE)
        assert conversation.customer_id == found.id and conversation.verified


async def test_bad_or_missing_signature_is_refused_before_anything_runs(
    make_channels: MakeChannels,
) -> None:
    async with make_channels([say("should not be said")]) as ch:
        body = whatsapp_body("hi", wamid="wamid.BAD")
        for headers in (
            {},
            {"X-Hub-Signature-256": sign(body, "wrong-secret")},
            {"X-Hub-Signature-256": sign(body + b"\n")},
        ):
            response = await ch.client.post("/v1/webhooks/whatsapp", content=body, headers=headers)
            assert response.status_code == 401
        await ch.settle()
        assert await ch.outbox() == []
        async with ch.runtime.sessionmaker() as session:
            assert await session.scalar(select(func.count()).select_from(Message)) == 0


async def test_unconfigured_channel_refuses(make_channels: MakeChannels) -> None:
    async with make_channels(whatsapp_app_secret=None, whatsapp_verify_token=None) as ch:
        body = whatsapp_body("hi", wamid="wamid.X")
        response = await ch.client.post(
            "/v1/webhooks/whatsapp", content=body, headers={"X-Hub-Signature-256": sign(body)}
        )
        assert response.status_code == 503
        assert response.json()["error"]["code"] == "channel_not_configured"


async def test_status_webhooks_are_acknowledged_and_ignored(make_channels: MakeChannels) -> None:
    statuses = spec("whatsapp/status-webhooks.pywa-fixture.json")
    async with make_channels() as ch:
        for variant in statuses.values():
            body = json.dumps(variant).encode()
            response = await ch.client.post(
                "/v1/webhooks/whatsapp", content=body, headers={"X-Hub-Signature-256": sign(body)}
            )
            assert response.status_code == 200 and response.json() == {"accepted": 0}
        await ch.settle()
        assert await ch.outbox() == []


async def test_replayed_body_three_times_concurrently_runs_one_turn(
    make_channels: MakeChannels,
) -> None:
    async with make_channels([say("Only once."), say("A second turn!")]) as ch:
        results = await asyncio.gather(*(ch.whatsapp("hi", wamid="wamid.SAME") for _ in range(3)))
        assert all(r.status_code == 200 for r in results)
        assert sorted(r.json()["accepted"] for r in results) == [0, 0, 1]
        await ch.settle()
        again = await ch.whatsapp("hi", wamid="wamid.SAME")  # a later redelivery
        assert again.json() == {"accepted": 0}
        await ch.settle()
        async with ch.runtime.sessionmaker() as session:
            assert await session.scalar(select(func.count()).select_from(Turn)) == 1
            customer_lines = await session.scalar(
                select(func.count()).select_from(Message).where(Message.role == "customer")
            )
        assert customer_lines == 1
        assert [r["payload"]["text"] for r in await ch.outbox()] == ["Only once."]


async def test_unknown_number_is_anonymous(make_channels: MakeChannels) -> None:
    async with make_channels([say("Hi there.")]) as ch:
        await ch.whatsapp("hi", wamid="wamid.ANON", sender=STRANGER)
        await ch.settle()
        async with ch.runtime.sessionmaker() as session:
            conversation = await session.scalar(select(Conversation))
        assert conversation is not None
        assert conversation.customer_id is None and not conversation.verified
        assert conversation.channel_user_id == STRANGER.lstrip("+")


async def test_same_sender_keeps_one_conversation(make_channels: MakeChannels) -> None:
    async with make_channels([say("One."), say("Two.")]) as ch:
        await ch.whatsapp("hi", wamid="wamid.A")
        await ch.settle()
        await ch.whatsapp("hello again", wamid="wamid.B")
        await ch.settle()
        async with ch.runtime.sessionmaker() as session:
            assert await session.scalar(select(func.count()).select_from(Conversation)) == 1
        assert [r["payload"]["text"] for r in await ch.outbox()] == ["One.", "Two."]


async def test_non_text_message_gets_a_text_only_answer(make_channels: MakeChannels) -> None:
    async with make_channels() as ch:
        payload = json.loads(whatsapp_body("x", wamid="wamid.IMG"))
        message = payload["entry"][0]["changes"][0]["value"]["messages"][0]
        message.pop("text")
        message.update(type="image", image={"id": "123", "mime_type": "image/jpeg"})
        body = json.dumps(payload).encode()
        await ch.client.post(
            "/v1/webhooks/whatsapp", content=body, headers={"X-Hub-Signature-256": sign(body)}
        )
        await ch.settle()
        rows = await ch.outbox()
        assert len(rows) == 1 and "only read text" in rows[0]["payload"]["text"]
