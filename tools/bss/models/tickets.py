"""Problems a customer reported, as TMF621 trouble tickets."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar, Literal

from pydantic import Field

from tools.bss.models.tmf import FieldMap, TmfModel, at, date_at, note_texts, owner

TicketType = Literal["fault", "billingDispute", "complaint", "request", "networkOutage"]


class Ticket(TmfModel):
    """A TMF621 trouble ticket (fault, billing dispute, complaint)."""

    id: str
    status: str
    ticket_type: str
    name: str | None = None
    description: str = ""
    severity: str | None = None
    priority: str | None = None
    customer_id: str | None = None
    product_id: str | None = None
    bill_id: str | None = None
    created: datetime | None = None
    expected_resolution: datetime | None = None
    resolution_date: datetime | None = None
    status_reason: str | None = None
    notes: list[str] = Field(default_factory=list)

    tmf: ClassVar[FieldMap] = {
        "id": at("id"),
        "status": at("status", default=""),
        "ticket_type": at("ticketType", default=""),
        "name": at("name"),
        "description": at("description", default=""),
        "severity": at("severity"),
        "priority": at("priority"),
        "customer_id": owner,
        "product_id": at("relatedEntity", {"@referredType": "Product"}, "id"),
        "bill_id": at("relatedEntity", {"@referredType": "CustomerBill"}, "id"),
        "created": date_at("creationDate"),
        "expected_resolution": date_at("expectedResolutionDate"),
        "resolution_date": date_at("resolutionDate"),
        "status_reason": at("statusChangeReason"),
        "notes": note_texts,
    }

    @property
    def is_open(self) -> bool:
        return self.status not in {"closed", "cancelled", "rejected", "resolved"}
