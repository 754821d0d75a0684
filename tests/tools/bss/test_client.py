"""The client the tools use, against the simulator in-process and over a real socket:
account reads, every write, the business rules as typed errors, and customer scoping."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from switchboard import clock
from tools.bss.client import BssClient
from tools.bss.errors import BssBusinessError, BssNotFoundError
from tools.bss.models import LineFeatures

pytestmark = pytest.mark.dated  # the demo world seeded at the clock's today


async def refused(coro: object) -> BssBusinessError:
    with pytest.raises(BssBusinessError) as info:
        await coro  # type: ignore[misc]
    return info.value


async def test_find_customer_and_account_overview(bss: BssClient) -> None:
    alice = await bss.find_customer_by_msisdn(msisdn="+447700900001")
    assert alice is not None and alice.name == "Alice Morgan" and alice.segment == "prepaid"
    assert await bss.find_customer_by_msisdn(msisdn="+447700900999") is None
    everyone = await bss.list_customers()
    assert len(everyone) == 14 and {c.segment for c in everyone} == {
        "prepaid",
        "postpaid",
        "business",
    }
    business = await bss.find_customer_by_msisdn(msisdn="+447700900008")
    assert business is not None and business.id == "cust-007" and len(business.msisdns) == 3
    overview = await bss.get_account_overview(customer_id=alice.id)
    line = overview.lines[0]
    assert line.plan is not None and line.plan.id == "bundle-10"
    assert line.credit == Decimal("7.50") and line.data_left_gb == Decimal("3.20")
    assert line.line.renewal_date is not None and line.line.status == "active"
    greenfield = await bss.get_account_overview(customer_id="cust-007")
    assert [ln.line.msisdn for ln in greenfield.lines] == [
        "+447700900007",
        "+447700900008",
        "+447700900009",
    ]


async def test_customer_scoping_never_reveals_other_accounts(bss: BssClient) -> None:
    with pytest.raises(BssNotFoundError):
        await bss.get_product(customer_id="cust-001", product_id="line-900002")
    with pytest.raises(BssNotFoundError):
        await bss.get_bill(
            customer_id="cust-001", bill_id=(await bss.list_bills(customer_id="cust-003"))[0].id
        )
    with pytest.raises(BssNotFoundError):
        await bss.top_up(
            customer_id="cust-001",
            product_id="line-900002",
            amount=Decimal(5),
            idempotency_key="steal",
        )
    with pytest.raises(BssNotFoundError):
        await bss.get_ticket(customer_id="cust-001", ticket_id="TT-1001")
    with pytest.raises(BssNotFoundError):
        await bss.get_order(customer_id="cust-001", order_id="ORD-2001")
    with pytest.raises(BssNotFoundError):
        await bss.get_service_request(customer_id="cust-001", request_id="PF-3001")
    assert await bss.list_orders(customer_id="cust-001") == []


async def test_top_up_limits(bss: BssClient) -> None:
    ben, line = "cust-002", "line-900002"
    assert (
        await refused(
            bss.top_up(
                customer_id=ben, product_id=line, amount=Decimal("4.99"), idempotency_key="lo"
            )
        )
    ).code == "TOPUP_LIMIT"
    assert (
        await refused(
            bss.top_up(customer_id=ben, product_id=line, amount=Decimal(51), idempotency_key="hi")
        )
    ).code == "TOPUP_LIMIT"
    done = await bss.top_up(
        customer_id=ben, product_id=line, amount=Decimal(20), idempotency_key="ok"
    )
    assert (done.balance_before, done.balance_after) == (Decimal("2.10"), Decimal("22.10"))
    farid = await refused(
        bss.top_up(
            customer_id="cust-006",
            product_id="line-900006",
            amount=Decimal(10),
            idempotency_key="pp",
        )
    )
    assert farid.code == "INELIGIBLE_PRODUCT"  # postpaid: no credit to top up


async def test_plan_change_rules(bss: BssClient) -> None:
    error = await refused(
        bss.change_plan(
            customer_id="cust-003",
            product_id="line-900003",
            offering_id="essentials-5gb",
            idempotency_key="d",
        )
    )
    assert error.code == "DOWNGRADE_IN_MIN_TERM"
    error = await refused(
        bss.change_plan(
            customer_id="cust-003",
            product_id="line-900003",
            offering_id="bundle-10",
            idempotency_key="x",
        )
    )
    assert error.code == "INELIGIBLE_OFFERING"
    error = await refused(
        bss.change_plan(
            customer_id="cust-006",
            product_id="line-900006",
            offering_id="unlimited",
            idempotency_key="s",
        )
    )
    assert error.code == "LINE_SUSPENDED"
    error = await refused(
        bss.change_plan(
            customer_id="cust-001",
            product_id="line-900001",
            offering_id="no-such-plan",
            idempotency_key="n",
        )
    )
    assert isinstance(error, BssNotFoundError)
    # Jack's minimum term has ended: the downgrade is allowed
    order = await bss.change_plan(
        customer_id="cust-012",
        product_id="line-900012",
        offering_id="smart-30gb",
        idempotency_key="up",
    )
    done = await bss.wait_for_order(customer_id="cust-012", order_id=order.id)
    assert done.state == "completed"
    line = await bss.get_product(customer_id="cust-012", product_id="line-900012")
    assert line.offering_id == "smart-30gb" and line.price == Decimal("15.00")


async def test_renewal_and_addons(bss: BssClient) -> None:
    alice, line = "cust-001", "line-900001"
    error = await refused(bss.renew_plan(customer_id=alice, product_id=line, idempotency_key="r0"))
    assert error.code == "INSUFFICIENT_BALANCE"  # £7.50 credit, bundle costs £10
    await bss.top_up(customer_id=alice, product_id=line, amount=Decimal(50), idempotency_key="t")
    order = await bss.renew_plan(customer_id=alice, product_id=line, idempotency_key="r1")
    assert order.charged_now == Decimal("10.00")
    await bss.wait_for_order(customer_id=alice, order_id=order.id)
    overview = await bss.get_line_overview(customer_id=alice, product_id=line)
    assert overview.data_left_gb == Decimal("10.00") and overview.credit == Decimal("47.50")
    assert (
        await refused(
            bss.renew_plan(customer_id="cust-003", product_id="line-900003", idempotency_key="r2")
        )
    ).code == "RENEWAL_NOT_APPLICABLE"
    for i in range(3):
        boost = await bss.buy_addon(
            customer_id=alice, product_id=line, offering_id="data-1gb", idempotency_key=f"b{i}"
        )
        await bss.wait_for_order(customer_id=alice, order_id=boost.id)
    assert (
        await refused(
            bss.buy_addon(
                customer_id=alice, product_id=line, offering_id="data-1gb", idempotency_key="b4"
            )
        )
    ).code == "DATA_BOOST_LIMIT"
    assert (
        await refused(
            bss.buy_addon(
                customer_id="cust-004",
                product_id="line-900004",
                offering_id="data-5gb",
                idempotency_key="u",
            )
        )
    ).code == "INELIGIBLE_OFFERING"  # unlimited data already
    assert (
        await refused(
            bss.buy_addon(
                customer_id="cust-004",
                product_id="line-900004",
                offering_id="device-insurance",
                idempotency_key="i",
            )
        )
    ).code == "INELIGIBLE_OFFERING"  # no device on the account
    insured = await bss.buy_addon(
        customer_id="cust-003",
        product_id="line-900003",
        offering_id="device-insurance",
        idempotency_key="ins",
    )
    assert insured.billed_later == Decimal("7.00") and insured.charged_now is None


async def test_offerings_carry_eligibility_for_a_line(bss: BssClient) -> None:
    offers = {
        o.id: o for o in await bss.list_offerings(customer_id="cust-002", product_id="line-900002")
    }
    assert offers["payg-texts"].eligibility is not None
    assert offers["payg-texts"].eligibility.eligible
    assert offers["unlimited"].eligibility is not None
    assert not offers["unlimited"].eligibility.eligible
    assert offers["bundle-20"].price == Decimal("20.00")
    plans = await bss.list_offerings(category="plan")
    assert len(plans) == 10 and all(p.eligibility is None for p in plans)
    assert {p.id for p in plans if p.unlimited_data} == {
        "unlimited",
        "unlimited-max",
        "business-unlimited",
    }


async def test_line_features_block_and_autopay(bss: BssClient) -> None:
    liam, line = "cust-014", "line-900014"
    before = await bss.get_product(customer_id=liam, product_id=line)
    assert before.spending_cap == Decimal("20.00") and before.call_waiting is False
    order = await bss.set_line_features(
        customer_id=liam,
        product_id=line,
        idempotency_key="f",
        features=LineFeatures(
            call_waiting=True, spending_cap="none", roaming=False, call_forwarding="+447700900123"
        ),
    )
    await bss.wait_for_order(customer_id=liam, order_id=order.id)
    after = await bss.get_product(customer_id=liam, product_id=line)
    assert (after.call_waiting, after.spending_cap, after.roaming, after.call_forwarding) == (
        True,
        None,
        False,
        "+447700900123",
    )
    assert (
        await refused(
            bss.set_spending_cap(
                customer_id="cust-001",
                product_id="line-900001",
                cap=Decimal(10),
                idempotency_key="c",
            )
        )
    ).code == "INELIGIBLE_OFFERING"  # prepaid
    assert (
        await refused(
            bss.set_spending_cap(
                customer_id=liam, product_id=line, cap=Decimal(101), idempotency_key="c2"
            )
        )
    ).code == "INVALID_REQUEST"
    assert (
        await refused(
            bss.set_call_forwarding(
                customer_id=liam, product_id=line, number="0123", idempotency_key="n"
            )
        )
    ).code == "INVALID_NUMBER"
    blocked = await bss.block_line(
        customer_id=liam, product_id=line, idempotency_key="blk", reason="stolen"
    )
    assert blocked.status == "suspended" and blocked.suspension_reason == "stolen"
    assert (
        await refused(
            bss.set_roaming(customer_id=liam, product_id=line, enabled=True, idempotency_key="r")
        )
    ).code == "LINE_SUSPENDED"
    unblocked = await bss.unblock_line(customer_id=liam, product_id=line, idempotency_key="ub")
    assert unblocked.status == "active" and unblocked.suspension_reason in (None, "none")
    assert (
        await refused(bss.unblock_line(customer_id=liam, product_id=line, idempotency_key="ub2"))
    ).code == "INVALID_STATE_TRANSITION"
    chloe = await bss.set_autopay(
        customer_id="cust-003", enabled=True, day=12, idempotency_key="ap"
    )
    assert chloe.autopay and chloe.autopay_day == 12
    assert (
        await refused(
            bss.set_autopay(customer_id="cust-003", enabled=True, day=31, idempotency_key="ap2")
        )
    ).code == "INVALID_REQUEST"


async def test_bills_usage_payment_and_dispute(bss: BssClient) -> None:
    chloe_bill = (await bss.list_bills(customer_id="cust-003"))[0]
    bill = await bss.get_bill(customer_id="cust-003", bill_id=chloe_bill.id)
    extra = [i for i in bill.items if i.out_of_bundle]
    assert [i.amount for i in extra] == [Decimal("6.40")]
    assert bill.amount_due == Decimal("21.40")
    dispute = await bss.open_ticket(
        customer_id="cust-003",
        ticket_type="billingDispute",
        description="I did not use extra data",
        bill_id=bill.id,
        disputed_amount=Decimal("6.40"),
        idempotency_key="dis",
    )
    assert dispute.bill_id == bill.id and dispute.ticket_type == "billingDispute"
    daniel = await bss.list_bills(customer_id="cust-004")
    overdue = [b for b in daniel if b.overdue]
    assert [b.remaining for b in overdue] == [Decimal("25.00")]
    usage = await bss.get_usage(customer_id="cust-004")
    assert Decimal("5.00") in [c.amount for c in usage.charges if c.type == "penalty"]
    paid = await bss.pay_bill(customer_id="cust-004", bill_id=overdue[0].id, idempotency_key="pay")
    assert paid.amount == Decimal("25.00") and paid.status == "succeeded"
    settled = await bss.get_bill(customer_id="cust-004", bill_id=overdue[0].id)
    assert settled.state == "settled" and not settled.overdue
    assert (
        await refused(
            bss.pay_bill(customer_id="cust-004", bill_id=overdue[0].id, idempotency_key="pay2")
        )
    ).code == "ALREADY_PAID"


async def test_service_requests_tickets_and_status(bss: BssClient) -> None:
    isla = await bss.list_service_requests(customer_id="cust-011", open_only=True)
    assert [(r.kind, r.state) for r in isla] == [("esim", "active")]
    assert [t.status for t in await bss.list_tickets(customer_id="cust-010")] == ["inProgress"]
    assert [o.state for o in await bss.list_orders(customer_id="cust-012")] == ["inProgress"]
    noah = await bss.list_service_requests(customer_id="cust-016")
    # seeded six days after the world's today, at 08:00 (bss/data/world.yaml)
    slot = (clock.today() + timedelta(days=6)).isoformat()
    assert noah[0].characteristics["appointment"] == f"{slot}T08:00:00Z"
    assert (
        await refused(
            bss.start_service_request(
                customer_id="cust-012",
                kind="port_in",
                idempotency_key="p",
                details={"pacCode": "12345", "portingMsisdn": "+447700900555"},
            )
        )
    ).code == "INVALID_PAC"
    assert (
        await refused(
            bss.start_service_request(
                customer_id="cust-015",
                kind="broadband_installation",
                idempotency_key="bb",
                details={"postcode": "TR1 2HE", "offering": "fibre-150"},
            )
        )
    ).code == "NO_FIBRE_AT_ADDRESS"
    swap = await bss.start_service_request(
        customer_id="cust-006", kind="sim_swap", product_id="line-900006", idempotency_key="sw"
    )
    assert swap.kind == "sim_swap" and len(swap.tasks) == 3  # allowed on a suspended line
    fault = await bss.open_ticket(
        customer_id="cust-013",
        ticket_type="fault",
        description="No 4G at home",
        product_id="line-900013",
        severity="Major",
        idempotency_key="ft",
    )
    assert fault.status == "acknowledged" and fault.product_id == "line-900013"


async def test_coverage_and_outages(bss: BssClient) -> None:
    leeds = await bss.get_coverage(postcode="LS2 9JT")
    assert leeds.outages and leeds.outages[0].id == "OUT-4101" and leeds.outages[0].affects_postcode
    assert not (await bss.get_coverage(postcode="LS8 2HH")).outages[0].affects_postcode
    truro = await bss.get_coverage(postcode="TR1 2HE")
    assert truro.fibre is False and truro.outages == []
    with pytest.raises(BssNotFoundError):
        await bss.get_coverage(postcode="ZZ1 1ZZ")
    assert [o.id for o in await bss.list_outages()] == ["OUT-4101"]
