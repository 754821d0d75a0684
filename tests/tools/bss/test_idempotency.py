"""Idempotency-Key semantics under concurrency, in-process and over a real socket."""

from __future__ import annotations

import asyncio
import time
from decimal import Decimal

import pytest

from tools.bss.client import BssClient
from tools.bss.errors import BssBusinessError, BssConflictError

pytestmark = pytest.mark.dated  # the demo world seeded at the clock's today

BEN, BEN_LINE = "cust-002", "line-900002"


async def credit_of(bss: BssClient, customer: str, line: str) -> Decimal:
    overview = await bss.get_line_overview(customer_id=customer, product_id=line)
    assert overview.credit is not None
    return overview.credit


async def test_100_concurrent_identical_top_ups_change_the_balance_once(bss: BssClient) -> None:
    before = await credit_of(bss, BEN, BEN_LINE)
    started = time.perf_counter()
    results = await asyncio.gather(
        *[
            bss.top_up(
                customer_id=BEN,
                product_id=BEN_LINE,
                amount=Decimal(10),
                idempotency_key="topup-ben-once",
            )
            for _ in range(100)
        ]
    )
    elapsed = time.perf_counter() - started
    assert {r.id for r in results} == {results[0].id}
    assert await credit_of(bss, BEN, BEN_LINE) == before + 10
    assert await bss.topped_up_today(customer_id=BEN, product_id=BEN_LINE) == Decimal(10)
    print(f"100 same-key top-ups: {elapsed:.2f}s")


async def test_100_concurrent_top_ups_with_different_keys_respect_the_daily_limit(
    bss: BssClient,
) -> None:
    before = await credit_of(bss, BEN, BEN_LINE)

    async def one(i: int) -> str:
        try:
            await bss.top_up(
                customer_id=BEN,
                product_id=BEN_LINE,
                amount=Decimal(10),
                idempotency_key=f"topup-ben-{i}",
            )
            return "ok"
        except BssBusinessError as exc:
            return exc.code

    outcomes = await asyncio.gather(*[one(i) for i in range(100)])
    assert outcomes.count("ok") == 10
    assert outcomes.count("TOPUP_DAILY_LIMIT") == 90
    assert await credit_of(bss, BEN, BEN_LINE) == before + 100


async def test_daily_limit_counts_what_was_topped_up_earlier_today(bss: BssClient) -> None:
    # Mia has already topped up £90 today (demo world)
    mia, line = "cust-015", "line-900015"
    assert await bss.topped_up_today(customer_id=mia, product_id=line) == Decimal(90)
    with pytest.raises(BssBusinessError) as refused:
        await bss.top_up(
            customer_id=mia, product_id=line, amount=Decimal(20), idempotency_key="mia-20"
        )
    assert refused.value.code == "TOPUP_DAILY_LIMIT"
    assert "£10.00" in refused.value.reason
    done = await bss.top_up(
        customer_id=mia, product_id=line, amount=Decimal(10), idempotency_key="mia-10"
    )
    assert done.balance_after == Decimal("14.00")


async def test_same_key_different_body_is_a_conflict(bss: BssClient) -> None:
    first = await bss.top_up(
        customer_id=BEN, product_id=BEN_LINE, amount=Decimal(5), idempotency_key="k-conflict"
    )
    again = await bss.top_up(
        customer_id=BEN, product_id=BEN_LINE, amount=Decimal(5), idempotency_key="k-conflict"
    )
    assert again == first
    with pytest.raises(BssConflictError):
        await bss.top_up(
            customer_id=BEN, product_id=BEN_LINE, amount=Decimal(6), idempotency_key="k-conflict"
        )


async def test_a_refusal_is_not_remembered_under_its_key(bss: BssClient) -> None:
    """Insufficient credit, then a top-up, then the same order with the same key succeeds."""
    ben = "cust-002"
    with pytest.raises(BssBusinessError) as refused:
        await bss.change_plan(
            customer_id=ben, product_id=BEN_LINE, offering_id="bundle-20", idempotency_key="plan-1"
        )
    assert refused.value.code == "INSUFFICIENT_BALANCE"
    await bss.top_up(
        customer_id=ben, product_id=BEN_LINE, amount=Decimal(20), idempotency_key="plan-topup"
    )
    order = await bss.change_plan(
        customer_id=ben, product_id=BEN_LINE, offering_id="bundle-20", idempotency_key="plan-1"
    )
    assert order.charged_now == Decimal("20.00")
