"""set_roaming against the real simulator."""

from __future__ import annotations

from tests.tools.conftest import CustomerContext
from tests.tools.helpers import action_id_of, confirm, decline
from tools.bss import BssClient
from tools.registry import invoke_tool

ALICE, BEN, EMMA, FARID = "+447700900001", "+447700900002", "+447700900005", "+447700900006"


async def test_roaming_is_switched_on_after_confirmation(
    customer: CustomerContext, bss: BssClient
) -> None:
    ctx = await customer(ALICE)
    quoted = await invoke_tool(ctx, "set_roaming", {"enabled": True})
    assert "doesn't include roaming" in quoted.summary
    assert (
        await bss.get_product(customer_id="cust-001", product_id="line-900001")
    ).roaming is False
    assert (await confirm(ctx, action_id_of(quoted))).status == "ok"
    assert (await bss.get_product(customer_id="cust-001", product_id="line-900001")).roaming is True


async def test_declining_leaves_roaming_as_it_was(
    customer: CustomerContext, bss: BssClient
) -> None:
    ctx = await customer(EMMA)
    quoted = await invoke_tool(ctx, "set_roaming", {"enabled": False})
    assert "won't be able to" in quoted.summary
    assert (await decline(ctx, action_id_of(quoted))).status == "cancelled"
    assert (await bss.get_product(customer_id="cust-005", product_id="line-900005")).roaming is True


async def test_rules_and_foreign_lines(customer: CustomerContext) -> None:
    already = await invoke_tool(await customer(EMMA), "set_roaming", {"enabled": True})
    assert already.ok and already.proposed is None and "already on" in already.summary
    suspended = await invoke_tool(await customer(FARID), "set_roaming", {"enabled": True})
    assert suspended.code == "LINE_SUSPENDED"
    foreign = await invoke_tool(
        await customer(ALICE), "set_roaming", {"enabled": True, "msisdn": BEN}
    )
    assert foreign.code == "not_yours"
