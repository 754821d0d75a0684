"""What a customer is charged and pays: TMF678 bills and their line items, usage in a period,
and TMF676 payments."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import ClassVar

from pydantic import Field

from switchboard import clock
from tools.bss.models.tmf import FieldMap, Frozen, TmfModel, amount_at, at, date_at, owner


class Charge(TmfModel):
    """A TMF678 applied billing rate: one line item (billed or not yet)."""

    id: str
    name: str
    type: str | None = None  # recurring | usage | oneTime | penalty
    amount: Decimal
    date: datetime | None = None
    is_billed: bool = False
    bill_id: str | None = None
    product_id: str | None = None
    description: str | None = None

    tmf: ClassVar[FieldMap] = {
        "id": at("id"),
        "name": at("name", default=""),
        "type": at("type"),
        "amount": amount_at("taxIncludedAmount", "value", or_zero=True),
        "date": date_at("date"),
        "is_billed": lambda d: bool(d.get("isBilled")),
        "bill_id": at("bill", "id"),
        "product_id": at("product", "id"),
        "description": at("description"),
    }

    @property
    def out_of_bundle(self) -> bool:
        return self.type == "usage"


class Bill(TmfModel):
    """A TMF678 customer bill, with its line items when fetched with `get_bill`
    (`Bill.from_tmf(doc, items=[...])`)."""

    id: str
    bill_no: str | None = None
    state: str
    customer_id: str | None = None
    billing_account_id: str | None = None
    bill_date: datetime | None = None
    period_start: datetime | None = None
    period_end: datetime | None = None
    due_date: datetime | None = None
    amount_due: Decimal
    remaining: Decimal
    items: list[Charge] = Field(default_factory=list)

    tmf: ClassVar[FieldMap] = {
        "id": at("id"),
        "bill_no": at("billNo"),
        "state": at("state", default=""),
        "customer_id": owner,
        "billing_account_id": at("billingAccount", "id"),
        "bill_date": date_at("billDate"),
        "period_start": date_at("billingPeriod", "startDateTime"),
        "period_end": date_at("billingPeriod", "endDateTime"),
        "due_date": date_at("paymentDueDate"),
        "amount_due": amount_at("amountDue", "value", or_zero=True),
        "remaining": amount_at("remainingAmount", "value", or_zero=True),
    }

    @property
    def overdue(self) -> bool:
        return self.remaining > 0 and self.due_date is not None and self.due_date < clock.now()


class UsageSummary(Frozen):
    """Charges in a period, with the out-of-bundle part separated."""

    start: datetime | None = None
    end: datetime | None = None
    charges: list[Charge]

    @property
    def total(self) -> Decimal:
        return sum((c.amount for c in self.charges), Decimal("0.00"))

    @property
    def out_of_bundle_total(self) -> Decimal:
        return sum((c.amount for c in self.charges if c.out_of_bundle), Decimal("0.00"))


class Payment(TmfModel):
    id: str
    status: str
    amount: Decimal
    bill_id: str | None = None
    payment_method_id: str | None = None
    date: datetime | None = None

    tmf: ClassVar[FieldMap] = {
        "id": at("id"),
        "status": at("status", default=""),
        "amount": amount_at("totalAmount", "value", or_zero=True),
        "bill_id": at("paymentItem", 0, "item", "id"),
        "payment_method_id": at("paymentMethod", "id"),
        "date": date_at("paymentDate"),
    }
