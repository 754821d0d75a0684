"""get_bills, pay_bill, set_autopay and dispute_charge against the real simulator.

The demo world issues bills on the 1st, due on the 15th (docs/demo-world.md): before the 15th the
newest bill is still open and not yet due, after it everyone but Daniel has paid. These tests
run at several dates (`make test`'s date matrix), so they name no bill by its month."""

from __future__ import annotations

import asyncio
from datetime import datetime
from decimal import Decimal

import pytest

from switchboard import clock
from tests.tools.conftest import CustomerContext
from tests.tools.helpers import action_id_of, confirm
from tools import audit
from tools.bss import BssClient
from tools.bss.models import Bill
from tools.catalog import day
from tools.registry import invoke_tool

pytestmark = pytest.mark.dated

CHLOE, DANIEL, NOAH = "+447700900003", "+447700900004", "+447700900016"


def newest_bill_not_yet_due() -> bool:
    """Before the 15th (at 00:00) the bill issued on the 1st is still open and not overdue."""
    now = clock.now()
    return now.day < 15 or (now.day == 15 and now.hour == now.minute == 0)


async def overdue_bill(bss: BssClient) -> Bill:
    (bill,) = [b for b in await bss.list_bills(customer_id="cust-004") if b.overdue]
    return bill


async def test_the_latest_bill_is_explained_line_by_line(customer: CustomerContext) -> None:
    outcome = await invoke_tool(await customer(CHLOE), "get_bills", {"limit": 2})
    assert outcome.ok and len(outcome.data["bills"]) == 2
    items = outcome.data["bills"][0]["items"]
    extra = [i for i in items if i["out_of_bundle"]]
    assert [(i["name"], i["amount"]) for i in extra] == [
        ("Out-of-bundle data (1.6GB over allowance)", "6.40")
    ]
    assert outcome.data["autopay"] == "off"
    # the summary a reply is built from names every charge and the due date
    assert "Out-of-bundle data (1.6GB over allowance) £6.40 (usage beyond the allowance)" in (
        outcome.summary
    )
    latest = outcome.data["bills"][0]
    assert day(datetime.fromisoformat(latest["due_date"])) in outcome.summary
    assert ("to pay by" if newest_bill_not_yet_due() else "it was due on") in outcome.summary
    assert outcome.summary.count("£") == 1 + len(items) + newest_bill_not_yet_due()


async def test_an_overdue_bill_is_paid_once(customer: CustomerContext, bss: BssClient) -> None:
    ctx = await customer(DANIEL)
    bills = await invoke_tool(ctx, "get_bills", {})
    assert "overdue" in bills.summary
    quoted = await invoke_tool(ctx, "pay_bill", {})
    assert quoted.proposed is not None and quoted.proposed.amount == 25.0
    assert "overdue" in quoted.summary and "Visa" in quoted.summary
    action_id = action_id_of(quoted)
    overdue = await overdue_bill(bss)
    results = await asyncio.gather(confirm(ctx, action_id), confirm(ctx, action_id))
    assert [r.status for r in results] == ["ok", "ok"] and results[0] == results[1]
    bill = await bss.get_bill(customer_id="cust-004", bill_id=overdue.id)
    assert bill.remaining == Decimal("0.00")
    assert len(await audit.query(ctx.sessionmaker, action=action_id, event="executed")) == 1
    again = await invoke_tool(ctx, "pay_bill", {})
    if newest_bill_not_yet_due():  # the bill issued this month is next, and not overdue
        assert again.proposed is not None and "overdue" not in again.summary
    else:
        assert again.code == "nothing_due"


async def test_payment_rules(customer: CustomerContext, bss: BssClient) -> None:
    ctx = await customer(DANIEL)
    too_much = await invoke_tool(ctx, "pay_bill", {"amount": 100})
    assert too_much.code == "invalid_input" and "£25" in too_much.summary
    chloe = await customer(CHLOE)
    settled = [b for b in await bss.list_bills(customer_id="cust-003") if b.remaining <= 0]
    assert settled, "Chloe has paid at least last month's bill"
    paid = await invoke_tool(chloe, "pay_bill", {"bill_id": settled[0].id})
    assert paid.code == "ALREADY_PAID"


async def test_someone_elses_bill_is_refused(customer: CustomerContext, bss: BssClient) -> None:
    chloe = await customer(CHLOE)
    daniels = (await overdue_bill(bss)).id
    for tool, args in [
        ("get_bills", {"bill_id": daniels}),
        ("pay_bill", {"bill_id": daniels}),
        ("dispute_charge", {"bill_id": daniels, "reason": "not mine"}),
    ]:
        outcome = await invoke_tool(chloe, tool, args)
        assert outcome.code == "not_found", tool
        assert "25" not in outcome.render()
    bill = await bss.get_bill(customer_id="cust-004", bill_id=daniels)
    assert bill.remaining == Decimal("25.00")


async def test_autopay_is_set_on_a_chosen_day(customer: CustomerContext, bss: BssClient) -> None:
    ctx = await customer(CHLOE)
    quoted = await invoke_tool(ctx, "set_autopay", {"enabled": True, "day": 5})
    assert "day 5" in quoted.summary
    assert (await confirm(ctx, action_id_of(quoted))).status == "ok"
    after = await bss.get_customer(customer_id="cust-003")
    assert after.autopay is True and after.autopay_day == 5
    same = await invoke_tool(ctx, "set_autopay", {"enabled": True, "day": 5})
    assert same.proposed is None and "already on" in same.summary
    no_day = await invoke_tool(ctx, "set_autopay", {"enabled": True})
    assert no_day.code == "invalid_input" and "day" in no_day.summary


async def test_a_charge_is_disputed(customer: CustomerContext, bss: BssClient) -> None:
    ctx = await customer(CHLOE)
    bills = await invoke_tool(ctx, "get_bills", {})
    bill = bills.data["bills"][0]
    item = next(i for i in bill["items"] if i["out_of_bundle"])
    quoted = await invoke_tool(
        ctx,
        "dispute_charge",
        {
            "bill_id": bill["bill_id"],
            "item_id": item["item_id"],
            "reason": "I was in the UK all month",
        },
    )
    assert "£6.40" in quoted.summary and quoted.proposed is not None
    result = await confirm(ctx, action_id_of(quoted))
    assert result.status == "ok" and result.receipt is not None
    tickets = await bss.list_tickets(customer_id="cust-003")
    dispute = next(t for t in tickets if t.id == result.receipt["bss_ref"])
    assert dispute.ticket_type == "billingDispute" and dispute.bill_id == bill["bill_id"]
    wrong_item = await invoke_tool(
        ctx, "dispute_charge", {"bill_id": bill["bill_id"], "item_id": "rate-999999", "reason": "x"}
    )
    assert wrong_item.code == "not_found"


async def test_bills_report_the_autopay_day(customer: CustomerContext) -> None:
    noah = await customer(NOAH)
    overview = await invoke_tool(noah, "get_bills", {})
    assert overview.data["autopay"].startswith("day")
