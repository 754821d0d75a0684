"""TMF654 prepay balance management."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from bss import balance
from bss.context import Ctx
from bss.errors import not_found
from bss.routes.common import get_resource, list_resources, sim, write
from bss.shapes import API

Doc = dict[str, Any]
router = APIRouter(prefix=API["balance"], tags=["TMF654 prepay balance"])


@router.get("/bucket")
async def list_buckets(request: Request) -> Response:
    return await list_resources(request, "bucket")


@router.get("/bucket/{bid}")
async def get_bucket(request: Request, bid: str) -> Response:
    return await get_resource(request, "bucket", bid, "Bucket")


@router.get("/accumulatedBalance")
async def list_accumulated(request: Request) -> Response:
    async def extra(ctx: Ctx, _docs: list[Doc]) -> list[Doc]:
        return await balance.accumulated(ctx, request.query_params.get("relatedParty.id"))

    return await list_resources(request, "accumulatedBalance", extra=extra)


@router.get("/accumulatedBalance/{aid}")
async def get_accumulated(request: Request, aid: str) -> Response:
    async with sim(request).reading() as ctx:
        docs = await balance.accumulated(ctx, None)
    doc = next((d for d in docs if d["id"] == aid), None)
    if doc is None:
        raise not_found("AccumulatedBalance", aid)
    return JSONResponse(doc)


@router.post("/topupBalance")
async def create_topup(request: Request) -> Response:
    return await write(request, balance.topup)


@router.get("/topupBalance")
async def list_topups(request: Request) -> Response:
    return await list_resources(request, "topupBalance")


@router.get("/topupBalance/{tid}")
async def get_topup(request: Request, tid: str) -> Response:
    return await get_resource(request, "topupBalance", tid, "TopupBalance")
