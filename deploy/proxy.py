"""A round-robin reverse proxy for the process topology (deploy/topology.py), standing in for the
nginx of deploy/compose.yaml: each request goes to the next replica, streamed both ways (SSE
included), with the client's address in X-Forwarded-For. Not for production: use nginx, a cloud
load balancer or the orchestrator's ingress.

    python deploy/proxy.py PORT http://127.0.0.1:8001 http://127.0.0.1:8002
"""

from __future__ import annotations

import itertools
import sys
from collections.abc import AsyncIterator

import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "upgrade", "host", "content-length"}


def create_proxy(upstreams: list[str]) -> Starlette:
    turn = itertools.cycle(upstreams)
    client = httpx.AsyncClient(timeout=httpx.Timeout(60, read=None))

    async def forward(request: Request) -> Response:
        upstream = next(turn)
        headers = {k: v for k, v in request.headers.items() if k.lower() not in HOP_BY_HOP}
        peer = request.client.host if request.client else ""
        headers["x-forwarded-for"] = peer
        outgoing = client.build_request(
            request.method,
            upstream + request.url.path,
            params=request.query_params,
            headers=headers,
            content=request.stream(),
        )
        try:
            response = await client.send(outgoing, stream=True)
        except httpx.HTTPError:
            return Response(b'{"error":{"code":"bad_gateway","message":"Try again."}}', 502)
        return StreamingResponse(
            _body(response),
            status_code=response.status_code,
            headers={k: v for k, v in response.headers.items() if k.lower() not in HOP_BY_HOP},
            background=BackgroundTask(response.aclose),
        )

    async def _body(response: httpx.Response) -> AsyncIterator[bytes]:
        async for chunk in response.aiter_raw():
            yield chunk

    methods = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]
    return Starlette(routes=[Route("/{path:path}", forward, methods=methods)])


if __name__ == "__main__":
    port, *upstreams = sys.argv[1:]
    uvicorn.run(create_proxy(upstreams), host="127.0.0.1", port=int(port), log_level="warning")
