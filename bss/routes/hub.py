"""`POST {api}/hub` / `DELETE {api}/hub/{id}` on every TMF API (listener registration)."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from bss.context import Ctx
from bss.errors import bad_request, not_found
from bss.routes.common import sim, write
from bss.shapes import API

Doc = dict[str, Any]


def hub_router(api: str) -> APIRouter:
    router = APIRouter(prefix=API[api], tags=["hub"])

    @router.post("/hub", name=f"register_listener_{api}")
    async def register(request: Request) -> Response:
        async def handler(ctx: Ctx, body: Doc) -> Doc:
            callback = body.get("callback")
            if not isinstance(callback, str) or not callback.startswith(("http://", "https://")):
                raise bad_request("callback must be an http(s) URL")
            sid = f"hub-{uuid.uuid4().hex[:12]}"
            query = body.get("query")
            await ctx.repo.add_subscription(sid, api, callback, query)
            doc: Doc = {"id": sid, "callback": callback}
            if query:
                doc["query"] = query
            return doc

        return await write(request, handler)

    @router.delete("/hub/{sid}", name=f"unregister_listener_{api}", status_code=204)
    async def unregister(request: Request, sid: str) -> Response:
        async with sim(request).transaction() as ctx:
            found = await ctx.repo.get_subscription(sid)
            if found is None or found["api"] != api:
                raise not_found("EventSubscription", sid)
            await ctx.repo.delete_subscription(sid)
        return Response(status_code=204)

    return router
