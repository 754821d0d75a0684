"""start_service_request against the real simulator."""

from __future__ import annotations

import pytest

from tests.tools.conftest import CustomerContext
from tests.tools.helpers import action_id_of, confirm
from tools.bss import BssClient
from tools.registry import invoke_tool, requote

pytestmark = pytest.mark.dated  # the demo world seeded at the clock's today

ALICE, BEN, CHLOE, FARID = "+447700900001", "+447700900002", "+447700900003", "+447700900006"


async def test_a_blocked_line_gets_a_replacement_sim(
    customer: CustomerContext, bss: BssClient
) -> None:
    ctx = await customer(FARID)
    quoted = await invoke_tool(ctx, "start_service_request", {"kind": "sim_swap"})
    assert "replacement SIM" in quoted.summary
    result = await confirm(ctx, action_id_of(quoted))
    assert result.status == "ok" and result.receipt is not None
    request = await bss.get_service_request(
        customer_id="cust-006", request_id=result.receipt["bss_ref"]
    )
    assert request.kind == "sim_swap" and request.product_id == "line-900006"


async def test_a_number_is_ported_in_with_its_pac(
    customer: CustomerContext, bss: BssClient
) -> None:
    ctx = await customer(ALICE)
    quoted = await invoke_tool(
        ctx,
        "start_service_request",
        {"kind": "port_in", "port_msisdn": "07700 900555", "pac_code": "abc123456"},
    )
    assert "+447700900555" in quoted.summary and "ABC123456" in quoted.summary
    fresh = await requote(ctx, action_id_of(quoted))  # the stored arguments quote again
    assert fresh.proposed is not None and fresh.summary == quoted.summary
    result = await confirm(ctx, fresh.proposed.action_id)
    assert result.receipt is not None
    request = await bss.get_service_request(
        customer_id="cust-001", request_id=result.receipt["bss_ref"]
    )
    assert request.characteristics["portingMsisdn"] == "+447700900555"


async def test_broadband_installation_is_quoted_from_the_catalog(customer: CustomerContext) -> None:
    chloe = await customer(CHLOE)
    quoted = await invoke_tool(
        chloe,
        "start_service_request",
        {"kind": "broadband_installation", "postcode": "SW1A 1AA", "offer_id": "fibre-500"},
    )
    assert quoted.proposed is not None and quoted.proposed.amount == 38.0
    assert "Home Fibre 500" in quoted.summary and "18-month" in quoted.summary
    assert (await confirm(chloe, action_id_of(quoted))).status == "ok"
    no_fibre = await invoke_tool(
        chloe, "start_service_request", {"kind": "broadband_installation", "postcode": "IV1 1AA"}
    )
    assert no_fibre.code == "NO_FIBRE_AT_ADDRESS"
    prepaid = await invoke_tool(
        await customer(ALICE),
        "start_service_request",
        {"kind": "broadband_installation", "postcode": "M1 1AE"},
    )
    assert prepaid.code == "INELIGIBLE_OFFERING"


async def test_refusals(customer: CustomerContext) -> None:
    alice = await customer(ALICE)
    cases = [
        ({"kind": "port_in", "port_msisdn": "07700900555", "pac_code": "12"}, "invalid_input"),
        ({"kind": "port_in", "port_msisdn": ALICE, "pac_code": "ABC123456"}, "invalid_input"),
        (
            {"kind": "port_in", "port_msisdn": "+12025550123", "pac_code": "ABC123456"},
            "INVALID_NUMBER",
        ),
        ({"kind": "device_activation"}, "invalid_input"),
        ({"kind": "esim", "msisdn": BEN}, "not_yours"),
        ({"kind": "esim", "preferred_date": "2020-01-01"}, "invalid_input"),
        (
            {"kind": "broadband_installation", "postcode": "M1", "offer_id": "unlimited"},
            "INELIGIBLE_OFFERING",
        ),
    ]
    for args, code in cases:
        outcome = await invoke_tool(alice, "start_service_request", args)
        assert outcome.code == code, (args, outcome.summary)
