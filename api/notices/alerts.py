"""Alerts the schedule finds in a customer's account, from BSS facts only: data used to 80% and
100% of an allowance, a prepaid renewal due within N days (and whether the credit covers it),
a new bill, and a bill far above the customer's own usual (bill shock).

Bill shock compares the newest bill with the customer's previous ones: above their median by more
than `factor` times their spread (the median absolute deviation, at least a tenth of the median,
so a customer whose bills never moved is not alarmed by a penny)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from statistics import median

from tools.bss.models import AccountOverview, Bill
from tools.money import money

LEVELS = (100, 80)
BILL_NEWS = timedelta(days=7)  # a bill older than this is not news any more


@dataclass(frozen=True, slots=True)
class Alert:
    kind: str  # usage | renewal | bill
    key: str  # one notice per customer per key, ever
    ref: str
    text: str


def usage_alerts(overview: AccountOverview) -> list[Alert]:
    found: list[Alert] = []
    for line in overview.lines:
        for bucket in line.buckets:
            if bucket.usage_type != "data" or bucket.status != "active" or not bucket.initial:
                continue
            used = 1 - bucket.remaining / bucket.initial
            level = next((lv for lv in LEVELS if used * 100 >= lv), None)
            if level is None:
                continue
            period = bucket.valid_from.date().isoformat() if bucket.valid_from else ""
            left = f"{bucket.remaining:.1f} {bucket.units}".strip()
            until = f" until {bucket.valid_until:%d %b}" if bucket.valid_until else ""
            what = "all" if level == 100 else f"{level}%"
            number = line.line.msisdn or "your line"
            found.append(
                Alert(
                    kind="usage",
                    key=f"usage:{bucket.id}:{period}:{level}",
                    ref=line.line.id,
                    text=(
                        f"You've used {what} of your {bucket.name} on {number} ({left} left"
                        f'{until}). Reply "add data" to see add-ons.'
                    ),
                )
            )
    return found


def renewal_alerts(overview: AccountOverview, *, now: datetime, days: int) -> list[Alert]:
    found: list[Alert] = []
    for line in overview.lines:
        when, price = line.line.renewal_date, line.line.price
        if when is None or price is None or not now <= when <= now + timedelta(days=days):
            continue
        short = line.credit is not None and line.credit < price
        plan = line.line.offering_name or "bundle"
        text = f"Your {plan} renews on {when:%d %b} for {money(price)} from your credit."
        if short:
            text = (
                f"Your {plan} renews on {when:%d %b} for {money(price)}, but your credit is "
                f"{money(line.credit or Decimal(0))}: top up to keep it. "
                f'Reply "top up {money(10)}" to do it now.'
            )
        state = "short" if short else "due"
        found.append(
            Alert(
                kind="renewal",
                key=f"renewal:{line.line.id}:{when.date().isoformat()}:{state}",
                ref=line.line.id,
                text=text,
            )
        )
    return found


def bill_alerts(bills: list[Bill], *, now: datetime, factor: float) -> list[Alert]:
    """The newest bill, if it came out this week: issued, and a shock when it is far above the
    customer's own history."""
    dated = sorted(
        ((b.bill_date, b) for b in bills if b.bill_date is not None), key=lambda pair: pair[0]
    )
    if not dated or dated[-1][0] < now - BILL_NEWS:
        return []
    newest, history = dated[-1][1], [b.amount_due for _, b in dated[:-1]]
    found = [
        Alert(
            kind="bill",
            key=f"bill:{newest.id}",
            ref=newest.id,
            text=(
                f"Your bill {newest.bill_no or newest.id} is ready: {money(newest.amount_due)}"
                + (f", due {newest.due_date:%d %b}." if newest.due_date else ".")
                + ' Reply "explain my bill" for the details.'
            ),
        )
    ]
    if len(history) >= 3:
        usual = Decimal(str(median(history)))
        spread = Decimal(str(median(abs(a - usual) for a in history)))
        spread = max(spread, usual / 10, Decimal("1.00"))
        if newest.amount_due > usual + Decimal(str(factor)) * spread:
            found.append(
                Alert(
                    kind="bill",
                    key=f"bill-shock:{newest.id}",
                    ref=newest.id,
                    text=(
                        f"Heads up: your bill {newest.bill_no or newest.id} is "
                        f"{money(newest.amount_due)}, well above your usual {money(usual)}. "
                        'Reply "why is my bill so high" and I\'ll go through it with you.'
                    ),
                )
            )
    return found
