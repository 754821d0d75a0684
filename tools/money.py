"""Money as customers read it: pounds, two decimals only when there are pence."""

from __future__ import annotations

from decimal import Decimal


def to_decimal(value: object) -> Decimal:
    """A BSS figure (float, int, str or Decimal) as an exact two-decimal amount."""
    return Decimal(str(value)).quantize(Decimal("0.01"))


def gbp(value: object) -> str:
    amount = to_decimal(value)
    sign = "-" if amount < 0 else ""
    amount = abs(amount)
    if amount == amount.to_integral_value():
        return f"{sign}£{amount:,.0f}"
    return f"{sign}£{amount:,.2f}"
