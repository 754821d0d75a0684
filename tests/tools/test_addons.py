"""buy_addon and set_spending_cap against the real simulator."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.tools.conftest import CustomerContext
from tests.tools.helpers import action_id_of, confirm
from tools.bss import BssClient
from tools.registry import invoke_tool

pytestmark = pytest.mark.dated  # the demo world seeded at the clock's today

ALICE, BEN, DANIEL, FARID, LIAM = (
    "+447700900001",
    "+447700900002",
    "+447700900004",
    "+447700900006",
    "+447700900014",
)


async def test_an_addon_is_bought_from_credit_after_confirmation(
    customer: CustomerContext, bss: BssClient
) -> None:
    ctx = await customer(ALICE)
    quoted = await invoke_tool(ctx, "buy_addon", {"offer_id": "data-1gb"})
    assert quoted.proposed is not None and quoted.proposed.amount == 3.0
    assert "taken from your credit now" in quoted.summary
    assert (await confirm(ctx, action_id_of(quoted))).status == "ok"
    overview = await bss.get_line_overview(customer_id="cust-001", product_id="line-900001")
    assert overview.credit == Decimal("4.50")
    assert [a.offering_id for a in overview.addons] == ["data-1gb"]


async def test_business_rules_become_explanations(customer: CustomerContext) -> None:
    prepaid = await invoke_tool(await customer(ALICE), "buy_addon", {"offer_id": "data-20gb"})
    assert prepaid.summary == "20GB Data Boost isn't available on a prepaid line."
    unlimited = await invoke_tool(await customer(DANIEL), "buy_addon", {"offer_id": "data-5gb"})
    assert unlimited.code == "INELIGIBLE_OFFERING" and "unlimited" in unlimited.summary.lower()
    poor = await invoke_tool(await customer(BEN), "buy_addon", {"offer_id": "data-5gb"})
    assert poor.code == "INSUFFICIENT_BALANCE" and "£2.10" in poor.summary
    suspended = await invoke_tool(await customer(FARID), "buy_addon", {"offer_id": "data-1gb"})
    assert suspended.code == "LINE_SUSPENDED" and suspended.offer_human
    unknown = await invoke_tool(await customer(ALICE), "buy_addon", {"offer_id": "free-data"})
    assert unknown.code == "unknown_offer"


async def test_someone_elses_line_is_refused(customer: CustomerContext, bss: BssClient) -> None:
    outcome = await invoke_tool(
        await customer(ALICE), "buy_addon", {"offer_id": "data-1gb", "msisdn": BEN}
    )
    assert outcome.code == "not_yours"
    ben = await bss.get_line_overview(customer_id="cust-002", product_id="line-900002")
    assert ben.addons == [] and ben.credit == Decimal("2.10")


async def test_a_spending_cap_is_changed_after_confirmation(
    customer: CustomerContext, bss: BssClient
) -> None:
    ctx = await customer(LIAM)
    quoted = await invoke_tool(ctx, "set_spending_cap", {"amount": 50})
    assert quoted.proposed is not None and quoted.proposed.amount is None
    assert "£50" in quoted.summary and "currently £20" in quoted.summary
    assert (await confirm(ctx, action_id_of(quoted))).status == "ok"
    line = await bss.get_product(customer_id="cust-014", product_id="line-900014")
    assert line.spending_cap == Decimal("50.00")
    removed = await invoke_tool(ctx, "set_spending_cap", {})
    assert (await confirm(ctx, action_id_of(removed))).status == "ok"
    line = await bss.get_product(customer_id="cust-014", product_id="line-900014")
    assert line.spending_cap is None


async def test_spending_cap_rules(customer: CustomerContext) -> None:
    liam = await customer(LIAM)
    same = await invoke_tool(liam, "set_spending_cap", {"amount": 20})
    assert same.ok and same.proposed is None and same.data["unchanged"] is True
    high = await invoke_tool(liam, "set_spending_cap", {"amount": 150})
    assert high.code == "limit_exceeded" and "£100" in high.summary
    prepaid = await invoke_tool(await customer(ALICE), "set_spending_cap", {"amount": 10})
    assert prepaid.code == "not_postpaid"


async def test_a_refusal_at_execution_is_explained_and_final(
    customer: CustomerContext, bss: BssClient
) -> None:
    ctx = await customer(ALICE)  # credit £7.50
    world = await invoke_tool(ctx, "buy_addon", {"offer_id": "intl-minutes-500"})  # £5
    other = await customer(ALICE)
    boost = await invoke_tool(other, "buy_addon", {"offer_id": "data-1gb"})  # £3
    assert (await confirm(ctx, action_id_of(world))).status == "ok"  # credit now £2.50
    result = await confirm(other, action_id_of(boost))
    assert result.status == "failed" and result.receipt is not None
    assert result.receipt["error"] == "INSUFFICIENT_BALANCE"
    assert "top-up" in result.receipt["message"]
    assert await confirm(other, action_id_of(boost)) == result
    overview = await bss.get_line_overview(customer_id="cust-001", product_id="line-900001")
    assert overview.credit == Decimal("2.50")
