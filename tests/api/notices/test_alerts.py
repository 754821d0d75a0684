"""The schedule's alerts from BSS facts: usage at 80% and 100% of an allowance, a renewal the
credit does (not) cover, a new bill, and a bill far above the customer's own history — at
injected instants, never today's date."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from api.notices.alerts import bill_alerts, renewal_alerts, usage_alerts
from tools.bss.models import AccountOverview, Bill, Bucket, Customer, LineOverview, Product

NOW = datetime(2027, 3, 10, 12, 0, tzinfo=UTC)


def _line(*, remaining: str, renews_in_days: int | None = 2, credit: str = "4.00") -> LineOverview:
    return LineOverview(
        line=Product(
            id="line-1",
            name="Bundle 10",
            kind="mobileLine",
            status="active",
            msisdn="+447700900001",
            offering_name="Bundle 10",
            renewal_date=NOW + timedelta(days=renews_in_days) if renews_in_days else None,
            price=Decimal("10.00"),
        ),
        credit=Decimal(credit),
        buckets=[
            Bucket(
                id="bkt-1",
                name="10GB data",
                usage_type="data",
                remaining=Decimal(remaining),
                units="GB",
                initial=Decimal("10"),
                valid_from=NOW - timedelta(days=20),
                valid_until=NOW + timedelta(days=10),
                status="active",
            )
        ],
    )


def _overview(line: LineOverview) -> AccountOverview:
    return AccountOverview(customer=Customer(id="cust-1", name="A"), lines=[line])


def test_usage_at_80_and_100_percent_once_per_level_and_period() -> None:
    assert usage_alerts(_overview(_line(remaining="2.5"))) == []  # 75% used
    [eighty] = usage_alerts(_overview(_line(remaining="2.0")))
    assert eighty.key == "usage:bkt-1:2027-02-18:80"
    assert eighty.text.startswith("You've used 80% of your 10GB data on +447700900001 (2.0 GB")
    [full] = usage_alerts(_overview(_line(remaining="0")))
    assert full.key.endswith(":100") and "used all of" in full.text


def test_renewal_due_and_short_of_credit() -> None:
    [short] = renewal_alerts(_overview(_line(remaining="5")), now=NOW, days=3)
    assert short.key == "renewal:line-1:2027-03-12:short"
    assert "your credit is £4: top up" in short.text
    [covered] = renewal_alerts(_overview(_line(remaining="5", credit="12")), now=NOW, days=3)
    assert covered.key.endswith(":due") and "from your credit" in covered.text
    far = _overview(_line(remaining="5", renews_in_days=9))
    assert renewal_alerts(far, now=NOW, days=3) == []


def _bill(month: int, amount: str) -> Bill:
    return Bill(
        id=f"bill-{month}",
        state="new",
        bill_date=datetime(2027, month, 1, tzinfo=UTC),
        amount_due=Decimal(amount),
        remaining=Decimal(amount),
    )


def test_bill_shock_against_the_customers_own_history() -> None:
    march = datetime(2027, 3, 3, tzinfo=UTC)
    usual = [_bill(m, a) for m, a in ((10, "15.00"), (11, "16.20"), (12, "15.00"))]
    usual = [b.model_copy(update={"bill_date": b.bill_date.replace(year=2026)}) for b in usual]  # type: ignore[union-attr]
    calm = bill_alerts([*usual, _bill(1, "15.50"), _bill(3, "17.00")], now=march, factor=3.0)
    assert [a.key for a in calm] == ["bill:bill-3"]  # issued; within their usual spread
    shock = bill_alerts([*usual, _bill(1, "15.50"), _bill(3, "34.00")], now=march, factor=3.0)
    assert [a.key for a in shock] == ["bill:bill-3", "bill-shock:bill-3"]
    assert "well above your usual £15.25" in shock[1].text
    assert bill_alerts([*usual, _bill(3, "34.00")], now=march + timedelta(days=8), factor=3) == []
    # too little history to know what is usual: the bill is news, not a shock
    assert [a.key for a in bill_alerts([_bill(1, "5"), _bill(3, "90")], now=march, factor=3)] == [
        "bill:bill-3"
    ]
