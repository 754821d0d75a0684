"""TMF622 product ordering."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from bss import ordering
from bss.routes.common import get_resource, list_resources, write
from bss.shapes import API

Doc = dict[str, Any]
router = APIRouter(prefix=API["ordering"], tags=["TMF622 product ordering"])


@router.post("/productOrder")
async def create_order(request: Request) -> Response:
    return await write(request, ordering.create_order)


@router.get("/productOrder")
async def list_orders(request: Request) -> Response:
    return await list_resources(request, "productOrder")


@router.get("/productOrder/{oid}")
async def get_order(request: Request, oid: str) -> Response:
    return await get_resource(request, "productOrder", oid, "ProductOrder")


@router.post("/cancelProductOrder")
async def cancel_order(request: Request) -> Response:
    return await write(request, ordering.cancel_order)


@router.get("/cancelProductOrder")
async def list_cancellations(request: Request) -> Response:
    return await list_resources(request, "cancelProductOrder")


@router.get("/cancelProductOrder/{cid}")
async def get_cancellation(request: Request, cid: str) -> Response:
    return await get_resource(request, "cancelProductOrder", cid, "CancelProductOrder")
