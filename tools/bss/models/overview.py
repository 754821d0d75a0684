"""What the assistant reads first about an account, put together from several TMF APIs: each
line with its plan, credit, buckets and add-ons, and the customer's devices."""

from __future__ import annotations

from decimal import Decimal

from pydantic import Field

from tools.bss.models.balance import Bucket
from tools.bss.models.catalog import Offering
from tools.bss.models.inventory import Product
from tools.bss.models.party import Customer
from tools.bss.models.tmf import Frozen


class LineOverview(Frozen):
    """Everything about one line a customer asks about first."""

    line: Product
    plan: Offering | None = None
    credit: Decimal | None = None  # prepaid: GBP on the line
    buckets: list[Bucket] = Field(default_factory=list)
    addons: list[Product] = Field(default_factory=list)

    @property
    def data_left_gb(self) -> Decimal | None:
        data = [b for b in self.buckets if b.usage_type == "data" and b.status == "active"]
        return sum((b.remaining for b in data), Decimal("0.00")) if data else None


class AccountOverview(Frozen):
    customer: Customer
    lines: list[LineOverview]
    devices: list[Product] = Field(default_factory=list)
