"""Write-back (issue 19): each sent notice is recorded in the operator's BSS as a TMF681
communication message and a TMF683 party interaction that refers to it — once, however often
the write-back runs; a notice the BSS refuses is marked so, not retried forever."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
from sqlalchemy import update

from api.notices.audience import Target
from api.notices.publish import publish
from api.notices.writeback import write_back_conversations, write_back_due
from switchboard.db.models import Conversation
from tests.api.channels.conftest import MakeChannels
from tests.fakes.scripted_model import say

AT = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
INTERACTIONS = "/tmf-api/partyInteraction/v4/partyInteraction"
MESSAGES = "/tmf-api/communicationManagement/v4/communicationMessage"


async def test_sent_notices_are_written_back_once(make_channels: MakeChannels) -> None:
    async with make_channels() as ch:
        for customer, line in (("cust-001", "+447700900001"), ("cust-404", "+447700900404")):
            await publish(
                ch.hub.sessionmaker,
                [Target(customer, "sms", line)],
                kind="outage",
                ref="OUT-7",
                key=f"outage:OUT-7:{customer}",
                text="We know about a problem in your area (M1).",
                settings=ch.settings,
                now=AT,
            )
        assert await ch.hub.notices.dispatch_due(now=AT) == 2
        assert await write_back_due(ch.hub.sessionmaker, ch.runtime.bss) == 1
        assert await write_back_due(ch.hub.sessionmaker, ch.runtime.bss) == 0  # done is done
        notices = (await ch.client.get("/v1/admin/notices?ref=OUT-7", headers=ch.staff)).json()
        refs = {n["customer_id"]: n["bss_ref"] for n in notices}
        assert refs["cust-404"].startswith("refused")  # the BSS has no such customer
        interaction_id, message_id = refs["cust-001"].split("/")

        bss = ch.runtime.bss_app
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=bss), base_url="http://bss"
        ) as http:
            [message] = (await http.get(MESSAGES, params={"id": message_id})).json()
            interactions = await http.get(INTERACTIONS, params={"relatedParty.id": "cust-001"})
        assert message["content"] == "We know about a problem in your area (M1)."
        assert message["messageType"] == "SMS"
        [interaction] = interactions.json()
        assert interaction["id"] == interaction_id
        assert (interaction["direction"], interaction["channel"][0]["id"]) == ("outbound", "sms")
        assert interaction["interactionItem"][0]["item"]["id"] == message_id
        assert interaction["interactionDate"]["startDateTime"].startswith("2026-11-26T12:00")


async def test_conversations_are_written_back_and_closed(make_channels: MakeChannels) -> None:
    async with make_channels([say("Hi Alice.")]) as ch:
        await ch.whatsapp("hi", wamid="wamid.WB1")
        await ch.settle()
        assert await write_back_conversations(ch.hub.sessionmaker, ch.runtime.bss) == 1
        assert await write_back_conversations(ch.hub.sessionmaker, ch.runtime.bss) == 0
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=ch.runtime.bss_app), base_url="http://bss"
        ) as http:
            [ongoing] = (
                await http.get(INTERACTIONS, params={"relatedParty.id": "cust-001"})
            ).json()
            assert (ongoing["direction"], ongoing["status"]) == ("inbound", "ongoing")
            assert ongoing["channel"][0]["id"] == "whatsapp"
            async with ch.runtime.sessionmaker() as session, session.begin():
                await session.execute(update(Conversation).values(status="closed"))
            assert await write_back_conversations(ch.hub.sessionmaker, ch.runtime.bss) == 1
            assert await write_back_conversations(ch.hub.sessionmaker, ch.runtime.bss) == 0
            [closed] = (await http.get(INTERACTIONS, params={"relatedParty.id": "cust-001"})).json()
        assert closed["id"] == ongoing["id"] and closed["status"] == "completed"
