"""block_line and unblock_line against the real simulator."""

from __future__ import annotations

from tests.tools.conftest import CustomerContext
from tests.tools.helpers import action_id_of, confirm
from tools.bss import BssClient
from tools.registry import invoke_tool

ALICE, BEN, FARID = "+447700900001", "+447700900002", "+447700900006"


async def test_a_stolen_phone_is_blocked_after_confirmation(
    customer: CustomerContext, bss: BssClient
) -> None:
    ctx = await customer(ALICE)
    quoted = await invoke_tool(ctx, "block_line", {"reason": "stolen"})
    assert "stolen" in quoted.summary and "identity check" in quoted.summary
    assert (
        await bss.get_product(customer_id="cust-001", product_id="line-900001")
    ).status == "active"
    assert (await confirm(ctx, action_id_of(quoted))).status == "ok"
    line = await bss.get_product(customer_id="cust-001", product_id="line-900001")
    assert line.status == "suspended" and line.suspension_reason == "stolen"


async def test_an_unverified_channel_needs_step_up(customer: CustomerContext) -> None:
    outcome = await invoke_tool(
        await customer(ALICE, verified=False), "block_line", {"reason": "lost"}
    )
    assert outcome.code == "step_up_required" and outcome.proposed is None


async def test_refusals(customer: CustomerContext, bss: BssClient) -> None:
    already = await invoke_tool(await customer(FARID), "block_line", {"reason": "lost"})
    assert already.ok and already.proposed is None and "already blocked" in already.summary
    foreign = await invoke_tool(
        await customer(ALICE), "block_line", {"reason": "stolen", "msisdn": BEN}
    )
    assert foreign.code == "not_yours"
    assert (
        await bss.get_product(customer_id="cust-002", product_id="line-900002")
    ).status == "active"


async def test_a_found_phone_is_unblocked_after_confirmation(
    customer: CustomerContext, bss: BssClient
) -> None:
    ctx = await customer(FARID)  # his line is blocked as lost in the demo world
    quoted = await invoke_tool(ctx, "unblock_line", {})
    assert quoted.proposed is not None and "Unblock +447700900006" in quoted.summary
    assert (
        await bss.get_product(customer_id="cust-006", product_id="line-900006")
    ).status == "suspended"
    assert (await confirm(ctx, action_id_of(quoted))).status == "ok"
    line = await bss.get_product(customer_id="cust-006", product_id="line-900006")
    assert line.status == "active"
    again = await invoke_tool(ctx, "unblock_line", {})
    assert again.ok and again.proposed is None and "isn't blocked" in again.summary


async def test_block_then_unblock_round_trip(customer: CustomerContext, bss: BssClient) -> None:
    ctx = await customer(ALICE)
    assert (
        await confirm(ctx, action_id_of(await invoke_tool(ctx, "block_line", {"reason": "lost"})))
    ).status == "ok"
    assert (
        await confirm(ctx, action_id_of(await invoke_tool(ctx, "unblock_line", {})))
    ).status == "ok"
    line = await bss.get_product(customer_id="cust-001", product_id="line-900001")
    assert line.status == "active"


async def test_unblock_needs_step_up_and_leaves_a_fraud_block_to_a_person(
    customer: CustomerContext, bss: BssClient
) -> None:
    unverified = await invoke_tool(await customer(FARID, verified=False), "unblock_line", {})
    assert unverified.code == "step_up_required" and unverified.proposed is None
    ctx = await customer(ALICE)
    await bss.block_line(
        customer_id="cust-001", product_id="line-900001", idempotency_key="fr", reason="fraud"
    )
    refused = await invoke_tool(ctx, "unblock_line", {})
    assert refused.code == "needs_agent" and refused.proposed is None
    assert (
        await bss.get_product(customer_id="cust-001", product_id="line-900001")
    ).status == "suspended"
