"""Analytics definitions on synthetic event logs with known answers (docs/analytics.md)."""

from __future__ import annotations

import itertools
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker

from api.analytics import report
from switchboard.db.models import Conversation, Event, HandoffRecord, Turn
from tests.api.channels.conftest import MakeChannels, make_channels
from tests.fakes.scripted_model import call, say

__all__ = ["make_channels"]  # the fixture

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
PERIOD = {"since": T0 - timedelta(days=1), "until": T0 + timedelta(days=3)}
_ids = itertools.count(1)

# (capability, outcome) turns
TOP_UP_DONE = [("top_up", "proposed"), ("top_up", "acted")]
ANSWERED = [("faq", "answered")]
THANKS = [("greeting", "answered")]


async def conversation(
    sessionmaker: async_sessionmaker[Any],
    *,
    customer: str | None = "cust-001",
    at: datetime = T0,
    turns: list[tuple[str, str]] = ANSWERED,
    events: list[tuple[str, dict[str, Any]]] = (),  # type: ignore[assignment]
    channel: str = "web",
    first: str = "customer.message",
    segment: str | None = None,
    model: str | None = None,
) -> str:
    """A conversation with its turns and events, as the turn loop and the desk store them."""
    cid = str(uuid.uuid4())
    async with sessionmaker() as session, session.begin():
        session.add(
            Conversation(
                id=cid, customer_id=customer, channel=channel, created_at=at, segment=segment
            )
        )
        await session.flush()
        log = [(first, {"text": "hello"} if first == "customer.message" else {"kind": "outage"})]
        for i, (capability, outcome) in enumerate(turns):
            if i or first != "customer.message":
                log.append(("customer.message", {"text": "..."}))
            session.add(
                Turn(
                    id=str(uuid.uuid4()),
                    conversation_id=cid,
                    capability=capability,
                    outcome=outcome,
                    latency_ms=100 * (i + 1),
                    prompt_tokens=10,
                    completion_tokens=5,
                    model=model,
                    created_at=at + timedelta(seconds=10 * i + next(_ids) % 3),
                )
            )
            log.append(("turn.completed", {"capability": capability, "outcome": outcome}))
        log += list(events)
        for seq, (kind, data) in enumerate(log, start=1):
            session.add(
                Event(
                    conversation_id=cid,
                    seq=seq,
                    type=kind,
                    data=data,
                    created_at=at + timedelta(seconds=seq),
                )
            )
        conv = await session.get(Conversation, cid)
        assert conv is not None
        conv.last_event_id = len(log)
    return cid


async def test_automation_counts_each_definition(sessionmaker: async_sessionmaker[Any]) -> None:
    # 1 automated, confirmed: the account changed
    await conversation(sessionmaker, customer="c1", turns=TOP_UP_DONE)
    # 2 automated, confirmed: answered, then "thanks"
    await conversation(sessionmaker, customer="c2", turns=ANSWERED + THANKS)
    # 3 automated, assumed: answered, then the customer left
    await conversation(sessionmaker, customer="c3", turns=ANSWERED)
    # 4 not automated: handed off and handed back — still a person took part
    await conversation(
        sessionmaker,
        customer="c4",
        turns=ANSWERED,
        events=[
            ("handoff", {"reason": "customer_request", "queue": "general"}),
            ("notification", {"kind": "returned", "text": "back to the assistant"}),
        ],
    )
    # 5 not automated: resolved, but the customer came back about the same need 3 days later
    await conversation(sessionmaker, customer="c5", turns=ANSWERED)
    await conversation(
        sessionmaker, customer="c5", turns=ANSWERED, at=T0 + timedelta(days=3, hours=1)
    )
    # 6 proactive (an outage notice the customer answered): not counted at all
    await conversation(sessionmaker, customer="c6", turns=ANSWERED, first="notification")
    # 7 only a greeting: not a need, not counted
    await conversation(sessionmaker, customer="c7", turns=THANKS)

    numbers = await report(sessionmaker, **PERIOD)
    assert numbers.automation.counted == 5  # 1-5 (the repeat itself starts after the period)
    assert numbers.automation.automated == 3
    assert (numbers.automation.confirmed, numbers.automation.assumed) == (2, 1)
    assert numbers.automation.rate == 3 / 5 and numbers.automation.target == 0.8
    assert numbers.containment == 4 / 5
    assert numbers.proactive_conversations == 1 and numbers.conversations == 6
    assert numbers.handoffs == {"customer_request": 1}


async def test_a_repeat_contact_after_the_window_does_not_count(
    sessionmaker: async_sessionmaker[Any],
) -> None:
    await conversation(sessionmaker, customer="c1", turns=ANSWERED)
    await conversation(sessionmaker, customer="c1", turns=ANSWERED, at=T0 + timedelta(days=8))
    await conversation(sessionmaker, customer="c2", turns=ANSWERED)
    await conversation(  # another need is not a repeat of this one
        sessionmaker, customer="c2", turns=TOP_UP_DONE, at=T0 + timedelta(days=1)
    )
    numbers = await report(sessionmaker, since=T0, until=T0 + timedelta(days=1))
    assert (numbers.automation.counted, numbers.automation.automated) == (2, 2)


