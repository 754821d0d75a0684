"""block_line against the real simulator."""

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
