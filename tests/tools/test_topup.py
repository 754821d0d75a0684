"""top_up against the real simulator: quote → confirm → one charge; limits; foreign lines."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from switchboard.db.models import utcnow
from tests.tools.conftest import CustomerContext
from tests.tools.helpers import action_id_of, confirm, unreachable_bss
from tools import actions, audit
from tools.bss import BssClient
from tools.context import TurnContext
from tools.registry import invoke_tool, requote

pytestmark = pytest.mark.dated  # the demo world seeded at the clock's today

ALICE = "+447700900001"  # prepaid, credit £7.50
BEN = "+447700900002"  # prepaid, someone else
CHLOE = "+447700900003"  # postpaid


async def credit(bss: BssClient, ctx: TurnContext, product_id: str = "line-900001") -> Decimal:
    overview = await bss.get_line_overview(customer_id=ctx.customer_id or "", product_id=product_id)
    assert overview.credit is not None
    return overview.credit  # type: ignore[no-any-return]


async def test_a_confirmed_top_up_adds_credit_once_and_the_audit_reads_correctly(
    customer: CustomerContext, bss: BssClient
) -> None:
    ctx = await customer(ALICE)
    quoted = await invoke_tool(ctx, "top_up", {"amount": 10})
    assert quoted.proposed is not None and quoted.proposed.amount == 10.0
    assert "£10" in quoted.summary and "£7.50" in quoted.summary and "£17.50" in quoted.summary
    assert await credit(bss, ctx) == Decimal("7.50")  # a quote moves no money

    result = await confirm(ctx, action_id_of(quoted))
    assert result.status == "ok" and result.receipt is not None
    assert result.receipt["balance_after"] == "17.50"
    assert await credit(bss, ctx) == Decimal("17.50")

    trail = await audit.query(ctx.sessionmaker, action=action_id_of(quoted))
    assert [(e.event, e.customer_id, e.tool, e.amount, e.currency) for e in trail] == [
        ("proposed", "cust-001", "top_up", Decimal("10.00"), "GBP"),
        ("confirmed", "cust-001", "top_up", Decimal("10.00"), "GBP"),
        ("executed", "cust-001", "top_up", Decimal("10.00"), "GBP"),
    ]
    assert trail[0].actor.startswith("assistant:") and trail[1].actor == "customer:cust-001"
    assert trail[2].bss_ref == result.receipt["bss_ref"] and trail[2].bss_ref
    assert trail[0].args is not None and trail[0].args["msisdn"] == ALICE


async def test_parallel_and_replayed_confirmations_charge_once(
    customer: CustomerContext, bss: BssClient
) -> None:
    ctx = await customer(ALICE)
    action_id = action_id_of(await invoke_tool(ctx, "top_up", {"amount": "20"}))
    results = await asyncio.gather(*(confirm(ctx, action_id) for _ in range(3)))
    replay = await confirm(ctx, action_id)
    assert await credit(bss, ctx) == Decimal("27.50")
    assert {r.status for r in results} == {"ok"} and replay == results[0]
    assert len({r.model_dump_json() for r in results}) == 1
    topups = await bss.topped_up_today(customer_id="cust-001", product_id="line-900001")
    assert topups == Decimal("20.00")
    executed = await audit.query(ctx.sessionmaker, action=action_id, event="executed")
    assert len(executed) == 1


@pytest.mark.parametrize(
    ("amount", "message"),
    [(3, "smallest top-up is £5"), ("60", "largest single top-up is £50")],
)
async def test_amounts_outside_the_per_transaction_limits_are_refused(
    customer: CustomerContext, bss: BssClient, amount: Any, message: str
) -> None:
    ctx = await customer(ALICE)
    outcome = await invoke_tool(ctx, "top_up", {"amount": amount})
    assert outcome.code == "limit_exceeded" and message in outcome.summary
    assert outcome.proposed is None
    assert await actions.open_action(ctx.sessionmaker, ctx.conversation_id) is None
    assert await credit(bss, ctx) == Decimal("7.50")


async def test_the_daily_limit_counts_todays_top_ups(customer: CustomerContext) -> None:
    ctx = await customer(ALICE)
    for amount in (50, 45):
        result = await confirm(
            ctx, action_id_of(await invoke_tool(ctx, "top_up", {"amount": amount}))
        )
        assert result.status == "ok"
    outcome = await invoke_tool(ctx, "top_up", {"amount": 10})
    assert outcome.code == "limit_exceeded"
    assert "daily top-up limit is £100" in outcome.summary and "£5" in outcome.summary


async def test_two_open_quotes_cannot_add_up_past_the_limit(customer: CustomerContext) -> None:
    ctx = await customer(ALICE)
    first = action_id_of(await invoke_tool(ctx, "top_up", {"amount": 50}))
    other = dataclasses.replace(ctx, conversation_id=(await customer(ALICE)).conversation_id)
    second = action_id_of(await invoke_tool(other, "top_up", {"amount": 50}))
    third = action_id_of(
        await invoke_tool(
            dataclasses.replace(ctx, conversation_id=(await customer(ALICE)).conversation_id),
            "top_up",
            {"amount": 50},
        )
    )
    assert (await confirm(ctx, first)).status == "ok"
    assert (await confirm(other, second)).status == "ok"
    late = await actions.get_action(ctx.sessionmaker, third)
    assert late is not None
    third_ctx = dataclasses.replace(ctx, conversation_id=late.conversation_id)
    refused = await confirm(third_ctx, third)
    assert refused.status == "failed" and refused.receipt is not None
    assert "daily top-up limit" in refused.receipt["message"]


async def test_the_daily_spend_cap_applies(customer: CustomerContext) -> None:
    ctx = await customer(ALICE)
    capped = dataclasses.replace(
        ctx, settings=ctx.settings.model_copy(update={"daily_spend_cap": 60.0})
    )
    assert (
        await confirm(capped, action_id_of(await invoke_tool(capped, "top_up", {"amount": 50})))
    ).status == "ok"
    outcome = await invoke_tool(capped, "top_up", {"amount": 20})
    assert outcome.code == "limit_exceeded" and "£60" in outcome.summary


async def test_mia_has_already_topped_up_90_today(customer: CustomerContext) -> None:
    ctx = await customer("+447700900015")
    outcome = await invoke_tool(ctx, "top_up", {"amount": 20})
    assert outcome.code == "limit_exceeded"
    assert "£90" in outcome.summary and "£10" in outcome.summary


async def test_someone_elses_number_is_refused(customer: CustomerContext, bss: BssClient) -> None:
    ctx = await customer(ALICE)
    outcome = await invoke_tool(ctx, "top_up", {"amount": 10, "msisdn": BEN})
    assert outcome.code == "not_yours" and BEN in outcome.summary
    assert "Ben" not in outcome.render()
    ben = await customer(BEN)
    assert await credit(bss, ben, "line-900002") == Decimal("2.10")
    assert await actions.open_action(ctx.sessionmaker, ctx.conversation_id) is None


async def test_a_pay_monthly_line_takes_no_top_ups(customer: CustomerContext) -> None:
    outcome = await invoke_tool(await customer(CHLOE), "top_up", {"amount": 10})
    assert outcome.code == "not_prepaid" and "bill" in outcome.summary


async def test_an_expired_quote_is_requoted_never_executed(
    customer: CustomerContext, bss: BssClient
) -> None:
    ctx = await customer(ALICE)
    action_id = action_id_of(await invoke_tool(ctx, "top_up", {"amount": 15}))
    later = utcnow() + timedelta(seconds=ctx.settings.action_ttl_s + 1)
    late = await confirm(ctx, action_id, now=later)
    assert late.status == "expired" and await credit(bss, ctx) == Decimal("7.50")
    fresh = await requote(ctx, action_id)
    assert fresh.proposed is not None and fresh.proposed.action_id != action_id
    assert fresh.proposed.args["amount"] == "15.00"
    trail = [(e.event, e.action_id) for e in await audit.query(ctx.sessionmaker, action="top_up")]
    assert trail == [
        ("proposed", action_id),
        ("expired", action_id),
        ("proposed", fresh.proposed.action_id),
    ]


async def test_an_unreachable_bss_is_a_safe_message_and_an_offer_of_a_person(
    customer: CustomerContext,
) -> None:
    ctx = dataclasses.replace(await customer(ALICE), bss=unreachable_bss())
    outcome = await invoke_tool(ctx, "top_up", {"amount": 10})
    assert outcome.code == "bss_unavailable" and outcome.offer_human
    assert "nothing has been changed" in outcome.summary
    assert "Error" not in outcome.render() and "http" not in outcome.render().lower()
    await ctx.bss.aclose()


@given(amount=st.decimals(min_value="0.01", max_value="500", places=2))
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
async def test_any_amount_is_quoted_within_the_limits_or_refused(
    customer: CustomerContext, amount: Decimal
) -> None:
    ctx = await customer(ALICE)
    outcome = await invoke_tool(ctx, "top_up", {"amount": str(amount)})
    if Decimal(5) <= amount <= Decimal(50):
        assert outcome.proposed is not None and outcome.proposed.amount == float(amount)
    else:
        assert outcome.code == "limit_exceeded" and outcome.proposed is None


async def test_a_bss_outage_during_execution_charges_once_when_retried(
    customer: CustomerContext, bss: BssClient
) -> None:
    ctx = await customer(ALICE)
    action_id = action_id_of(await invoke_tool(ctx, "top_up", {"amount": 10}))
    down = dataclasses.replace(ctx, bss=unreachable_bss())
    failed = await confirm(down, action_id)
    await down.bss.aclose()
    assert failed.status == "failed" and failed.receipt is not None
    assert failed.receipt["retryable"] is True and "person" in failed.receipt["message"]
    # the outcome is unknown, so the customer is not told that nothing changed
    assert "nothing has been changed" not in failed.receipt["message"]
    assert "can't confirm yet" in failed.receipt["message"]
    assert await credit(bss, ctx) == Decimal("7.50")
    retried = await confirm(ctx, action_id)
    assert retried.status == "ok" and await credit(bss, ctx) == Decimal("17.50")
    assert await confirm(ctx, action_id) == retried
    events = [e.event for e in await audit.query(ctx.sessionmaker, action=action_id)]
    assert events == ["proposed", "confirmed", "failed", "executed", "replayed"]
