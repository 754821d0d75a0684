"""report_fault against the real simulator."""

from __future__ import annotations

import pytest

from tests.tools.conftest import CustomerContext
from tests.tools.helpers import action_id_of, confirm
from tools.bss import BssClient
from tools.registry import invoke_tool

pytestmark = pytest.mark.dated  # the demo world seeded at the clock's today

ALICE, BEN, HARRY, KATIE = "+447700900001", "+447700900002", "+447700900010", "+447700900013"


async def test_a_fault_in_the_outage_area_mentions_the_outage(
    customer: CustomerContext, bss: BssClient
) -> None:
    ctx = await customer(KATIE)
    quoted = await invoke_tool(
        ctx,
        "report_fault",
        {"kind": "no_signal", "description": "No signal at home since this morning"},
    )
    assert quoted.proposed is not None and "LS2" in quoted.summary
    assert "OUT-4101" in quoted.summary and quoted.data["outages"][0]["ref"] == "OUT-4101"
    result = await confirm(ctx, action_id_of(quoted))
    assert result.status == "ok" and result.receipt is not None
    ticket = await bss.get_ticket(customer_id="cust-013", ticket_id=result.receipt["bss_ref"])
    assert ticket.ticket_type == "fault" and ticket.product_id == "line-900013"
    assert "No signal at home" in ticket.description


async def test_a_broadband_fault_is_about_the_broadband(
    customer: CustomerContext, bss: BssClient
) -> None:
    ctx = await customer(HARRY)
    quoted = await invoke_tool(
        ctx,
        "report_fault",
        {"kind": "broadband_down", "description": "Router lights red", "postcode": "M1 1AE"},
    )
    assert "Known issue" not in quoted.summary
    result = await confirm(ctx, action_id_of(quoted))
    assert result.receipt is not None
    ticket = await bss.get_ticket(customer_id="cust-010", ticket_id=result.receipt["bss_ref"])
    line = await bss.get_product(customer_id="cust-010", product_id=ticket.product_id or "")
    assert line.kind == "broadband"


async def test_refusals(customer: CustomerContext) -> None:
    alice = await customer(ALICE)
    no_broadband = await invoke_tool(
        alice, "report_fault", {"kind": "broadband_slow", "description": "slow"}
    )
    assert no_broadband.code == "no_broadband"
    foreign = await invoke_tool(
        alice, "report_fault", {"kind": "no_signal", "description": "none", "msisdn": BEN}
    )
    assert foreign.code == "not_yours"
    empty = await invoke_tool(alice, "report_fault", {"kind": "no_signal", "description": "  "})
    assert empty.code == "invalid_input"
