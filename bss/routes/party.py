"""TMF629 customers and TMF637 product inventory."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from bss.clock import iso
from bss.context import Ctx
from bss.errors import bad_request, not_found, rule
from bss.events import emit
from bss.routes.common import get_resource, list_resources, write
from bss.shapes import API, char_value, set_char

Doc = dict[str, Any]
customers = APIRouter(prefix=API["customer"], tags=["TMF629 customer"])
inventory = APIRouter(prefix=API["inventory"], tags=["TMF637 product inventory"])


@customers.get("/customer")
async def list_customers(request: Request) -> Response:
    return await list_resources(request, "customer")


@customers.get("/customer/{cid}")
async def get_customer(request: Request, cid: str) -> Response:
    return await get_resource(request, "customer", cid, "Customer")


@customers.patch("/customer/{cid}")
async def patch_customer(request: Request, cid: str) -> Response:
    """Account settings as customer characteristics: `autopay` (bool), `autopayDay` (1-28)."""

    async def handler(ctx: Ctx, body: Doc) -> Doc:
        doc = await ctx.repo.get("customer", cid)
        if doc is None:
            raise not_found("Customer", cid)
        engaged = body.get("engagedParty") or doc["engagedParty"]
        if engaged.get("id") != doc["engagedParty"]["id"]:
            raise bad_request("engagedParty cannot be changed")
        unknown = set(body) - {"characteristic", "engagedParty", "@type"}
        if unknown:
            raise bad_request(f"Only characteristic can be changed here, not {sorted(unknown)}")
        changes = {str(c["name"]): c.get("value") for c in body.get("characteristic") or []}
        if set(changes) - {"autopay", "autopayDay", "autopayMethod"}:
            raise bad_request("Settable characteristics: autopay, autopayDay, autopayMethod")
        if char_value(doc, "segment", key="characteristic") == "prepaid" and changes.get("autopay"):
            raise rule("INELIGIBLE_OFFERING", "Autopay is for bills; prepaid lines top up instead")
        day = changes.get("autopayDay")
        if day is not None and not (isinstance(day, int) and 1 <= day <= 28):
            raise bad_request("autopayDay must be a day of the month from 1 to 28")
        if changes.get("autopay") is True and not (
            day or char_value(doc, "autopayDay", 0, key="characteristic")
        ):
            raise bad_request("Turning autopay on needs autopayDay (1-28)")
        methods = {m["id"] for m in doc.get("paymentMethod") or []}
        if "autopayMethod" in changes and changes["autopayMethod"] not in methods:
            raise rule("UNKNOWN_PAYMENT_METHOD", "That payment method is not on the account")
        for name, value in changes.items():
            set_char(doc, name, value, key="characteristic")
        await ctx.repo.save("customer", doc)
        await emit(ctx, "customer", "CustomerAttributeValueChangeEvent", doc)
        return doc

    return await write(request, handler, status=200)


@inventory.get("/product")
async def list_products(request: Request) -> Response:
    return await list_resources(request, "product")


@inventory.get("/product/{pid}")
async def get_product(request: Request, pid: str) -> Response:
    return await get_resource(request, "product", pid, "Product")


@inventory.patch("/product/{pid}")
async def patch_product(request: Request, pid: str) -> Response:
    """Immediate state changes only: `status: suspended` blocks a line at once (lost or stolen
    phone); `status: active` reactivates it (an agent's action). Everything else is ordered
    through TMF622."""

    async def handler(ctx: Ctx, body: Doc) -> Doc:
        doc = await ctx.repo.get("product", pid)
        if doc is None:
            raise not_found("Product", pid)
        unknown = set(body) - {"status", "productCharacteristic", "@type"}
        if unknown or "status" not in body:
            raise bad_request(
                "PATCH /product changes status only; use a productOrder for "
                "plans, add-ons and features"
            )
        reasons = {str(c["name"]): c.get("value") for c in body.get("productCharacteristic") or []}
        if set(reasons) - {"suspensionReason"}:
            raise bad_request("Only the suspensionReason characteristic goes with a status change")
        status = body["status"]
        current = doc.get("status")
        if (current, status) not in {("active", "suspended"), ("suspended", "active")}:
            raise rule(
                "INVALID_STATE_TRANSITION",
                f"Product {pid} cannot go from {current} to {status}",
                409,
            )
        doc["status"] = status
        set_char(
            doc,
            "suspensionReason",
            reasons.get("suspensionReason", "customerRequest") if status == "suspended" else "none",
        )
        set_char(doc, "statusChangeDate", iso())
        await ctx.repo.save("product", doc)
        await emit(ctx, "product", "ProductStateChangeEvent", doc)
        return doc

    return await write(request, handler, status=200)
