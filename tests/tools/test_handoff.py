"""transfer_to_human: records the hand-off at once, once per open hand-off, audited."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import async_sessionmaker

from switchboard import clock
from switchboard.db.models import HandoffRecord
from switchboard.settings import Settings
from tests.tools.helpers import TrippedBss, make_context
from tools import audit
from tools.registry import invoke_tool


async def test_a_handoff_is_recorded_at_once_and_not_duplicated(
    settings: Settings, sessionmaker: async_sessionmaker[Any], conversation_id: str
) -> None:
    bss = TrippedBss()
    ctx = make_context(settings, sessionmaker, conversation_id, bss=bss)
    args = {"reason": "cancellation", "summary": "Wants to cancel; moving abroad."}
    first = await invoke_tool(ctx, "transfer_to_human", args)
    second = await invoke_tool(ctx, "transfer_to_human", {**args, "reason": "customer_request"})
    assert first.ok and first.handoff is not None and first.proposed is None
    assert first.handoff.queue == "retention" and first.handoff.reason == "cancellation"
    assert second.handoff is not None and second.handoff.handoff_id == first.handoff.handoff_id
    async with sessionmaker() as session:
        rows = (await session.scalars(select(HandoffRecord))).all()
    assert [(r.conversation_id, r.status, r.summary) for r in rows] == [
        (conversation_id, "waiting", "Wants to cancel; moving abroad.")
    ]
    entries = await audit.query(sessionmaker, action="transfer_to_human")
    assert [(e.event, e.customer_id) for e in entries] == [("handoff", "cust-001")]
    assert bss.used == []


async def test_anonymous_customers_can_reach_a_person(
    settings: Settings, sessionmaker: async_sessionmaker[Any], make_conversation: Any
) -> None:
    conversation_id = await make_conversation(None)
    ctx = make_context(settings, sessionmaker, conversation_id, customer_id=None)
    outcome = await invoke_tool(
        ctx, "transfer_to_human", {"reason": "customer_request", "summary": "Asked for a person."}
    )
    assert outcome.ok and outcome.handoff is not None and outcome.handoff.queue == "general"


async def test_outside_support_hours_the_customer_is_told_when_the_team_is_back(
    settings: Settings, sessionmaker: async_sessionmaker[Any], make_conversation: Any
) -> None:
    hours = settings.model_copy(
        update={"support_hours": "Mon-Fri 08:00-20:00", "time_zone": "Europe/London"}
    )
    args = {"reason": "customer_request", "summary": "Asked for a person."}
    # Saturday 28 November 2026, 14:00 in London: back on Monday at 08:00
    with clock.use_clock(datetime(2026, 11, 28, 14, 0, tzinfo=UTC)):
        ctx = make_context(hours, sessionmaker, await make_conversation(None), customer_id=None)
        text = (await invoke_tool(ctx, "transfer_to_human", args)).summary
    assert text.endswith(
        "a person will reply here. Our team works Mon-Fri 08:00-20:00 (Europe/London time), "
        "so nobody is there right now. They'll pick this up from 08:00 Monday."
    )
    # Thursday 10:00: open
    with clock.use_clock(datetime(2026, 11, 26, 10, 0, tzinfo=UTC)):
        ctx = make_context(hours, sessionmaker, await make_conversation(None), customer_id=None)
        text = (await invoke_tool(ctx, "transfer_to_human", args)).summary
    assert text.endswith("a person will reply here shortly.")
