"""Plumbing shared by the TMF routers: the simulator from app state, JSON bodies, TMF lists,
idempotent writes and single-resource look-ups."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse, Response

from bss import query
from bss.context import Ctx
from bss.errors import bad_request, not_found
from bss.runtime import Simulator

Doc = dict[str, Any]


def sim(request: Request) -> Simulator:
    simulator: Simulator = request.app.state.sim
    return simulator


def strip_private(doc: Doc) -> Doc:
    return {k: v for k, v in doc.items() if not k.startswith("_")}


async def json_body(request: Request) -> tuple[bytes, Doc]:
    raw = await request.body()
    try:
        body = json.loads(raw or b"{}")
    except ValueError:
        raise bad_request("The request body is not valid JSON") from None
    if not isinstance(body, dict):
        raise bad_request("The request body must be a JSON object")
    return raw, body


async def list_resources(
    request: Request,
    kind: str,
    *,
    extra: Callable[[Ctx, list[Doc]], Awaitable[list[Doc]]] | None = None,
    skip: set[str] | None = None,
) -> Response:
    simulator = sim(request)
    owner = request.query_params.get("relatedParty.id")
    async with simulator.reading() as ctx:
        scoped = owner if kind != "productOffering" else None
        docs = await ctx.repo.list_docs(kind, customer_id=scoped)
        if extra is not None:
            docs = await extra(ctx, docs)
    page, total = query.select([strip_private(d) for d in docs], request.query_params, skip=skip)
    return JSONResponse(
        page, headers={"X-Total-Count": str(total), "X-Result-Count": str(len(page))}
    )


async def get_resource(request: Request, kind: str, rid: str, label: str) -> Response:
    async with sim(request).reading() as ctx:
        doc = await ctx.repo.get(kind, rid)
    if doc is None:
        raise not_found(label, rid)
    page, _ = query.select(
        [strip_private(doc)], request.query_params, skip=set(request.query_params) - {"fields"}
    )
    return JSONResponse(page[0])


async def write(
    request: Request, handler: Callable[[Ctx, Doc], Awaitable[Doc]], *, status: int = 201
) -> Response:
    """Run `handler` once per `Idempotency-Key`; replays carry `Idempotency-Replayed: true`."""
    raw, body = await json_body(request)

    async def run(ctx: Ctx) -> tuple[int, Doc]:
        return status, strip_private(await handler(ctx, body))

    code, doc, replayed = await sim(request).write(
        key=request.headers.get("Idempotency-Key"),
        method=request.method,
        path=request.url.path,
        raw=raw,
        handler=run,
    )  # type: ignore[arg-type]
    headers = {"Idempotency-Replayed": "true"} if replayed else {}
    if isinstance(doc, dict) and doc.get("href"):
        headers["Location"] = str(doc["href"])
    return JSONResponse(doc, status_code=code, headers=headers)
