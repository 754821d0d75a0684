"""Telegram webhook: the secret-token header, message / edited_message / callback_query,
dedupe on update_id, anonymous identity, sendMessage through the outbox."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select

from api.channels.telegram import parse_update
from switchboard.db.models import Conversation
from tests.api.channels.conftest import TELEGRAM_SECRET, Channels, MakeChannels, spec
from tests.fakes.scripted_model import say


async def post(ch: Channels, update: dict[str, Any], secret: str | None = TELEGRAM_SECRET) -> Any:
    headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret is not None else {}
    return await ch.client.post("/v1/webhooks/telegram", json=update, headers=headers)


def test_doc_examples_parse_leniently() -> None:
    text = parse_update(spec("telegram/update-text-message.json"))
    edited = parse_update(spec("telegram/update-edited-message.json"))
    button = parse_update(spec("telegram/update-callback-query.json"))
    assert text is not None and text.sender == "1111111" and text.external_id == "10000"
    assert text.text == spec("telegram/update-text-message.json")["message"]["text"]
    assert (
        edited is not None
        and edited.text == spec("telegram/update-edited-message.json")["edited_message"]["text"]
    )
    assert button is not None and button.text == "Data from button callback"
    assert button.sender == "1111111"  # no message in the doc example: the user's id
    assert parse_update({"update_id": 5, "inline_query": {"id": "1"}}) is None
    assert parse_update({"message": {"text": "no id"}}) is None


async def test_secret_token_is_required(make_channels: MakeChannels) -> None:
    update = spec("telegram/update-text-message.json")
    async with make_channels([say("nope")]) as ch:
        for secret in (None, "", "wrong", TELEGRAM_SECRET + "x"):
            assert (await post(ch, update, secret)).status_code == 401
        await ch.settle()
        assert await ch.outbox() == []


async def test_update_runs_one_anonymous_turn_and_sends(make_channels: MakeChannels) -> None:
    update = spec("telegram/update-text-message.json")
    async with make_channels(
        [say("Hello from Brightwave."), say("again")], telegram_bot_token="123:abc"
    ) as ch:
        for _ in range(2):
            response = await post(ch, update)
            assert response.status_code == 200
        await ch.settle()
        [request] = ch.provider.requests
        assert request.url.path == "/bot123:abc/sendMessage"
        assert json.loads(request.content) == {
            "chat_id": "1111111",
            "text": "Hello from Brightwave.",
        }
        [row] = await ch.outbox()
        assert row["status"] == "sent" and row["payload"]["provider_id"] == "7"
        async with ch.runtime.sessionmaker() as session:
            conversation = await session.scalar(select(Conversation))
        assert conversation is not None
        assert conversation.customer_id is None and conversation.channel == "telegram"


async def test_callback_query_is_read_as_the_customers_reply(make_channels: MakeChannels) -> None:
    update = spec("telegram/update-callback-query.json")
    async with make_channels([say("Got your button.")]) as ch:
        assert (await post(ch, update)).json() == {"accepted": 1}
        await ch.settle()
        [row] = await ch.outbox()
        assert row["recipient"] == "1111111" and row["payload"]["text"] == "Got your button."
