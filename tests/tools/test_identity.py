"""Identity comes from the turn, never from arguments: every tool that names a line refuses
someone else's number, and nothing about that line leaks or gets quoted."""

from __future__ import annotations

from typing import Any

import pytest

from tests.tools.conftest import CustomerContext
from tools import actions, audit
from tools.registry import TOOL_SPECS, invoke_tool

ALICE, BEN = "+447700900001", "+447700900002"  # Ben: prepaid, credit £2.10, on payg

MINIMAL: dict[str, dict[str, Any]] = {
    "get_account_overview": {},
    "get_usage": {},
    "list_offers": {},
    "top_up": {"amount": 10},
    "change_plan": {"offer_id": "bundle-20"},
    "renew_plan": {},
    "buy_addon": {"offer_id": "data-1gb"},
    "set_spending_cap": {"amount": 10},
    "set_roaming": {"enabled": True},
    "set_call_feature": {"feature": "voicemail", "enabled": False},
    "report_fault": {"kind": "no_signal", "description": "none"},
    "block_line": {"reason": "lost"},
    "unblock_line": {},
    "start_service_request": {"kind": "esim"},
}


def test_every_tool_that_names_a_line_is_covered() -> None:
    assert {n for n, s in TOOL_SPECS.items() if "msisdn" in s.args_model.model_fields} == set(
        MINIMAL
    )


@pytest.mark.parametrize("tool", sorted(MINIMAL))
async def test_someone_elses_number_is_refused(customer: CustomerContext, tool: str) -> None:
    ctx = await customer(ALICE)
    outcome = await invoke_tool(ctx, tool, {**MINIMAL[tool], "msisdn": BEN})
    assert outcome.status == "error" and outcome.code == "not_yours", outcome.summary
    assert outcome.proposed is None and outcome.data == {}
    assert "2.10" not in outcome.render() and "Ben" not in outcome.render()
    assert await actions.open_action(ctx.sessionmaker, ctx.conversation_id) is None
    refused = await audit.query(ctx.sessionmaker, customer_id="cust-001", event="refused")
    if TOOL_SPECS[tool].is_write:  # a refused write is on the audit trail
        assert [(e.tool, (e.detail or "").split(":")[0]) for e in refused] == [(tool, "not_yours")]
        assert refused[0].args is not None and refused[0].args["msisdn"] == BEN
    else:
        assert refused == []


async def test_a_customer_id_argument_is_refused_not_obeyed(customer: CustomerContext) -> None:
    ctx = await customer(ALICE)
    outcome = await invoke_tool(ctx, "get_account_overview", {"customer_id": "cust-002"})
    assert outcome.code == "invalid_input"
    mine = await invoke_tool(ctx, "get_account_overview", {})
    assert mine.data["msisdn"] == ALICE
