"""TMF621 trouble tickets: faults, billing disputes, complaints. The clock moves a new ticket
`acknowledged → inProgress → resolved`; the customer closes it (or reopens it) by PATCH."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bss.clock import iso, utcnow
from bss.context import Ctx
from bss.errors import bad_request, not_found, rule
from bss.events import emit
from bss.shapes import href, party

Doc = dict[str, Any]

# ticketType -> (acknowledged -> inProgress, inProgress -> resolved), simulated seconds
DELAYS: dict[str, tuple[float, float]] = {
    "fault": (60.0, 4 * 3600.0),
    "billingDispute": (300.0, 5 * 24 * 3600.0),
    "complaint": (300.0, 2 * 24 * 3600.0),
}
DEFAULT_DELAY = (120.0, 24 * 3600.0)
FINAL = {"closed", "cancelled", "rejected"}
# transitions a client may ask for with PATCH (the rest belong to the BSS)
CLIENT_TRANSITIONS = {
    ("resolved", "closed"),
    ("resolved", "inProgress"),
    ("pending", "inProgress"),
    ("acknowledged", "cancelled"),
    ("inProgress", "cancelled"),
    ("pending", "cancelled"),
    ("held", "cancelled"),
}


def _status_change(doc: Doc, status: str, reason: str) -> None:
    now = iso()
    doc["status"] = status
    doc["statusChangeDate"] = now
    doc["statusChangeReason"] = reason
    doc["lastUpdate"] = now
    doc.setdefault("statusChange", []).append(
        {"status": status, "changeDate": now, "changeReason": reason}
    )


async def create_ticket(ctx: Ctx, body: Doc, customer_id: str | None) -> Doc:
    for key in ("description", "severity", "ticketType"):
        if not body.get(key):
            raise bad_request(f"{key} is required")
    for entity in body.get("relatedEntity") or []:
        kind = {"Product": "product", "CustomerBill": "customerBill"}.get(
            entity.get("@referredType", "")
        )
        if kind:
            target = await ctx.repo.get(kind, str(entity.get("id")))
            if target is None or (customer_id and target["relatedParty"][0]["id"] != customer_id):
                raise not_found(entity["@referredType"], str(entity.get("id")))
    if customer_id and await ctx.repo.get("customer", customer_id) is None:
        raise not_found("Customer", customer_id)
    number = await ctx.repo.next_number("troubleTicket")
    tid = f"TT-{1100 + number}"
    first, second = DELAYS.get(str(body["ticketType"]), DEFAULT_DELAY)
    now = utcnow()
    doc: Doc = {k: v for k, v in body.items() if k not in ("status", "statusChange")}
    doc.update(
        {
            "id": tid,
            "href": href("troubleTicket", tid),
            "@type": "TroubleTicket",
            "creationDate": iso(now),
            "lastUpdate": iso(now),
            "expectedResolutionDate": iso(now + timedelta(seconds=first + second)),
        }
    )
    if customer_id and not any(p.get("id") == customer_id for p in doc.get("relatedParty") or []):
        doc["relatedParty"] = [party(customer_id), *(doc.get("relatedParty") or [])]
    _status_change(doc, "acknowledged", "Ticket received")
    await ctx.repo.put(
        "troubleTicket", doc, customer_id=customer_id, due_at=ctx.clock.due_after(first)
    )
    await emit(ctx, "troubleTicket", "TroubleTicketCreateEvent", doc)
    return doc


async def step_ticket(ctx: Ctx, doc: Doc) -> None:
    _first, second = DELAYS.get(str(doc.get("ticketType")), DEFAULT_DELAY)
    if doc["status"] == "acknowledged":
        _status_change(doc, "inProgress", "Assigned to a specialist")
        await ctx.repo.save("troubleTicket", doc, due_at=ctx.clock.due_after(second))
        await emit(ctx, "troubleTicket", "TroubleTicketStatusChangeEvent", doc)
    elif doc["status"] == "inProgress":
        _status_change(doc, "resolved", "Resolved by the specialist team")
        doc["resolutionDate"] = iso()
        await ctx.repo.save("troubleTicket", doc, due_at=None)
        await emit(ctx, "troubleTicket", "TroubleTicketStatusChangeEvent", doc)
        await emit(ctx, "troubleTicket", "TroubleTicketResolvedEvent", doc)
    else:
        await ctx.repo.save("troubleTicket", doc, due_at=None)


async def update_ticket(ctx: Ctx, tid: str, body: Doc, customer_id: str | None) -> Doc:
    doc = await ctx.repo.get("troubleTicket", tid)
    if doc is None or (
        customer_id and not any(p.get("id") == customer_id for p in doc.get("relatedParty") or [])
    ):
        raise not_found("TroubleTicket", tid)
    for note in body.get("note") or []:
        doc.setdefault("note", []).append({**note, "date": note.get("date", iso())})
    for key in ("description", "priority", "severity", "requestedResolutionDate", "name"):
        if key in body:
            doc[key] = body[key]
    status = body.get("status")
    if status is None or status == doc["status"]:
        doc["lastUpdate"] = iso()
        await ctx.repo.save("troubleTicket", doc)
        await emit(ctx, "troubleTicket", "TroubleTicketAttributeValueChangeEvent", doc)
        return doc
    if (doc["status"], status) not in CLIENT_TRANSITIONS:
        raise rule(
            "INVALID_STATE_TRANSITION",
            f"Ticket {tid} cannot go from {doc['status']} to {status}",
            409,
        )
    _status_change(doc, str(status), str(body.get("statusChangeReason") or "Customer request"))
    due: float | None = None
    if status == "inProgress":
        due = ctx.clock.due_after(DELAYS.get(str(doc.get("ticketType")), DEFAULT_DELAY)[1])
    await ctx.repo.save("troubleTicket", doc, due_at=due)
    await emit(ctx, "troubleTicket", "TroubleTicketStatusChangeEvent", doc)
    return doc
