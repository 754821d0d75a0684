"""list_offers, change_plan and renew_plan against the real simulator."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.tools.conftest import CustomerContext
from tests.tools.helpers import action_id_of, confirm, decline
from tools import audit
from tools.bss import BssClient
from tools.registry import invoke_tool

pytestmark = pytest.mark.dated  # the demo world seeded at the clock's today

ALICE, BEN, CHLOE = "+447700900001", "+447700900002", "+447700900003"
KATIE, LIAM = "+447700900013", "+447700900014"


async def plan_of(bss: BssClient, customer_id: str, product_id: str) -> str | None:
    line = await bss.get_product(customer_id=customer_id, product_id=product_id)
    return line.offering_id  # type: ignore[no-any-return]


async def test_offers_are_the_eligible_ones_with_catalog_prices(customer: CustomerContext) -> None:
    outcome = await invoke_tool(await customer(ALICE), "list_offers", {"kind": "all"})
    assert outcome.ok
    plans = {p["offer_id"]: p for p in outcome.data["plans"]}
    addons = {a["offer_id"]: a for a in outcome.data["addons"]}
    assert set(plans) == {"payg", "bundle-20"}  # prepaid plans other than her own
    assert plans["bundle-20"]["price"] == "20.00" and plans["bundle-20"]["change"] == "upgrade"
    assert "data-1gb" in addons and "data-20gb" not in addons and "payg-texts" not in addons
    assert outcome.data["current_plan"]["offer_id"] == "bundle-10"


async def test_an_upgrade_is_quoted_then_done_on_confirmation(
    customer: CustomerContext, bss: BssClient
) -> None:
    ctx = await customer(CHLOE)
    quoted = await invoke_tool(ctx, "change_plan", {"offer_id": "unlimited"})
    assert quoted.proposed is not None and quoted.proposed.amount == 25.0
    assert "Smart 30GB" in quoted.summary and "Unlimited" in quoted.summary
    assert await plan_of(bss, "cust-003", "line-900003") == "smart-30gb"
    result = await confirm(ctx, action_id_of(quoted))
    assert result.status == "ok" and result.receipt and result.receipt["state"] == "completed"
    assert await plan_of(bss, "cust-003", "line-900003") == "unlimited"


async def test_a_declined_plan_change_changes_nothing_and_reads_correctly_in_the_audit(
    customer: CustomerContext, bss: BssClient
) -> None:
    ctx = await customer(CHLOE)
    action_id = action_id_of(await invoke_tool(ctx, "change_plan", {"offer_id": "unlimited-max"}))
    declined = await decline(ctx, action_id)
    late_yes = await confirm(ctx, action_id)
    assert declined.status == "cancelled" and late_yes.status == "cancelled"
    assert await plan_of(bss, "cust-003", "line-900003") == "smart-30gb"
    trail = await audit.query(ctx.sessionmaker, customer_id="cust-003")
    assert [(e.event, e.tool, e.amount, e.actor) for e in trail] == [
        ("proposed", "change_plan", Decimal("35.00"), f"assistant:{ctx.turn_id}"),
        ("cancelled", "change_plan", Decimal("35.00"), "customer:cust-003"),
    ]
    assert trail[1].detail == "declined" and trail[0].args is not None
    assert trail[0].args["offer_id"] == "unlimited-max"


async def test_a_downgrade_within_the_minimum_term_is_refused(customer: CustomerContext) -> None:
    outcome = await invoke_tool(
        await customer(CHLOE), "change_plan", {"offer_id": "essentials-5gb"}
    )
    assert outcome.status == "error" and outcome.proposed is None
    assert "minimum term ends on" in outcome.summary


async def test_a_downgrade_after_the_minimum_term_goes_through(
    customer: CustomerContext, bss: BssClient
) -> None:
    ctx = await customer(LIAM)
    quoted = await invoke_tool(ctx, "change_plan", {"offer_id": "smart-30gb"})
    assert (await confirm(ctx, action_id_of(quoted))).status == "ok"
    assert await plan_of(bss, "cust-014", "line-900014") == "smart-30gb"


async def test_plans_of_another_segment_and_unknown_plans_are_refused(
    customer: CustomerContext,
) -> None:
    ctx = await customer(CHLOE)
    prepaid = await invoke_tool(ctx, "change_plan", {"offer_id": "bundle-10"})
    assert prepaid.code == "INELIGIBLE_OFFERING"
    assert prepaid.summary == "Bundle 10 isn't available on a pay-monthly line."
    unknown = await invoke_tool(ctx, "change_plan", {"offer_id": "gold-plan"})
    assert unknown.code == "unknown_offer"
    addon = await invoke_tool(ctx, "change_plan", {"offer_id": "data-5gb"})
    assert addon.code == "wrong_kind" and "buy_addon" in addon.summary
    same = await invoke_tool(ctx, "change_plan", {"offer_id": "smart-30gb"})
    assert same.code == "ALREADY_ON_PLAN"


async def test_a_prepaid_bundle_the_credit_cannot_cover_is_refused(
    customer: CustomerContext,
) -> None:
    outcome = await invoke_tool(await customer(ALICE), "change_plan", {"offer_id": "bundle-20"})
    assert outcome.code == "INSUFFICIENT_BALANCE"
    assert "£20" in outcome.summary and "£7.50" in outcome.summary and "top-up" in outcome.summary


async def test_someone_elses_line_is_refused(customer: CustomerContext, bss: BssClient) -> None:
    outcome = await invoke_tool(
        await customer(ALICE), "change_plan", {"offer_id": "bundle-10", "msisdn": BEN}
    )
    assert outcome.code == "not_yours"
    assert await plan_of(bss, "cust-002", "line-900002") == "payg"


async def test_a_bundle_renews_from_credit(customer: CustomerContext, bss: BssClient) -> None:
    ctx = await customer(KATIE)
    quoted = await invoke_tool(ctx, "renew_plan", {})
    assert quoted.proposed is not None and quoted.proposed.amount == 10.0
    assert "£10" in quoted.summary and "£15" in quoted.summary
    assert (await confirm(ctx, action_id_of(quoted))).status == "ok"
    overview = await bss.get_line_overview(customer_id="cust-013", product_id="line-900013")
    assert overview.credit == Decimal("5.00")


async def test_only_prepaid_bundles_renew_early(customer: CustomerContext) -> None:
    postpaid = await invoke_tool(await customer(CHLOE), "renew_plan", {})
    assert postpaid.code == "RENEWAL_NOT_APPLICABLE" and "automatically" in postpaid.summary
    payg = await invoke_tool(await customer(BEN), "renew_plan", {})
    assert payg.code == "RENEWAL_NOT_APPLICABLE"
