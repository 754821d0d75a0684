"""The agent desk: two agents claiming at once (SQLite and PostgreSQL), no assistant turn while a
person owns the conversation (widget and WhatsApp), the live queue stream, the context beside
the transcript, suggested replies, supervisors' reassignment and escalation of long waits."""

from __future__ import annotations

import asyncio

import httpx
from sqlalchemy import func, select

from switchboard.db.models import AuditEntry, HandoffRecord, Turn
from tests.api.channels.conftest import Channels, MakeChannels, make_channels
from tests.api.conftest import FrameReader, live_server
from tests.fakes.scripted_model import say

__all__ = ["make_channels"]  # the fixture
SENDERS = ("+447700900001", "+447700900002", "+447700900003")
NEVER = "THE ASSISTANT SHOULD NOT ANSWER THIS"


async def _queue(ch: Channels, desk: dict[str, str]) -> list[dict[str, object]]:
    response = await ch.client.get("/v1/console/queue", headers=desk)
    assert response.status_code == 200, response.text
    items: list[dict[str, object]] = response.json()
    return items


async def _turns(ch: Channels) -> int:
    async with ch.runtime.sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(Turn)) or 0)


async def test_two_agents_claiming_at_once_exactly_one_wins(
    make_channels: MakeChannels, database_url: str
) -> None:
    """Four agents claim each of three waiting conversations at the same moment, over real
    sockets (one connection each): each conversation ends with one owner, one 204, three 409s."""
    async with make_channels(database_url=database_url) as ch, live_server(ch.app) as url:
        names = ("ana", "bo", "cy", "di")
        desks = [await ch.desk(name) for name in names]
        for n, sender in enumerate(SENDERS):
            await ch.whatsapp("agent", wamid=f"wamid.R{n}", sender=sender)
        await ch.settle()
        waiting = [str(item["conversation_id"]) for item in await _queue(ch, desks[0])]
        assert len(waiting) == 3
        clients = [httpx.AsyncClient(base_url=url, timeout=30) for _ in names]
        try:
            for cid in waiting:
                results = await asyncio.gather(
                    *(
                        c.post(f"/v1/console/conversations/{cid}/take", headers=desk)
                        for c, desk in zip(clients, desks, strict=True)
                    )
                )
                codes = [r.status_code for r in results]
                assert sorted(codes) == [204, 409, 409, 409], codes
                winner = names[codes.index(204)]
                async with ch.runtime.sessionmaker() as session:
                    handoff = await session.scalar(
                        select(HandoffRecord).where(HandoffRecord.conversation_id == cid)
                    )
                    takes = (
                        await session.scalars(
                            select(AuditEntry.actor).where(
                                AuditEntry.conversation_id == cid, AuditEntry.event == "agent_take"
                            )
                        )
                    ).all()
                assert handoff is not None and handoff.agent == winner
                assert handoff.status == "assigned"
                assert takes == [f"agent:{winner}"]
        finally:
            for c in clients:
                await c.aclose()


async def test_a_message_while_an_agent_owns_it_gets_no_assistant_turn_on_whatsapp(
    make_channels: MakeChannels,
) -> None:
    async with make_channels([say(NEVER)]) as ch:
        sam = await ch.desk("sam")
        await ch.whatsapp("agent", wamid="wamid.O1")
        await ch.settle()
        [item] = await _queue(ch, sam)
        cid = str(item["conversation_id"])
        assert (
            await ch.client.post(f"/v1/console/conversations/{cid}/take", headers=sam)
        ).status_code == 204
        before = await _turns(ch)
        log = f"/v1/console/conversations/{cid}/events"
        last = (await ch.client.get(log, headers=sam)).json()[-1]["id"]
        await ch.whatsapp("what's my balance?", wamid="wamid.O2")
        await ch.settle()
        assert await _turns(ch) == before
        texts = [r["payload"]["text"] for r in await ch.outbox(channel="whatsapp")]
        assert NEVER not in texts
        events = (await ch.client.get(log, params={"after": last}, headers=sam)).json()
        assert [e["event"] for e in events] == ["customer.message"]  # and nothing else
        assert events[0]["data"]["text"] == "what's my balance?"
        [row] = await _queue(ch, sam)
        assert row["last_message"] == "what's my balance?" and row["agent"] == "sam"


async def test_a_message_while_an_agent_owns_it_gets_no_assistant_turn_in_the_widget(
    make_channels: MakeChannels,
) -> None:
    async with make_channels([say(NEVER)]) as ch:
        sam = await ch.desk("sam")
        session = await ch.client.post("/v1/demo/session", json={"msisdn": SENDERS[0]})
        ch.client.cookies.clear()
        customer = {"Authorization": f"Bearer {session.json()['token']}"}
        cid = (await ch.client.post("/v1/conversations", headers=customer)).json()[
            "conversation_id"
        ]
        asked = await ch.client.post(
            f"/v1/conversations/{cid}/messages",
            json={"text": "let me talk to a person", "client_message_id": "w1"},
            headers=customer,
        )
        assert "event: handoff" in asked.text
        await ch.client.post(f"/v1/console/conversations/{cid}/take", headers=sam)
        before = await _turns(ch)
        sent = await ch.client.post(
            f"/v1/conversations/{cid}/messages",
            json={"text": "how much data is left?", "client_message_id": "w2"},
            headers=customer,
        )
        assert sent.status_code == 200
        assert "event: customer.message" in sent.text
        assert "turn.completed" not in sent.text and NEVER not in sent.text
        assert await _turns(ch) == before


