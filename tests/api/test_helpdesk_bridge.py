"""The bridge to an existing helpdesk: a signed webhook on every handoff (with the summary), and
signed replies, hand-backs and closes from the helpdesk's agents."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import httpx

from api.desk.bridge import signature
from switchboard.db.models import Conversation
from tests.api.channels.conftest import HELPDESK_HOST, Channels, MakeChannels, make_channels

__all__ = ["make_channels"]  # the fixture
SECRET = "h" * 32
HOOK = f"https://{HELPDESK_HOST}/switchboard"


def _bridge(make_channels: MakeChannels) -> Any:
    return make_channels(helpdesk_webhook_url=HOOK, helpdesk_secret=SECRET)


async def _delivered(ch: Channels) -> list[httpx.Request]:
    for _ in range(100):
        await ch.settle()
        found = [r for r in ch.provider.requests if r.url.host == HELPDESK_HOST]
        if found:
            return found
        await asyncio.sleep(0.05)
    raise AssertionError("the helpdesk was never called")


async def _post(ch: Channels, event: dict[str, Any], *, secret: str = SECRET) -> httpx.Response:
    body = json.dumps(event).encode()
    stamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        "X-Switchboard-Timestamp": stamp,
        "X-Switchboard-Signature": signature(secret, stamp, body),
    }
    return await ch.client.post("/v1/helpdesk/events", content=body, headers=headers)


async def test_a_handoff_reaches_the_helpdesk_signed_and_once(make_channels: MakeChannels) -> None:
    async with _bridge(make_channels) as ch:
        await ch.whatsapp("agent", wamid="wamid.B1")
        [request] = await _delivered(ch)
        await ch.whatsapp("are you there?", wamid="wamid.B2")  # still the same handoff
        await ch.settle()
        await asyncio.sleep(0.2)
        await ch.settle()
        assert [r.url.host for r in ch.provider.requests].count(HELPDESK_HOST) == 1
    stamp = request.headers["X-Switchboard-Timestamp"]
    assert request.headers["X-Switchboard-Signature"] == signature(SECRET, stamp, request.content)
    sent = json.loads(request.content)
    assert sent["event"] == "handoff" and sent["reason"] == "customer_request"
    assert sent["channel"] == "whatsapp" and sent["customer_id"] == "cust-001"
    assert sent["summary"] and sent["conversation_id"]


async def test_the_helpdesk_replies_and_hands_back(make_channels: MakeChannels) -> None:
    async with _bridge(make_channels) as ch:
        await ch.whatsapp("agent", wamid="wamid.B3")
        [request] = await _delivered(ch)
        cid = json.loads(request.content)["conversation_id"]
        reply = {
            "id": "hd-1",
            "type": "reply",
            "conversation_id": cid,
            "agent": "Priya",
            "text": "Priya from support here.",
        }
        assert (await _post(ch, reply, secret="wrong" * 8)).status_code == 401
        assert (await _post(ch, reply)).json() == {"status": "done"}
        assert (await _post(ch, reply)).json() == {"status": "duplicate"}  # once
        await ch.settle()
        texts = [r["payload"]["text"] for r in await ch.outbox(channel="whatsapp")]
        assert texts.count("Priya from support here.") == 1
        # a desk agent cannot take it from under the helpdesk
        sam = await ch.desk("sam")
        taken = await ch.client.post(f"/v1/console/conversations/{cid}/take", headers=sam)
        assert taken.status_code == 409
        back = {"id": "hd-2", "type": "hand_back", "conversation_id": cid, "agent": "Priya"}
        assert (await _post(ch, back)).json() == {"status": "done"}
        async with ch.runtime.sessionmaker() as session:
            conversation = await session.get(Conversation, cid)
        assert conversation is not None and conversation.status == "active"
        # a refused event is not spent: once the customer asks for a person again, the same id acts
        late = {**reply, "id": "hd-3", "text": "Still there?"}
        assert (await _post(ch, late)).status_code == 404  # no open handoff any more
        await ch.whatsapp("agent", wamid="wamid.B4")
        await ch.settle()
        assert (await _post(ch, late)).json() == {"status": "done"}


async def test_the_helpdesk_endpoint_is_off_without_a_secret(make_channels: MakeChannels) -> None:
    async with make_channels() as ch:
        event = {"id": "x", "type": "close", "conversation_id": "c", "agent": "a"}
        assert (await _post(ch, event)).status_code == 503
