"""set_call_feature against the real simulator."""

from __future__ import annotations

from tests.tools.conftest import CustomerContext
from tests.tools.helpers import action_id_of, confirm
from tools.bss import BssClient
from tools.registry import invoke_tool

ALICE, BEN, LIAM = "+447700900001", "+447700900002", "+447700900014"


async def test_call_waiting_is_turned_on(customer: CustomerContext, bss: BssClient) -> None:
    ctx = await customer(LIAM)
    quoted = await invoke_tool(
        ctx, "set_call_feature", {"feature": "call_waiting", "enabled": True}
    )
    assert quoted.summary.startswith("Turn call waiting on for +447700900014")
    assert (await confirm(ctx, action_id_of(quoted))).status == "ok"
    line = await bss.get_product(customer_id="cust-014", product_id="line-900014")
    assert line.call_waiting is True


async def test_calls_are_forwarded_to_a_normalised_number(
    customer: CustomerContext, bss: BssClient
) -> None:
    ctx = await customer(ALICE)
    quoted = await invoke_tool(
        ctx,
        "set_call_feature",
        {"feature": "call_forwarding", "enabled": True, "forward_to": "07700 900123"},
    )
    assert "+447700900123" in quoted.summary
    assert (await confirm(ctx, action_id_of(quoted))).status == "ok"
    line = await bss.get_product(customer_id="cust-001", product_id="line-900001")
    assert line.call_forwarding == "+447700900123"
    off = await invoke_tool(
        ctx, "set_call_feature", {"feature": "call_forwarding", "enabled": False}
    )
    assert (await confirm(ctx, action_id_of(off))).status == "ok"
    line = await bss.get_product(customer_id="cust-001", product_id="line-900001")
    assert line.call_forwarding == "off"


async def test_rules_and_foreign_lines(customer: CustomerContext) -> None:
    alice = await customer(ALICE)
    same = await invoke_tool(alice, "set_call_feature", {"feature": "voicemail", "enabled": True})
    assert same.ok and same.proposed is None and "already on" in same.summary
    busy = await invoke_tool(
        alice,
        "set_call_feature",
        {
            "feature": "call_forwarding",
            "enabled": True,
            "forward_to": "07700900123",
            "condition": "busy",
        },
    )
    assert busy.code == "unsupported"
    loop = await invoke_tool(
        alice,
        "set_call_feature",
        {"feature": "call_forwarding", "enabled": True, "forward_to": ALICE},
    )
    assert loop.code == "invalid_input"
    missing = await invoke_tool(
        alice, "set_call_feature", {"feature": "call_forwarding", "enabled": True}
    )
    assert missing.code == "invalid_input" and "forward" in missing.summary
    foreign = await invoke_tool(
        alice, "set_call_feature", {"feature": "caller_id", "enabled": False, "msisdn": BEN}
    )
    assert foreign.code == "not_yours"