async def test_a_reopened_conversation_counts_once(sessionmaker: async_sessionmaker[Any]) -> None:
    """Closed, then the customer wrote again in the same conversation: one conversation, judged
    by the assistant's last turn about each need."""
    await conversation(
        sessionmaker,
        turns=[("billing_payments", "answered"), ("billing_payments", "handed_off")],
        events=[("handoff", {"reason": "low_confidence", "queue": "general"})],
    )
    await conversation(
        sessionmaker,
        customer="c9",
        turns=[("roaming", "clarified"), ("roaming", "answered"), ("roaming", "answered")],
    )
    numbers = await report(sessionmaker, **PERIOD)
    assert numbers.conversations == 2 and numbers.automation.counted == 2
    assert numbers.automation.automated == 1
    assert numbers.capabilities == {"billing_payments": 2, "roaming": 3}


async def test_breakdowns_by_channel_day_and_action(sessionmaker: async_sessionmaker[Any]) -> None:
    await conversation(
        sessionmaker,
        customer="c1",
        channel="whatsapp",
        turns=TOP_UP_DONE,
        events=[("action.executed", {"tool": "top_up", "status": "ok"})],
    )
    await conversation(
        sessionmaker,
        customer="c2",
        at=T0 + timedelta(days=1),
        turns=ANSWERED,
        events=[("action.executed", {"tool": "top_up", "status": "failed"})],
    )
    whatsapp = await report(sessionmaker, **PERIOD, channel="whatsapp")
    assert whatsapp.conversations == 1 and whatsapp.channels == {"whatsapp": 1}
    everything = await report(sessionmaker, **PERIOD)
    assert everything.actions == {"top_up": {"ok": 1, "failed": 1}}
    assert [(d.day.isoformat(), d.conversations) for d in everything.by_day] == [
        ("2026-11-02", 1),
        ("2026-11-03", 1),
    ]
    assert everything.latency_ms == {"p50": 100.0, "p95": 200.0}
    assert everything.tokens == {"prompt": 30, "completion": 15}
    assert everything.customer_messages == 3


async def test_the_admin_api_reports_a_real_conversation(make_channels: MakeChannels) -> None:
    script = [call("top_up", amount=10), say("£10 from your card. Shall I go ahead?")]
    async with make_channels(script) as ch:
        await ch.whatsapp("top up £10", wamid="wamid.A1")
        await ch.settle()
        await ch.whatsapp("yes", wamid="wamid.A2")
        await ch.settle()
        assert (await ch.client.get("/v1/admin/analytics")).status_code == 401
        response = await ch.client.get(
            "/v1/admin/analytics", params={"channel": "whatsapp"}, headers=ch.staff
        )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["conversations"] == 1 and body["channels"] == {"whatsapp": 1}
    assert body["automation"] | {"rate": None} == {
        "rate": None,
        "target": 0.8,
        "counted": 1,
        "automated": 1,
        "confirmed": 1,
        "assumed": 0,
    }
    assert body["actions"] == {"top_up": {"ok": 1}}


async def test_segment_and_capability_filters_handoff_rate_queue_wait_and_cost_per_model(
    sessionmaker: async_sessionmaker[Any],
) -> None:
    handoff = [("handoff", {"reason": "customer_request"})]
    prepaid = await conversation(
        sessionmaker, customer="c1", segment="prepaid", turns=TOP_UP_DONE, model="local"
    )
    postpaid = await conversation(
        sessionmaker,
        customer="c2",
        segment="postpaid",
        turns=[("billing_payments", "handed_off")],
        events=handoff,
        model="openai:gpt-4.1-mini",
    )
    await conversation(sessionmaker, customer=None, turns=ANSWERED)  # anonymous, no model
    waiting = await conversation(
        sessionmaker, customer="c3", segment="postpaid", turns=ANSWERED, events=handoff
    )
    async with sessionmaker() as session, session.begin():
        for cid, taken in ((postpaid, T0 + timedelta(seconds=90)), (waiting, None)):
            session.add(
                HandoffRecord(
                    id=str(uuid.uuid4()),
                    conversation_id=cid,
                    reason="customer_request",
                    created_at=T0,
                    assigned_at=taken,
                    status="assigned" if taken else "waiting",
                )
            )

    everything = await report(sessionmaker, **PERIOD, model="openai:gpt-4o-mini")
    assert everything.conversations == 4
    assert everything.segments == {"prepaid": 1, "postpaid": 2, "anonymous": 1}
    assert everything.handoff_rate == 2 / 4
    wait = everything.queue_wait_s
    assert (wait.p50, wait.p95, wait.taken, wait.waiting) == (90, 90, 1, 1)
    # each turn at the model it ran on; turns that recorded none at the configured model
    by_model = everything.cost.by_model
    assert set(by_model) == {"local", "openai:gpt-4.1-mini", "openai:gpt-4o-mini"}
    assert (by_model["local"].prompt_tokens, by_model["local"].usd) == (20, 0.0)
    assert by_model["openai:gpt-4.1-mini"].completion_tokens == 5
    assert by_model["openai:gpt-4o-mini"].prompt_tokens == 20  # two conversations, one turn each
    usd = [m.usd for m in by_model.values()]
    assert everything.cost.usd == pytest.approx(sum(u for u in usd if u is not None))

    only_postpaid = await report(sessionmaker, **PERIOD, segment="postpaid")
    assert only_postpaid.conversations == 2 and only_postpaid.segment == "postpaid"
    assert only_postpaid.handoff_rate == 1.0
    assert (await report(sessionmaker, **PERIOD, segment="anonymous")).conversations == 1
    top_ups = await report(sessionmaker, **PERIOD, capability="top_up")
    assert top_ups.conversations == 1 and top_ups.automation.automated == 1
    assert top_ups.capabilities == {"top_up": 2}
    assert prepaid  # the one conversation that raised top_up
