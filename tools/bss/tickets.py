"""Trouble tickets (TMF621), including billing disputes."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from switchboard.currency import money
from tools.bss.billing import BillingApi
from tools.bss.inventory import ProductApi
from tools.bss.models import (
    Ticket,
    TicketType,
)
from tools.bss.transport import (
    TICKET,
    Doc,
    _party,
)


class TicketApi(BillingApi, ProductApi):
    """Trouble tickets (TMF621), including billing disputes."""

    async def open_ticket(
        self,
        *,
        customer_id: str,
        ticket_type: TicketType,
        description: str,
        idempotency_key: str,
        severity: str = "Minor",
        priority: str = "Medium",
        name: str | None = None,
        product_id: str | None = None,
        bill_id: str | None = None,
        disputed_amount: Decimal | None = None,
        channel: str | None = None,
    ) -> Ticket:
        """Open a fault, billing dispute or complaint about a product and/or bill."""
        entities: list[Doc] = []
        if product_id:
            await self.get_product(customer_id=customer_id, product_id=product_id)
            entities.append(
                {"id": product_id, "role": "affectedProduct", "@referredType": "Product"}
            )
        if bill_id:
            await self.get_bill(customer_id=customer_id, bill_id=bill_id)
            entities.append(
                {"id": bill_id, "role": "disputedBill", "@referredType": "CustomerBill"}
            )
        body: Doc = {
            "description": description,
            "severity": severity,
            "priority": priority,
            "ticketType": ticket_type,
            "externalId": idempotency_key,
            "relatedParty": _party(customer_id),
        }
        if name:
            body["name"] = name
        if entities:
            body["relatedEntity"] = entities
        if disputed_amount is not None:
            body["note"] = [{"text": f"Disputed amount: {money(disputed_amount)}"}]
        if channel:
            body["channel"] = {"id": channel, "name": channel}
        doc = await self._call(
            "POST", f"{TICKET}/troubleTicket", json=body, idempotency_key=idempotency_key
        )
        return Ticket.from_tmf(doc)

    async def get_ticket(self, *, customer_id: str, ticket_id: str) -> Ticket:
        return await self._get_owned(
            Ticket, f"{TICKET}/troubleTicket/{ticket_id}", customer_id=customer_id
        )

    async def list_tickets(self, *, customer_id: str, open_only: bool = False) -> list[Ticket]:
        tickets = await self._list_owned(Ticket, f"{TICKET}/troubleTicket", customer_id=customer_id)
        return [t for t in tickets if t.is_open or not open_only]

    async def update_ticket(
        self,
        *,
        customer_id: str,
        ticket_id: str,
        idempotency_key: str,
        status: Literal["closed", "inProgress", "cancelled"] | None = None,
        note: str | None = None,
        reason: str | None = None,
    ) -> Ticket:
        """Close a resolved ticket, reopen it (`inProgress`), cancel it, or add a note."""
        await self.get_ticket(customer_id=customer_id, ticket_id=ticket_id)
        body: Doc = {}
        if status:
            body["status"] = status
            body["statusChangeReason"] = reason or "Customer request"
        if note:
            body["note"] = [{"text": note}]
        doc = await self._call(
            "PATCH",
            f"{TICKET}/troubleTicket/{ticket_id}",
            json=body,
            idempotency_key=idempotency_key,
        )
        return Ticket.from_tmf(doc)
