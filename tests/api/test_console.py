"""The human-agent console: sign-in, queue, take, transcript, reply (live in the widget's SSE
stream and through the outbox on messaging channels), hand back, close."""

from __future__ import annotations

import asyncio

import httpx
from sqlalchemy import select

from switchboard.db.models import AuditEntry, Conversation, HandoffRecord
from tests.api.channels.conftest import (
    AGENT_PASSWORD,
    CONSOLE_TOKEN,
    Channels,
    MakeChannels,
    make_channels,
)
from tests.api.conftest import live_server, read_frames
from tests.fakes.scripted_model import say

__all__ = ["make_channels"]  # the fixture


async def _handed_off_over_whatsapp(ch: Channels) -> str:
    await ch.whatsapp("agent", wamid="wamid.HO")
    await ch.settle()
    desk = await ch.desk("queue-reader")
    [item] = (await ch.client.get("/v1/console/queue", headers=desk)).json()
    return str(item["conversation_id"])


async def test_the_console_needs_an_agent_session_not_the_shared_token(
    make_channels: MakeChannels,
) -> None:
    async with make_channels() as ch:
        sam = await ch.desk("sam")
        for headers in (
            {},
            {"Authorization": "Bearer wrong"},
            ch.staff,  # the console token is for automation (admin API), never for people
            {"Authorization": CONSOLE_TOKEN},
        ):
            response = await ch.client.get("/v1/console/queue", headers=headers)
            assert response.status_code == 401
        assert (await ch.client.get("/v1/console/queue", headers=sam)).status_code == 200
        me = (await ch.client.get("/v1/console/me", headers=sam)).json()
        assert me == {"id": "sam", "name": "Sam", "role": "agent", "active": True}
        widget_token = await ch.client.post("/v1/demo/session", json={"msisdn": "+447700900001"})
        customer = {"Authorization": f"Bearer {widget_token.json()['token']}"}
        assert (await ch.client.get("/v1/console/queue", headers=customer)).status_code == 401
        # an agent's session is no customer's token either
        assert (await ch.client.post("/v1/conversations", headers=sam)).status_code == 401
        wrong = await ch.client.post(
            "/v1/console/session", json={"agent": "sam", "password": "not it at all"}
        )
        nobody = await ch.client.post(
            "/v1/console/session", json={"agent": "kim", "password": AGENT_PASSWORD}
        )
        assert wrong.status_code == nobody.status_code == 401
        # a deactivated agent's session stops working at once
        off = {"name": "Sam", "role": "agent", "password": AGENT_PASSWORD, "active": False}
        await ch.client.put("/v1/admin/agents/sam", json=off, headers=ch.staff)
        assert (await ch.client.get("/v1/console/queue", headers=sam)).status_code == 401
        page = await ch.client.get("/console")
        assert page.status_code == 200 and "console.js" in page.text
        assert "script-src 'self'" in page.headers["content-security-policy"]


async def test_the_password_is_stored_hashed(make_channels: MakeChannels) -> None:
    async with make_channels() as ch:
        await ch.desk("sam")
        listed = (await ch.client.get("/v1/admin/agents", headers=ch.staff)).json()
        assert listed == [{"id": "sam", "name": "Sam", "role": "agent", "active": True}]
        async with ch.runtime.sessionmaker() as session:
            from switchboard.db.models import Agent

            agent = await session.get(Agent, "sam")
        assert agent is not None and AGENT_PASSWORD not in agent.password_hash
        assert agent.password_hash.startswith("$2b$12$")  # bcrypt, cost 12


async def test_take_is_exclusive_and_reply_needs_the_owner(make_channels: MakeChannels) -> None:
    async with make_channels([say("Passing you to a person.")]) as ch:
        cid = await _handed_off_over_whatsapp(ch)
        desks = {"sam": await ch.desk("sam"), "kim": await ch.desk("kim")}
        base = f"/v1/console/conversations/{cid}"
        early = await ch.client.post(f"{base}/messages", json={"text": "hi"}, headers=desks["sam"])
        assert early.status_code == 409  # not taken yet
        results = await asyncio.gather(
            ch.client.post(f"{base}/take", headers=desks["sam"]),
            ch.client.post(f"{base}/take", headers=desks["kim"]),
        )
        assert sorted(r.status_code for r in results) == [204, 409]
        owner = "sam" if results[0].status_code == 204 else "kim"
        other = "kim" if owner == "sam" else "sam"
        refused = await ch.client.post(
            f"{base}/messages", json={"text": "me too"}, headers=desks[other]
        )
        assert refused.status_code == 409
        [item] = (await ch.client.get("/v1/console/queue", headers=desks[other])).json()
        assert item["status"] == "assigned" and item["agent"] == owner
        unknown = await ch.client.post("/v1/console/conversations/nope/take", headers=desks[owner])
        assert unknown.status_code == 404
        # the desk's actions are in the audit trail under the agent's id
        await ch.client.post(f"{base}/messages", json={"text": "On it."}, headers=desks[owner])
        async with ch.runtime.sessionmaker() as session:
            entries = (
                await session.scalars(select(AuditEntry).where(AuditEntry.actor.like("agent:%")))
            ).all()
        assert [(e.actor, e.event) for e in entries] == [
            (f"agent:{owner}", "agent_take"),
            (f"agent:{owner}", "agent_reply"),
        ]


