"""TMF620 product catalog, with per-product eligibility (`?eligibleFor=<productId>`)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from bss.catalog import addon_verdict, plan_verdict
from bss.context import Ctx
from bss.errors import not_found
from bss.inventory import addon_standing
from bss.routes.common import get_resource, list_resources
from bss.shapes import API, char_value

Doc = dict[str, Any]
router = APIRouter(prefix=API["catalog"], tags=["TMF620 product catalog"])


async def _annotate(ctx: Ctx, docs: list[Doc], product_id: str) -> list[Doc]:
    line = await ctx.repo.get("product", product_id)
    if line is None:
        raise not_found("Product", product_id)
    customer_id = line["relatedParty"][0]["id"]
    customer = await ctx.repo.get("customer", customer_id)
    segment = str(char_value(customer or {}, "segment", "postpaid", key="characteristic"))
    active, has_device = await addon_standing(ctx, line, customer_id)
    out = []
    for doc in docs:
        plan, addon = ctx.world.plan(doc["id"]), ctx.world.addon(doc["id"])
        if line.get("status") == "suspended":
            verdict_doc: Doc = {
                "eligible": False,
                "code": "LINE_SUSPENDED",
                "reason": "The line is suspended",
            }
        elif plan is not None:
            verdict_doc = plan_verdict(ctx.world, plan, segment=segment, line=line).as_doc()
        elif addon is not None:
            verdict_doc = addon_verdict(
                ctx.world,
                addon,
                segment=segment,
                line=line,
                active_addons=active,
                has_device=has_device,
            ).as_doc()
        else:
            verdict_doc = {
                "eligible": False,
                "code": "NOT_SELLABLE",
                "reason": "Sold in shops and online",
            }
        # extension (ADR 0002): the BSS's verdict for this product
        out.append({**doc, "eligibility": verdict_doc})
    return out


@router.get("/productOffering")
async def list_offerings(request: Request) -> Response:
    product_id = request.query_params.get("eligibleFor")

    async def extra(ctx: Ctx, docs: list[Doc]) -> list[Doc]:
        return await _annotate(ctx, docs, product_id) if product_id else docs

    return await list_resources(request, "productOffering", extra=extra, skip={"eligibleFor"})


@router.get("/productOffering/{oid}")
async def get_offering(request: Request, oid: str) -> Response:
    return await get_resource(request, "productOffering", oid, "ProductOffering")


@router.get("/productOfferingPrice")
async def list_prices(request: Request) -> Response:
    return await list_resources(request, "productOfferingPrice")


@router.get("/productOfferingPrice/{pid}")
async def get_price(request: Request, pid: str) -> Response:
    return await get_resource(request, "productOfferingPrice", pid, "ProductOfferingPrice")
