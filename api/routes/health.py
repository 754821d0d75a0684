"""Health (#2): /healthz says the process is alive; /readyz checks what a turn needs; /metrics
is the process's Prometheus metrics."""

from __future__ import annotations

import anyio
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST

from api.channels.outbox import refresh_outbox_gauge
from api.deps import require_staff
from api.schemas import Health
from switchboard import telemetry

router = APIRouter(tags=["health"])
CHECK_TIMEOUT_S = 3.0


@router.get("/healthz")
async def healthz() -> Health:
    """The process is alive."""
    return Health(status="ok")


@router.get(
    "/metrics",
    response_class=PlainTextResponse,
    responses={200: {"content": {CONTENT_TYPE_LATEST: {}}}, 401: {"description": "No token"}},
)
async def metrics(request: Request) -> Response:
    """Prometheus metrics of this process (switchboard/telemetry.py); the console token is needed
    unless SWITCHBOARD_METRICS_OPEN is set for a scrape-only network."""
    state = request.app.state.api
    if not state.settings.metrics_open:
        await require_staff(request, state)
    await refresh_outbox_gauge(state.runtime.sessionmaker)
    return Response(telemetry.render(), media_type=CONTENT_TYPE_LATEST)


@router.get("/readyz", responses={503: {"model": Health, "description": "A dependency failed"}})
async def readyz(request: Request) -> JSONResponse:
    """Database, vector store and BSS reachable; 503 naming the one that failed."""
    checks = request.app.state.api.runtime.readiness_checks
    results: dict[str, str] = {}

    async def run(name: str) -> None:
        try:
            with anyio.fail_after(CHECK_TIMEOUT_S):
                await checks[name]()
            results[name] = "ok"
        except TimeoutError:
            results[name] = "timeout"
        except Exception:  # a failing dependency is a result here, not an error
            results[name] = "failed"

    async with anyio.create_task_group() as tg:
        for name in checks:
            tg.start_soon(run, name)
    healthy = all(v == "ok" for v in results.values())
    body = Health(status="ok" if healthy else "unavailable", checks=dict(sorted(results.items())))
    return JSONResponse(body.model_dump(), status_code=200 if healthy else 503)