async def test_hand_back_returns_the_conversation_to_the_assistant(
    make_channels: MakeChannels,
) -> None:
    script = [say("The assistant again.")]  # "agent" is honoured without the model
    async with make_channels(script) as ch:
        cid = await _handed_off_over_whatsapp(ch)
        sam = await ch.desk("sam")
        base = f"/v1/console/conversations/{cid}"
        await ch.client.post(f"{base}/take", headers=sam)
        back = await ch.client.post(f"{base}/return", headers=sam)
        assert back.status_code == 204
        assert (await ch.client.get("/v1/console/queue", headers=sam)).json() == []
        await ch.whatsapp("hello?", wamid="wamid.AFTER")
        await ch.settle()
        texts = [r["payload"]["text"] for r in await ch.outbox()]
        assert texts[-2].startswith("You're back with the assistant")
        assert texts[-1] == "The assistant again."
        async with ch.runtime.sessionmaker() as session:
            conversation = await session.get(Conversation, cid)
            handoff = await session.scalar(select(HandoffRecord))
        assert conversation is not None and conversation.status == "active"
        assert handoff is not None and handoff.status == "returned"


async def test_close_ends_the_conversation_and_a_new_message_starts_another(
    make_channels: MakeChannels,
) -> None:
    async with make_channels([say("New chat.")]) as ch:
        cid = await _handed_off_over_whatsapp(ch)
        sam = await ch.desk("sam")
        base = f"/v1/console/conversations/{cid}"
        await ch.client.post(f"{base}/take", headers=sam)
        assert (await ch.client.post(f"{base}/close", headers=sam)).status_code == 204
        await ch.whatsapp("hi again", wamid="wamid.NEW")
        await ch.settle()
        async with ch.runtime.sessionmaker() as session:
            rows = (
                await session.scalars(select(Conversation).order_by(Conversation.created_at))
            ).all()
        assert [c.status for c in rows] == ["closed", "active"]
        assert (await ch.outbox())[-1]["payload"]["text"] == "New chat."


async def test_agent_reply_reaches_the_widget_stream_live(make_channels: MakeChannels) -> None:
    async with make_channels([say("Passing you to a person.")]) as ch, live_server(ch.app) as url:
        sam = await ch.desk("sam")
        session = await ch.client.post("/v1/demo/session", json={"msisdn": "+447700900001"})
        headers = {"Authorization": f"Bearer {session.json()['token']}"}
        ch.client.cookies.clear()
        cid = (await ch.client.post("/v1/conversations", headers=headers)).json()["conversation_id"]
        async with httpx.AsyncClient(base_url=url, timeout=20) as web:
            turn = await web.post(
                f"/v1/conversations/{cid}/messages",
                json={"text": "let me talk to a person", "client_message_id": "w1"},
                headers=headers,
            )
            assert "event: handoff" in turn.text
            [item] = (await ch.client.get("/v1/console/queue", headers=sam)).json()
            assert item["conversation_id"] == cid and item["channel"] == "web"
            last = max(int(line[4:]) for line in turn.text.splitlines() if line.startswith("id: "))
            async with web.stream(
                "GET", f"/v1/conversations/{cid}/events", params={"after": last}, headers=headers
            ) as stream:
                base = f"/v1/console/conversations/{cid}"
                await ch.client.post(f"{base}/take", headers=sam)
                await ch.client.post(f"{base}/messages", json={"text": "Sam here."}, headers=sam)
                frames = await read_frames(
                    stream, until=lambda fs: any(f.event == "agent.message" for f in fs)
                )
        agent = next(f for f in frames if f.event == "agent.message")
        assert agent.data == {"agent": "Sam", "text": "Sam here.", "agent_id": "sam"}
        assert await ch.outbox() == []  # a web conversation sends nothing to a phone
        view = (await ch.client.get(f"/v1/console/conversations/{cid}", headers=sam)).json()
        assert view["transcript"][-1]["role"] == "agent"
        events = (
            await ch.client.get(f"/v1/console/conversations/{cid}/events", headers=sam)
        ).json()
        assert events[-1]["event"] == "agent.message"
