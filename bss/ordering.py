"""TMF622 product ordering: plan change (`modify`), renewal (`modify` of the same offering with
characteristic `renewal=true`, see ADR 0002), line features (`modify` with characteristics only),
add-ons (`add` with an `addOnTo` relationship), add-on removal (`delete`), and cancellation.

Every rule is checked when the order is posted (a refusal is a TMF `Error`, nothing is created);
prepaid charges are taken from credit at acceptance and refunded if the order is cancelled.
The effect on the inventory lands when the order reaches `completed` on the clock."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bss.clock import iso, utcnow
from bss.context import Ctx
from bss.errors import TmfError, bad_request, not_found
from bss.events import emit
from bss.inventory import debit_credit, refund_credit
from bss.order_effects import apply_order
from bss.order_rules import Plan, customer_of, plan_item, segment_of
from bss.shapes import href, party, price

Doc = dict[str, Any]

OPEN_STATES = {"acknowledged", "inProgress", "pending", "held"}
FINAL_STATES = {"completed", "failed", "partial", "cancelled", "rejected"}
# simulated seconds each step takes: (acknowledged -> inProgress, inProgress -> completed)
DELAYS = {"default": (30.0, 120.0), "features": (5.0, 10.0)}
CANCEL_DELAY = 10.0


async def create_order(ctx: Ctx, body: Doc) -> Doc:
    items = body.get("productOrderItem") or []
    if not items:
        raise bad_request("productOrderItem is required")
    customer_id = customer_of(body)
    segment = await segment_of(ctx, customer_id)
    plan = Plan()
    for item in items:
        if not item.get("id") or not item.get("action"):
            raise bad_request("Each productOrderItem needs id and action")
        await plan_item(ctx, item, customer_id, segment, plan)
    charged = 0.0
    for line_id, amount, what in plan.charges:
        line = await ctx.repo.get("product", line_id)
        assert line is not None
        await debit_credit(ctx, line, amount, what)
        charged += amount
    number = await ctx.repo.next_number("productOrder")
    now = utcnow()
    first, second = DELAYS[plan.kind]
    order_id = f"ORD-{2100 + number}"
    doc: Doc = {
        "id": order_id,
        "href": href("productOrder", order_id),
        "@type": "ProductOrder",
        "state": "acknowledged",
        "orderDate": iso(now),
        "expectedCompletionDate": iso(now + timedelta(seconds=first + second)),
        "relatedParty": [party(customer_id)],
        "productOrderItem": [{**item, "state": "acknowledged"} for item in items],
        "_kind": plan.kind,
        "_charges": [[c[0], c[1]] for c in plan.charges],
    }
    for key in (
        "externalId",
        "channel",
        "note",
        "category",
        "description",
        "priority",
        "requestedStartDate",
        "requestedCompletionDate",
        "billingAccount",
    ):
        if key in body:
            doc[key] = body[key]
    totals = []
    if charged:
        totals.append({"priceType": "oneTime", "name": "Paid from credit", "price": price(charged)})
    if plan.billed:
        totals.append(
            {"priceType": "oneTime", "name": "Added to the next bill", "price": price(plan.billed)}
        )
    if totals:
        doc["orderTotalPrice"] = totals
    await ctx.repo.put(
        "productOrder", doc, customer_id=customer_id, due_at=ctx.clock.due_after(first)
    )
    await emit(ctx, "productOrder", "ProductOrderCreateEvent", public(doc))
    return doc


def public(doc: Doc) -> Doc:
    return {k: v for k, v in doc.items() if not k.startswith("_")}


def _set_state(doc: Doc, state: str) -> None:
    doc["state"] = state
    for item in doc["productOrderItem"]:
        item["state"] = state if state != "partial" else "completed"
    if state == "completed":
        doc["completionDate"] = iso()
    if state == "cancelled":
        doc["cancellationDate"] = iso()


async def step_order(ctx: Ctx, doc: Doc) -> None:
    state = doc["state"]
    _first, second = DELAYS[doc.get("_kind", "default")]
    due: float | None = None
    if state == "acknowledged":
        _set_state(doc, "inProgress")
        due = ctx.clock.due_after(second)
    elif state == "inProgress":
        await apply_order(ctx, doc)
        _set_state(doc, "completed")
    elif state == "assessingCancellation":
        _set_state(doc, "pendingCancellation")
        await _cancel_request_state(ctx, doc, "inProgress")
        due = ctx.clock.due_after(CANCEL_DELAY)
    elif state == "pendingCancellation":
        for line_id, amount in doc.get("_charges", []):
            await refund_credit(ctx, line_id, amount)
        _set_state(doc, "cancelled")
        await _cancel_request_state(ctx, doc, "done")
    else:
        await ctx.repo.save("productOrder", doc, due_at=None)
        return
    await ctx.repo.save("productOrder", doc, due_at=due)
    await emit(ctx, "productOrder", "ProductOrderStateChangeEvent", public(doc))


async def cancel_order(ctx: Ctx, body: Doc) -> Doc:
    order_ref = body.get("productOrder") or {}
    order = await ctx.repo.get("productOrder", str(order_ref.get("id", "")))
    if order is None:
        raise not_found("ProductOrder", str(order_ref.get("id", "")))
    if order["state"] not in OPEN_STATES:
        raise TmfError(
            409,
            "ORDER_NOT_CANCELLABLE",
            f"Order {order['id']} is {order['state']} and can no longer be cancelled",
        )
    number = await ctx.repo.next_number("cancelProductOrder")
    cid = f"CAN-{5100 + number}"
    cancel: Doc = {
        "id": cid,
        "href": href("cancelProductOrder", cid),
        "@type": "CancelProductOrder",
        "state": "acknowledged",
        "productOrder": {"id": order["id"], "href": order["href"], "@referredType": "ProductOrder"},
        "requestedCancellationDate": iso(),
    }
    if body.get("cancellationReason"):
        cancel["cancellationReason"] = body["cancellationReason"]
        order["cancellationReason"] = body["cancellationReason"]
    order["_cancel"] = cid
    owner_id = order["relatedParty"][0]["id"]
    await ctx.repo.put("cancelProductOrder", cancel, customer_id=owner_id)
    _set_state(order, "assessingCancellation")
    await ctx.repo.save("productOrder", order, due_at=ctx.clock.due_after(CANCEL_DELAY))
    await emit(ctx, "cancelProductOrder", "CancelProductOrderCreateEvent", cancel)
    await emit(ctx, "productOrder", "ProductOrderStateChangeEvent", public(order))
    return cancel


async def _cancel_request_state(ctx: Ctx, order: Doc, state: str) -> None:
    cancel = await ctx.repo.get("cancelProductOrder", str(order.get("_cancel", "")))
    if cancel is None:
        return
    cancel["state"] = state
    if state == "done":
        cancel["effectiveCancellationDate"] = iso()
    await ctx.repo.save("cancelProductOrder", cancel)
    await emit(ctx, "cancelProductOrder", "CancelProductOrderStateChangeEvent", cancel)
