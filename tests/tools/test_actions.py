"""The pending-action protocol on its own: state machine, replays, races, expiry, ownership.
The executor here is a counting stand-in for the BSS; the tool tests run the real simulator."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker

from switchboard.db.models import utcnow
from switchboard.errors import NotFoundError
from switchboard.settings import Settings
from tools import actions, audit
from tools.actions import ActionRecord

pytestmark = pytest.mark.dated  # the demo world seeded at the clock's today


class CountingBss:
    """Records each execution; optionally slow, so confirmations overlap."""

    def __init__(self, delay: float = 0.0, fail: Exception | None = None) -> None:
        self.calls: list[str] = []
        self.delay = delay
        self.fail = fail

    async def execute(self, bss: Any, action: ActionRecord) -> dict[str, Any]:
        self.calls.append(action.idempotency_key)
        await asyncio.sleep(self.delay)
        if self.fail is not None:
            raise self.fail
        return {"bss_ref": f"ref-{len(self.calls)}", "amount": str(action.amount)}


async def _propose(sm: async_sessionmaker[Any], conversation_id: str, **kw: Any) -> str:
    proposed = await actions.propose(
        sessionmaker=sm,
        conversation_id=conversation_id,
        customer_id="cust-001",
        tool=kw.pop("tool", "renew_plan"),
        args={"msisdn": "+447700900001"},
        summary="Renew Bundle 10 now for £10.00",
        ttl_s=kw.pop("ttl_s", 600),
        amount=Decimal("10.00"),
        currency="GBP",
        **kw,
    )
    return proposed.action_id


async def _confirm(
    sm: Any, settings: Settings, bss: CountingBss, action_id: str, conversation_id: str, **kw: Any
) -> Any:
    return await actions.confirm(
        sessionmaker=sm,
        bss=None,
        action_id=action_id,
        customer_id=kw.pop("customer_id", "cust-001"),
        conversation_id=conversation_id,
        actor="customer",
        settings=settings,
        executors={"renew_plan": bss.execute},
        **kw,
    )


async def test_confirm_executes_once_and_replays_return_the_stored_result(
    sessionmaker: async_sessionmaker[Any], settings: Settings, conversation_id: str
) -> None:
    bss = CountingBss()
    action_id = await _propose(sessionmaker, conversation_id)
    first = await _confirm(sessionmaker, settings, bss, action_id, conversation_id)
    again = await _confirm(sessionmaker, settings, bss, action_id, conversation_id)
    assert first.status == "ok" and first.receipt == {"bss_ref": "ref-1", "amount": "10.00"}
    assert again == first
    assert bss.calls == [actions.idempotency_key_for(action_id)]
    events = [e.event for e in await audit.query(sessionmaker, action=action_id)]
    assert events == ["proposed", "confirmed", "executed", "replayed"]


async def test_parallel_confirmations_call_the_bss_once(
    sessionmaker: async_sessionmaker[Any], settings: Settings, conversation_id: str
) -> None:
    bss = CountingBss(delay=0.2)
    action_id = await _propose(sessionmaker, conversation_id)
    results = await asyncio.gather(
        *(_confirm(sessionmaker, settings, bss, action_id, conversation_id) for _ in range(4))
    )
    assert len(bss.calls) == 1
    assert {r.status for r in results} == {"ok"}
    assert len({r.model_dump_json() for r in results}) == 1
    executed = await audit.query(sessionmaker, action=action_id, event="executed")
    assert len(executed) == 1 and executed[0].bss_ref == "ref-1"


async def test_an_expired_quote_is_never_executed(
    sessionmaker: async_sessionmaker[Any], settings: Settings, conversation_id: str
) -> None:
    bss = CountingBss()
    action_id = await _propose(sessionmaker, conversation_id, ttl_s=10)
    later = utcnow() + timedelta(seconds=11)
    assert await actions.open_action(sessionmaker, conversation_id, now=later) is None
    result = await _confirm(sessionmaker, settings, bss, action_id, conversation_id, now=later)
    assert result.status == "expired" and bss.calls == []
    events = [e.event for e in await audit.query(sessionmaker, action=action_id)]
    assert events == ["proposed", "expired"]


async def test_declining_cancels_and_a_later_yes_does_nothing(
    sessionmaker: async_sessionmaker[Any], settings: Settings, conversation_id: str
) -> None:
    bss = CountingBss()
    action_id = await _propose(sessionmaker, conversation_id)
    declined = await actions.cancel(
        sessionmaker=sessionmaker,
        action_id=action_id,
        customer_id="cust-001",
        conversation_id=conversation_id,
        actor="customer",
    )
    late_yes = await _confirm(sessionmaker, settings, bss, action_id, conversation_id)
    assert declined.status == "cancelled" and late_yes.status == "cancelled"
    assert bss.calls == []


async def test_someone_elses_action_is_not_found(
    sessionmaker: async_sessionmaker[Any],
    settings: Settings,
    conversation_id: str,
    make_conversation: Any,
) -> None:
    bss = CountingBss()
    action_id = await _propose(sessionmaker, conversation_id)
    other_conversation = await make_conversation("cust-002")
    with pytest.raises(NotFoundError):
        await _confirm(
            sessionmaker, settings, bss, action_id, conversation_id, customer_id="cust-002"
        )
    with pytest.raises(NotFoundError):
        await _confirm(sessionmaker, settings, bss, action_id, other_conversation)
    assert bss.calls == []


async def test_a_new_quote_supersedes_the_open_one(
    sessionmaker: async_sessionmaker[Any], settings: Settings, conversation_id: str
) -> None:
    first = await _propose(sessionmaker, conversation_id)
    second = await _propose(sessionmaker, conversation_id)
    current = await actions.open_action(sessionmaker, conversation_id)
    assert current is not None and current.id == second
    result = await _confirm(sessionmaker, settings, CountingBss(), first, conversation_id)
    assert result.status == "cancelled"


async def test_expire_due_marks_old_quotes(
    sessionmaker: async_sessionmaker[Any], conversation_id: str
) -> None:
    await _propose(sessionmaker, conversation_id, ttl_s=10)
    assert await actions.expire_due(sessionmaker) == 0
    assert await actions.expire_due(sessionmaker, now=utcnow() + timedelta(seconds=11)) == 1
    assert await actions.expire_due(sessionmaker, now=utcnow() + timedelta(seconds=11)) == 0


async def test_a_business_failure_is_final_and_explained(
    sessionmaker: async_sessionmaker[Any], settings: Settings, conversation_id: str
) -> None:
    from tools.bss.errors import BssBusinessError

    bss = CountingBss(fail=BssBusinessError("INSUFFICIENT_BALANCE", "costs £10, credit £2.10"))
    action_id = await _propose(sessionmaker, conversation_id)
    result = await _confirm(sessionmaker, settings, bss, action_id, conversation_id)
    assert result.status == "failed"
    assert result.receipt is not None and "credit" in result.receipt["message"]
    assert (await _confirm(sessionmaker, settings, bss, action_id, conversation_id)) == result
    assert len(bss.calls) == 1


async def test_an_unreachable_bss_can_be_retried_with_the_same_key(
    sessionmaker: async_sessionmaker[Any], settings: Settings, conversation_id: str
) -> None:
    import httpx

    bss = CountingBss(fail=httpx.ConnectError("refused"))
    action_id = await _propose(sessionmaker, conversation_id)
    result = await _confirm(sessionmaker, settings, bss, action_id, conversation_id)
    assert result.status == "failed" and result.receipt is not None
    assert result.receipt["retryable"] is True and "person" in result.receipt["message"]
    bss.fail = None
    retried = await _confirm(sessionmaker, settings, bss, action_id, conversation_id)
    assert retried.status == "ok"
    assert bss.calls == [actions.idempotency_key_for(action_id)] * 2


async def test_an_execution_left_by_a_crashed_process_is_taken_over_with_the_same_key(
    sessionmaker: async_sessionmaker[Any], settings: Settings, conversation_id: str
) -> None:
    from sqlalchemy import update

    from switchboard.db.models import PendingAction

    bss = CountingBss()
    action_id = await _propose(sessionmaker, conversation_id)
    long_ago = utcnow() - timedelta(hours=1)
    async with sessionmaker() as session, session.begin():  # a process died mid-call
        await session.execute(
            update(PendingAction)
            .where(PendingAction.id == action_id)
            .values(status="executing", updated_at=long_ago)
        )
    results = await asyncio.gather(
        *(_confirm(sessionmaker, settings, bss, action_id, conversation_id) for _ in range(3))
    )
    assert {r.status for r in results} == {"ok"}
    assert bss.calls == [actions.idempotency_key_for(action_id)]
