"""Confirmations that repeat, that name someone else's action or that arrive mid-execution, and
the recovery sweep that finishes what a dead process left (issue 16)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import async_sessionmaker

from assistant.actions.desk import ToolsActionDesk
from switchboard.db.models import Event, Message, PendingAction
from switchboard.errors import NotFoundError
from tests.assistant.conftest import ALICE, MakeHarness, Who
from tests.fakes.scripted_model import call, say
from tools import actions
from tools.action_store import ActionInProgressError

BEN = Who(customer_id="CUST-0002", msisdn="+447700900002")


class IdempotentBss:
    """A BSS that applies each idempotency key once and replays its result afterwards."""

    def __init__(self) -> None:
        self.applied: dict[str, dict[str, Any]] = {}
        self.calls = 0

    async def top_up(self, bss: Any, action: actions.ActionRecord) -> dict[str, Any]:
        self.calls += 1
        key = action.idempotency_key
        if key not in self.applied:
            self.applied[key] = {"bss_ref": f"TOP-{len(self.applied) + 1}", "amount": "10"}
        return self.applied[key]


async def _counts(sessionmaker: async_sessionmaker[Any], cid: str) -> tuple[int, int]:
    async with sessionmaker() as session:
        events = await session.scalar(
            select(func.count()).select_from(Event).where(Event.conversation_id == cid)
        )
        lines = await session.scalar(
            select(func.count()).select_from(Message).where(Message.conversation_id == cid)
        )
    return int(events or 0), int(lines or 0)


async def _quoted(h: Any, cid: str) -> str:
    events = await h.say(cid, "top up £10")
    return str(next(e.data["action_id"] for e in events if e.type == "action.proposed"))


async def test_a_repeated_confirm_replays_the_result_and_adds_nothing(
    make_harness: MakeHarness, sessionmaker: async_sessionmaker[Any]
) -> None:
    h = make_harness(_model())
    cid = await h.service.start_conversation(ALICE)
    action_id = await _quoted(h, cid)
    first = [e async for e in h.service.confirm_action(cid, ALICE, action_id)]
    executed = next(e for e in first if e.type == "action.executed")
    before = await _counts(sessionmaker, cid)
    for _ in range(3):
        again = [e async for e in h.service.confirm_action(cid, ALICE, action_id)]
        assert again == [executed]  # the same event, same id: a replay
    assert await _counts(sessionmaker, cid) == before
    assert h.bss_calls == [actions.idempotency_key_for(action_id)]


async def test_a_confirm_of_someone_elses_action_stores_nothing_for_the_caller(
    make_harness: MakeHarness, sessionmaker: async_sessionmaker[Any]
) -> None:
    h = make_harness(_model())
    alices = await h.service.start_conversation(ALICE)
    action_id = await _quoted(h, alices)
    bens = await h.service.start_conversation(BEN)
    before = await _counts(sessionmaker, bens)
    for service_call in (h.service.confirm_action, h.service.cancel_action):
        with pytest.raises(NotFoundError):
            [e async for e in service_call(bens, BEN, action_id)]
    assert await _counts(sessionmaker, bens) == before
    async with sessionmaker() as session:
        status = await session.scalar(select(PendingAction.status))
    assert status == "proposed" and h.bss_calls == []


async def test_a_confirm_during_execution_is_in_progress_never_failed(
    make_harness: MakeHarness, sessionmaker: async_sessionmaker[Any]
) -> None:
    h = make_harness(_model())
    cid = await h.service.start_conversation(ALICE)
    action_id = await _quoted(h, cid)
    await _set(sessionmaker, action_id, "executing")
    before = await _counts(sessionmaker, cid)
    with pytest.raises(ActionInProgressError) as caught:
        [e async for e in h.service.confirm_action(cid, ALICE, action_id)]
    assert caught.value.action_id == action_id and caught.value.http_status == 202
    assert await _counts(sessionmaker, cid) == before and h.bss_calls == []


async def _set(sessionmaker: async_sessionmaker[Any], action_id: str, status: str) -> None:
    async with sessionmaker() as session, session.begin():
        await session.execute(
            update(PendingAction).where(PendingAction.id == action_id).values(status=status)
        )


async def _stranded(
    make_harness: MakeHarness,
    sessionmaker: async_sessionmaker[Any],
    executor: Any,
    bss: Any,
    left: str,
) -> tuple[Any, str, str]:
    """A service over `bss` with a quoted top-up that a dead process left `left`."""
    h = make_harness(_model())
    h.service.deps.desk = ToolsActionDesk(executors={"top_up": executor})
    h.service.deps.bss = bss
    cid = await h.service.start_conversation(ALICE)
    action_id = await _quoted(h, cid)
    await _set(sessionmaker, action_id, left)
    return h, cid, action_id


def _model() -> Any:
    from tests.fakes.scripted_model import ScriptedChatModel

    return ScriptedChatModel(script=[call("top_up", amount=10), say("£10 — shall I?")] * 3)


async def _results(sessionmaker: async_sessionmaker[Any], cid: str) -> list[dict[str, Any]]:
    async with sessionmaker() as session:
        rows = await session.scalars(
            select(Event.data).where(Event.conversation_id == cid, Event.type == "action.executed")
        )
        return [dict(r) for r in rows]


@pytest.mark.parametrize("left", ["executing", "confirmed"])
@pytest.mark.parametrize("applied_before_the_crash", [True, False])
async def test_the_sweep_finishes_a_stranded_action_once(
    make_harness: MakeHarness,
    sessionmaker: async_sessionmaker[Any],
    left: str,
    applied_before_the_crash: bool,
) -> None:
    bss = IdempotentBss()
    h, cid, action_id = await _stranded(make_harness, sessionmaker, bss.top_up, bss, left)
    record = await actions.get_action(sessionmaker, action_id)
    assert record is not None
    if applied_before_the_crash:
        await bss.top_up(None, record)
    for _ in range(3):  # start-up, then periodic sweeps: the result is logged once
        await h.service.recover_actions(older_than_s=0)
    record = await actions.get_action(sessionmaker, action_id)
    assert record is not None and record.status == "succeeded"
    assert len(bss.applied) == 1 and record.receipt == bss.applied[record.idempotency_key]
    results = await _results(sessionmaker, cid)
    assert [(r["action_id"], r["status"]) for r in results] == [(action_id, "ok")]
    async with sessionmaker() as session:
        lines = (
            await session.scalars(
                select(Message.text).where(
                    Message.conversation_id == cid, Message.role == "assistant"
                )
            )
        ).all()
    assert sum("TOP-1" in line for line in lines) == 1  # one receipt in the transcript
    # a confirm afterwards replays that result
    again = [e async for e in h.service.confirm_action(cid, ALICE, action_id)]
    assert [(e.type, e.data["status"]) for e in again] == [("action.executed", "ok")]


async def test_the_sweep_leaves_fresh_work_to_its_owner(
    make_harness: MakeHarness, sessionmaker: async_sessionmaker[Any]
) -> None:
    bss = IdempotentBss()
    # another replica, mid-call
    h, _, action_id = await _stranded(make_harness, sessionmaker, bss.top_up, bss, "executing")
    assert await h.service.recover_actions(older_than_s=3600) == 0
    record = await actions.get_action(sessionmaker, action_id)
    assert record is not None and record.status == "executing" and bss.calls == 0


async def test_a_business_refusal_found_by_the_sweep_ends_failed_with_no_receipt(
    make_harness: MakeHarness, sessionmaker: async_sessionmaker[Any]
) -> None:
    from tools.bss.errors import BssBusinessError

    async def refuse(bss: Any, action: actions.ActionRecord) -> dict[str, Any]:
        raise BssBusinessError("TOPUP_DAILY_LIMIT", "over the daily limit")

    h, cid, action_id = await _stranded(make_harness, sessionmaker, refuse, object(), "executing")
    await h.service.recover_actions(older_than_s=0)
    await h.service.recover_actions(older_than_s=0)
    record = await actions.get_action(sessionmaker, action_id)
    assert record is not None and record.status == "failed"
    results = await _results(sessionmaker, cid)
    assert [(r["status"], (r["receipt"] or {}).get("bss_ref")) for r in results] == [
        ("failed", None)
    ]
    assert Decimal(str(record.amount)) == Decimal(10)