async def test_the_desk_stream_pushes_a_new_handoff_with_the_customer_s_name(
    make_channels: MakeChannels,
) -> None:
    async with make_channels([say("ok")]) as ch, live_server(ch.app) as url:
        sam = await ch.desk("sam")
        async with (
            httpx.AsyncClient(base_url=url, timeout=20) as web,
            web.stream("GET", "/v1/console/stream", headers=sam) as stream,
        ):
            reader = FrameReader(stream)
            [first] = await reader.until(lambda fs: len(fs) >= 1)
            assert first.event == "queue" and first.data["items"] == []
            assert [(a["id"], a["online"]) for a in first.data["agents"]] == [("sam", True)]
            await ch.whatsapp("agent please", wamid="wamid.S1")
            await ch.settle()
            [pushed] = await reader.until(lambda fs: len(fs) >= 1)
        [item] = pushed.data["items"]
        assert item["customer_name"] == "Alice Morgan" and item["reason"] == "customer_request"
        assert item["last_message"] == "agent please" and item["status"] == "waiting"
        assert item["wait_s"] >= 0 and item["escalated"] is False


async def test_the_context_beside_the_transcript_reads_the_account(
    make_channels: MakeChannels,
) -> None:
    async with make_channels() as ch:
        sam = await ch.desk("sam")
        await ch.whatsapp("agent", wamid="wamid.C1")
        await ch.settle()
        [item] = await _queue(ch, sam)
        cid = item["conversation_id"]
        context = (
            await ch.client.get(f"/v1/console/conversations/{cid}/context", headers=sam)
        ).json()
        tools = {view["tool"]: view for view in context["account"]}
        assert list(tools) == ["get_account_overview", "get_bills", "get_request_status"]
        assert tools["get_account_overview"]["status"] == "ok"
        assert "£7.50" in tools["get_account_overview"]["summary"]  # Alice's credit
        assert context["customer_id"] == "cust-001" and context["open_quotes"] == []
        suggestion = (
            await ch.client.get(f"/v1/console/conversations/{cid}/suggestion", headers=sam)
        ).json()
        assert suggestion["text"].startswith("Hi Alice,")
        assert "£7.50" in suggestion["text"] and suggestion["account"] in suggestion["text"]


async def test_supervisors_see_everyone_and_reassign_agents_cannot(
    make_channels: MakeChannels,
) -> None:
    async with make_channels() as ch:
        sam, kim = await ch.desk("sam"), await ch.desk("kim")
        boss = await ch.desk("lee", role="supervisor")
        await ch.whatsapp("agent", wamid="wamid.V1")
        await ch.settle()
        [item] = await _queue(ch, sam)
        cid = item["conversation_id"]
        await ch.client.post(f"/v1/console/conversations/{cid}/take", headers=sam)
        assign = f"/v1/console/conversations/{cid}/assign"
        assert (await ch.client.post(assign, json={"agent": "kim"}, headers=sam)).status_code == 403
        assert (await ch.client.get("/v1/console/supervisor", headers=kim)).status_code == 403
        unknown = await ch.client.post(assign, json={"agent": "zed"}, headers=boss)
        assert unknown.status_code == 404
        moved = await ch.client.post(assign, json={"agent": "kim"}, headers=boss)
        assert moved.status_code == 204
        view = (await ch.client.get("/v1/console/supervisor", headers=boss)).json()
        held = {a["id"]: a["conversations"] for a in view["agents"]}
        assert held == {"kim": [cid], "lee": [], "sam": []}
        assert [q["agent"] for q in view["queue"]] == ["kim"]
        # sam no longer owns it; kim does
        no = await ch.client.post(
            f"/v1/console/conversations/{cid}/messages", json={"text": "x"}, headers=sam
        )
        yes = await ch.client.post(
            f"/v1/console/conversations/{cid}/messages", json={"text": "Kim here."}, headers=kim
        )
        assert (no.status_code, yes.status_code) == (409, 201)


async def test_a_long_wait_escalates_once(make_channels: MakeChannels) -> None:
    async with make_channels(desk_escalate_after_s=0.001) as ch:
        boss = await ch.desk("lee", role="supervisor")
        await ch.whatsapp("agent", wamid="wamid.E1")
        await ch.settle()
        await asyncio.sleep(0.01)
        [item] = await _queue(ch, boss)
        assert item["escalated"] is True
        async with ch.runtime.sessionmaker() as session:
            first = await session.scalar(select(HandoffRecord.escalated_at))
        await _queue(ch, boss)
        async with ch.runtime.sessionmaker() as session:
            again = await session.scalar(select(HandoffRecord.escalated_at))
        assert first is not None and again == first
