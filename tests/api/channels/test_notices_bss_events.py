"""Proactive notifications (Resolve): BSS hub events become a `notification` event on the
customer's conversation and a message on their channel, exactly once per event id."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx
from sqlalchemy import select

from api.notices.bss_events import register_bss_listener, render
from switchboard.db.eventlog import events_after
from switchboard.db.models import Conversation
from tests.api.channels.conftest import ALICE, PUBLIC, Channels, MakeChannels
from tests.fakes.scripted_model import say


def envelope(customer_id: str, *, event_id: str | None = None, state: str = "completed") -> Any:
    return {
        "eventId": event_id or str(uuid.uuid4()),
        "eventTime": "2026-11-26T10:05:00Z",
        "eventType": "ProductOrderStateChangeEvent",
        "event": {
            "productOrder": {
                "id": "PO-77",
                "state": state,
                "relatedParty": [
                    {"id": customer_id, "role": "customer", "@referredType": "Customer"}
                ],
            }
        },
    }


async def _post(ch: Channels, body: Any, key: str | None = None) -> httpx.Response:
    path = f"/v1/bss/events/{key or ch.hub.listener_key}/listener/productOrderStateChangeEvent"
    return await ch.client.post(path, json=body)


async def test_event_notifies_the_latest_conversation_once(make_channels: MakeChannels) -> None:
    async with make_channels([say("Hi Alice.")]) as ch:
        await ch.whatsapp("hi", wamid="wamid.N1")
        await ch.settle()
        alice = await ch.runtime.bss.find_customer_by_msisdn(msisdn=ALICE)
        body = envelope(alice.id, event_id="ev-1")
        results = await asyncio.gather(*(_post(ch, body) for _ in range(3)))
        assert all(r.status_code == 201 for r in results)
        assert sorted(r.json()["notified"] for r in results) == [False, False, True]
        await ch.settle()
        rows = await ch.outbox(channel="whatsapp")
        assert [r["payload"]["text"] for r in rows if r["kind"] == "notification"] == [
            "Update on your order PO-77: it is now completed."
        ]
        async with ch.runtime.sessionmaker() as session:
            cid = await session.scalar(select(Conversation.id))
            assert cid is not None
            events = await events_after(session, conversation_id=cid)
        notes = [e.data for e in events if e.type == "notification"]
        assert notes == [
            {
                "kind": "order",
                "text": rows[-1]["payload"]["text"],
                "ref": "PO-77",
                "state": "completed",
            }
        ]


async def test_listener_key_is_required(make_channels: MakeChannels) -> None:
    async with make_channels() as ch:
        response = await _post(ch, envelope("cust-001"), key="0" * 32)
        assert response.status_code == 401
        assert await ch.outbox() == []


async def test_customer_without_a_conversation_gets_an_sms(make_channels: MakeChannels) -> None:
    async with make_channels() as ch:
        alice = await ch.runtime.bss.find_customer_by_msisdn(msisdn=ALICE)
        assert (await _post(ch, envelope(alice.id, state="inProgress"))).json() == {
            "notified": True
        }
        [row] = await ch.outbox()
        assert row["channel"] == "sms" and row["recipient"] == ALICE
        assert row["payload"]["text"] == "Update on your order PO-77: it is now in progress."


async def test_other_events_are_acknowledged_and_ignored(make_channels: MakeChannels) -> None:
    async with make_channels() as ch:
        body = {**envelope("cust-001"), "eventType": "ProductCreateEvent"}
        assert (await _post(ch, body)).json() == {"notified": False}
        nobody = envelope("cust-001")
        nobody["event"]["productOrder"]["relatedParty"] = []
        assert (await _post(ch, nobody)).json() == {"notified": False}
        assert (await _post(ch, {"eventType": "x"})).status_code == 422
        assert await ch.outbox() == []


async def test_simulator_hub_delivers_ticket_progress_to_whatsapp(
    make_channels: MakeChannels,
) -> None:
    async with make_channels([say("Hi Alice.")]) as ch:
        sim = ch.runtime.bss_app.state.sim
        sim.deliverer.transport = httpx.ASGITransport(app=ch.app)
        callback = f"{PUBLIC}/v1/bss/events/{ch.hub.listener_key}"
        await register_bss_listener(ch.runtime.bss, callback)
        await register_bss_listener(ch.runtime.bss, callback)  # twice: every event arrives twice
        await ch.whatsapp("hi", wamid="wamid.T1")
        await ch.settle()
        alice = await ch.runtime.bss.find_customer_by_msisdn(msisdn=ALICE)
        ticket = await ch.runtime.bss.open_ticket(
            customer_id=alice.id,
            ticket_type="fault",
            description="No signal at home",
            idempotency_key="t-1",
        )
        await sim.advance(30 * 24 * 3600)
        for _ in range(3):
            await sim.deliver()
        await ch.settle()
        texts = [r["payload"]["text"] for r in await ch.outbox() if r["kind"] == "notification"]
        prefix = f"Update on your fault ticket {ticket.id}: it is now"
        assert texts == [
            f"{prefix} in progress. Assigned to a specialist.",
            f"{prefix} resolved. Resolved by the specialist team.",
        ]


def test_render_service_request() -> None:
    doc = {"id": "PF-1", "processFlowSpecification": "sim-swap"}
    assert render("service_request", doc, "completed") == (
        "Update on your SIM swap request PF-1: it is now completed."
    )


async def test_every_step_of_a_service_request_is_a_notice(make_channels: MakeChannels) -> None:
    async with make_channels([say("Hi Alice.")]) as ch:
        sim = ch.runtime.bss_app.state.sim
        sim.deliverer.transport = httpx.ASGITransport(app=ch.app)
        await register_bss_listener(ch.runtime.bss, f"{PUBLIC}/v1/bss/events/{ch.hub.listener_key}")
        await ch.whatsapp("hi", wamid="wamid.E1")
        await ch.settle()
        flow = await ch.runtime.bss.start_service_request(
            customer_id="cust-001", kind="esim", product_id="line-900001", idempotency_key="e-1"
        )
        await sim.advance(24 * 3600)
        for _ in range(3):
            await sim.deliver()
        await ch.settle()
        texts = [r["payload"]["text"] for r in await ch.outbox() if r["kind"] == "notification"]
        assert texts == [
            f"Update on your request {flow.id}: step 1, generate profile, is now completed.",
            f"Update on your request {flow.id}: step 2, email QR code, is now completed.",
            f"Update on your request {flow.id}: step 3, activate eSIM, is now completed.",
            f"Update on your eSIM request {flow.id}: it is now completed.",
        ]
        listed = await ch.client.get(f"/v1/admin/notices?ref={flow.id}", headers=ch.staff)
        assert sorted(n["status"] for n in listed.json()) == ["sent"] * 4
