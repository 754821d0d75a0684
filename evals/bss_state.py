"""A snapshot of one customer's line in the BSS, for final-state expectations."""

from __future__ import annotations

from typing import Any


async def snapshot(bss: Any, *, customer_id: str, msisdn: str) -> dict[str, Any]:
    """Credit, plan, active add-ons, line status, roaming, spending cap and every ticket,
    service request and order (id, kind, state), read through the TMF client."""
    overview = await bss.get_account_overview(customer_id=customer_id)
    line = next((lo for lo in overview.lines if lo.line.msisdn == msisdn), None)
    tickets = [
        {"id": t.id, "kind": _ticket_kind(t.ticket_type), "state": t.status}
        for t in await bss.list_tickets(customer_id=customer_id)
    ]
    tickets += [
        {"id": r.id, "kind": "service_request", "state": r.state, "type": r.kind}
        for r in await bss.list_service_requests(customer_id=customer_id)
    ]
    tickets += [
        {"id": o.id, "kind": "order", "state": o.state}
        for o in await bss.list_orders(customer_id=customer_id)
    ]
    state: dict[str, Any] = {"tickets": tickets}
    if line is not None:
        product = line.line
        state.update(
            balance=float(line.credit) if line.credit is not None else None,
            plan=product.offering_id,
            addons=sorted(
                a.offering_id for a in line.addons if a.offering_id and a.status == "active"
            ),
            line_status=product.status,
            roaming=product.roaming,
            spending_cap=float(product.spending_cap) if product.spending_cap is not None else None,
        )
    return state


def _ticket_kind(ticket_type: str) -> str:
    lowered = ticket_type.lower()
    if "disput" in lowered or "bill" in lowered:
        return "dispute"
    return "trouble_ticket"
