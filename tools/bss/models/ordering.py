"""Changes a customer asked for, as TMF622 product orders and their cancellations."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, ClassVar

from pydantic import Field

from tools.bss.models.tmf import (
    Doc,
    FieldMap,
    Frozen,
    Reader,
    TmfModel,
    amount_at,
    at,
    characteristic_values,
    date_at,
    note_texts,
    owner,
)


class OrderItem(Frozen):
    id: str
    action: str
    state: str | None = None
    offering_id: str | None = None
    product_id: str | None = None
    characteristics: dict[str, Any] = Field(default_factory=dict)


def _item(item: Doc) -> OrderItem:
    product = item.get("product") or {}
    related = next(
        (
            r["product"].get("id")
            for r in product.get("productRelationship") or []
            if r.get("product")
        ),
        None,
    )
    return OrderItem(
        id=str(item.get("id")),
        action=str(item.get("action")),
        state=item.get("state"),
        offering_id=at("productOffering", "id")(item),
        product_id=product.get("id") or related,
        characteristics=characteristic_values(product),
    )


def _total(name: str) -> Reader:
    """The order total called `name` ("Paid from credit", "Added to the next bill")."""
    return amount_at("orderTotalPrice", {"name": name}, "price", "taxIncludedAmount", "value")


class Order(TmfModel):
    """A TMF622 product order."""

    id: str
    state: str
    customer_id: str | None = None
    items: list[OrderItem]
    order_date: datetime | None = None
    expected_completion: datetime | None = None
    completion_date: datetime | None = None
    charged_now: Decimal | None = None  # prepaid: taken from credit when the order was accepted
    billed_later: Decimal | None = None  # postpaid: added to the next bill
    description: str | None = None
    notes: list[str] = Field(default_factory=list)
    external_id: str | None = None

    tmf: ClassVar[FieldMap] = {
        "id": at("id"),
        "state": at("state", default=""),
        "customer_id": owner,
        "items": lambda d: [_item(i) for i in d.get("productOrderItem") or []],
        "order_date": date_at("orderDate"),
        "expected_completion": date_at("expectedCompletionDate"),
        "completion_date": date_at("completionDate"),
        "charged_now": _total("Paid from credit"),
        "billed_later": _total("Added to the next bill"),
        "description": at("description"),
        "notes": note_texts,
        "external_id": at("externalId"),
    }

    @property
    def is_open(self) -> bool:
        return self.state not in {"completed", "failed", "partial", "cancelled", "rejected"}


class OrderCancellation(TmfModel):
    id: str
    state: str
    order_id: str
    reason: str | None = None

    tmf: ClassVar[FieldMap] = {
        "id": at("id"),
        "state": at("state", default=""),
        "order_id": at("productOrder", "id", default=""),
        "reason": at("cancellationReason"),
    }
