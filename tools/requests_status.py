"""Where is my order / ticket / request? Status on demand, the customer's own only."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, TypeVar

from tools.bss.errors import BssNotFoundError
from tools.bss.models import Order, ServiceRequest, Ticket
from tools.catalog import day
from tools.context import TurnContext
from tools.failures import ToolRefusal
from tools.lines import customer_of
from tools.outcome import ToolOutcome, ok
from tools.schemas import GetRequestStatusArgs

T = TypeVar("T")


def _order(order: Order) -> dict[str, Any]:
    return {
        "ref": order.id,
        "type": "order",
        "state": order.state,
        "about": order.description or ", ".join(i.offering_id or i.action for i in order.items),
        "ordered": day(order.order_date),
        "expected": day(order.expected_completion),
        "notes": order.notes[-2:],
    }


def _ticket(ticket: Ticket) -> dict[str, Any]:
    return {
        "ref": ticket.id,
        "type": ticket.ticket_type,
        "state": ticket.status,
        "about": ticket.name or ticket.description[:80],
        "opened": day(ticket.created),
        "expected": day(ticket.expected_resolution),
        "notes": ticket.notes[-2:],
    }


def _request(request: ServiceRequest) -> dict[str, Any]:
    step = next((t.name for t in request.tasks if t.state in ("new", "active")), None)
    return {
        "ref": request.id,
        "type": request.kind,
        "state": request.state,
        "about": request.kind.replace("_", " "),
        "opened": day(request.created),
        "current_step": step,
        "steps": [{"name": t.name, "state": t.state} for t in request.tasks],
        "appointment": _appointment(request.characteristics.get("appointment")),
    }


def _appointment(value: Any) -> str | None:
    """'2026-12-02T08:00:00Z' -> '2 December 2026 at 08:00'."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return str(value)
    return f"{day(moment)} at {moment:%H:%M}"


_STATES = {
    "inProgress": "in progress",
    "acknowledged": "received",
    "assessingCancellation": ("cancellation being assessed"),
    "pendingCancellation": "cancellation pending",
    "held": "on hold",
}


def _line(item: dict[str, Any]) -> str:
    state = _STATES.get(item["state"], item["state"])
    expected = f", expected {item['expected']}" if item.get("expected") else ""
    step = f", now at {item['current_step']}" if item.get("current_step") else ""
    appointment = f", appointment {item['appointment']}" if item.get("appointment") else ""
    notes = item.get("notes") or []
    latest = f" Latest: {notes[-1].rstrip('.')}." if notes else ""
    return f"{item['ref']} ({item['about']}): {state}{step}{appointment}{expected}.{latest}"


async def _shaped(shape: Callable[[T], dict[str, Any]], found: Awaitable[T]) -> dict[str, Any]:
    return shape(await found)


async def _one(ctx: TurnContext, ref: str) -> dict[str, Any]:
    customer_id = customer_of(ctx)
    bss = ctx.bss
    lookups: tuple[Callable[[], Awaitable[dict[str, Any]]], ...] = (
        lambda: _shaped(_order, bss.get_order(customer_id=customer_id, order_id=ref)),
        lambda: _shaped(_ticket, bss.get_ticket(customer_id=customer_id, ticket_id=ref)),
        lambda: _shaped(_request, bss.get_service_request(customer_id=customer_id, request_id=ref)),
    )
    for lookup in lookups:
        try:
            return await lookup()
        except BssNotFoundError:
            continue
    raise ToolRefusal("not_found", f"I couldn't find {ref} on your account.")


async def _open(ctx: TurnContext, kind: str) -> list[dict[str, Any]]:
    customer_id = customer_of(ctx)
    items: list[dict[str, Any]] = []
    if kind in ("all", "order"):
        items += [
            _order(o) for o in await ctx.bss.list_orders(customer_id=customer_id, open_only=True)
        ]
    if kind in ("all", "ticket"):
        items += [
            _ticket(t) for t in await ctx.bss.list_tickets(customer_id=customer_id, open_only=True)
        ]
    if kind in ("all", "service_request"):
        items += [
            _request(r)
            for r in await ctx.bss.list_service_requests(customer_id=customer_id, open_only=True)
        ]
    return items


async def get_request_status(ctx: TurnContext, args: GetRequestStatusArgs) -> ToolOutcome:
    """The customer's orders, fault tickets and service requests with their current state and
    next step; give a reference for one, or nothing for all open ones."""
    if args.ref is not None:
        item = await _one(ctx, args.ref)
        return ok("get_request_status", _line(item), data={"items": [item]})
    items = await _open(ctx, args.kind)
    if not items:
        return ok(
            "get_request_status",
            "You have no open orders, tickets or requests.",
            data={"items": []},
        )
    return ok(
        "get_request_status",
        f"{len(items)} open: " + " ".join(_line(i) for i in items),
        data={"items": items},
    )
