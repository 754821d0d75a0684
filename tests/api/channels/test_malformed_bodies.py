"""Correctly signed bodies of the wrong shape are the sender's mistake: 4xx, never a 5xx that
the provider would retry for days (issue 16). Nothing is accepted from them."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.api.channels.conftest import TELEGRAM_SECRET, MakeChannels, sign

WHATSAPP: list[Any] = [
    {"entry": ["x"]},
    {"entry": "x"},
    {"entry": [{"changes": ["x"]}]},
    {"entry": [{"changes": [{"field": "messages", "value": {"messages": ["x"]}}]}]},
    {"entry": [{"changes": [{"field": "messages", "value": {"contacts": [1]}}]}]},
    {"entry": [{"changes": [{"field": "messages", "value": {"metadata": "x"}}]}]},
    {"entry": [{"changes": [{"field": "messages", "value": {"messages": [{"text": "x"}]}}]}]},
    {"entry": [{"changes": [{"field": "messages", "value": {"messages": [{"id": {}}]}}]}]},
]
TELEGRAM: list[Any] = [
    {"update_id": 1, "message": {"chat": "x"}},
    {"update_id": 2, "message": {"chat": {"id": "x"}, "text": "hi"}},
    {"update_id": 3, "message": {"from": 5}},
    {"update_id": 4, "callback_query": {"message": "x"}},
    {"update_id": 5, "message": {"chat": {"id": 7}, "text": {"a": 1}}},
    {"update_id": "x"},
]
HUB: list[Any] = [
    {"eventId": "e1", "eventType": "ProductOrderStateChangeEvent", "event": ["x"]},
    {"eventId": "e2", "eventType": "TroubleTicketStatusChangeEvent", "event": "x"},
    {
        "eventId": "e3",
        "eventType": "ProductOrderStateChangeEvent",
        "event": {"productOrder": {"relatedParty": ["x", 1]}},
    },
    {
        "eventId": "e4",
        "eventType": "ProductOrderStateChangeEvent",
        "event": {"productOrder": {"relatedParty": "x"}},
    },
]


@pytest.mark.parametrize("payload", WHATSAPP)
async def test_signed_malformed_whatsapp_bodies_are_4xx(
    make_channels: MakeChannels, payload: Any
) -> None:
    async with make_channels() as ch:
        body = json.dumps(payload).encode()
        response = await ch.client.post(
            "/v1/webhooks/whatsapp",
            content=body,
            headers={"X-Hub-Signature-256": sign(body), "Content-Type": "application/json"},
        )
        assert 400 <= response.status_code < 500, response.text
        assert set(response.json()["error"]) == {"code", "message"}


@pytest.mark.parametrize("payload", TELEGRAM)
async def test_malformed_telegram_updates_are_4xx(
    make_channels: MakeChannels, payload: Any
) -> None:
    async with make_channels() as ch:
        response = await ch.client.post(
            "/v1/webhooks/telegram",
            json=payload,
            headers={"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET},
        )
        assert 400 <= response.status_code < 500, response.text


@pytest.mark.parametrize("payload", HUB)
async def test_malformed_hub_events_are_never_5xx(
    make_channels: MakeChannels, payload: Any
) -> None:
    async with make_channels() as ch:
        response = await ch.client.post(f"/v1/bss/events/{ch.hub.listener_key}", json=payload)
        assert response.status_code < 500, response.text
        assert response.status_code in (201, 422)
