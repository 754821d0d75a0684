"""The simulator as an ASGI app: `create_bss_app()` mounts every TMF router on one FastAPI
app, answers every refusal with a TMF `Error`, and runs the clock/delivery worker in its
lifespan. Without a lifespan (e.g. `httpx.ASGITransport`) it still works: each request first
takes whatever transitions are due."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Receive, Scope, Send

from bss.auth import Gate, GateMiddleware
from bss.errors import TmfError
from bss.routes import balance, billing, catalog, extension, hub, ordering, party, service
from bss.runtime import Simulator
from switchboard import clock
from switchboard.settings import Settings, get_settings

log = logging.getLogger("bss")
HUB_APIS = (
    "customer",
    "inventory",
    "catalog",
    "balance",
    "ordering",
    "bill",
    "ticket",
    "processFlow",
    "communication",
    "partyInteraction",
)


class CatchUpMiddleware:
    """Before each HTTP request: make sure the world is seeded and take any transition that is
    due, so the simulator is correct even when no worker runs (e.g. under ASGITransport)."""

    def __init__(self, app: ASGIApp, simulator: Simulator) -> None:
        self.app = app
        self.simulator = simulator

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            await self.simulator.ensure_ready()
            if self.simulator.maybe_due():
                await self.simulator.run_due()
        await self.app(scope, receive, send)


def create_bss_app(
    settings: Settings | None = None,
    *,
    database_url: str | None = None,
    clock_speed: float | None = None,
    listener_transport: httpx.AsyncBaseTransport | None = None,
    event_retry_base_s: float = 1.0,
    run_worker: bool = True,
) -> FastAPI:
    """Build the simulator app. `listener_transport` routes event deliveries (tests pass an
    `httpx.ASGITransport` to a listener app); `run_worker=False` leaves the clock to requests
    and to `POST /ext/v1/simulator/advance`."""
    settings = settings or get_settings()
    clock.configure(settings.clock_start)
    simulator = Simulator(
        database_url=database_url or settings.resolved_bss_database_url,
        clock_speed=clock_speed if clock_speed is not None else settings.bss_clock_speed,
        listener_transport=listener_transport,
        retry_base_s=event_retry_base_s,
    )

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        await simulator.ensure_ready()
        task = asyncio.create_task(simulator.run_worker()) if run_worker else None
        try:
            yield
        finally:
            simulator.stop()
            if task is not None:
                try:
                    await asyncio.wait_for(task, timeout=10)
                except TimeoutError:
                    log.warning("bss worker did not stop within 10 s")
            await simulator.close()

    app = FastAPI(
        title="Brightwave BSS simulator (TM Forum Open APIs v4)", version="4.0", lifespan=lifespan
    )
    app.state.sim = simulator
    app.state.gate = Gate.from_settings(settings)
    if app.state.gate is not None:
        app.add_middleware(GateMiddleware, gate=app.state.gate)
    for router in (
        party.customers,
        party.inventory,
        catalog.router,
        balance.router,
        ordering.router,
        billing.bills,
        billing.payments,
        service.ticket_router,
        service.flow_router,
        service.message_router,
        service.interaction_router,
        extension.router,
    ):
        app.include_router(router)
    for api in HUB_APIS:
        app.include_router(hub.hub_router(api))
    app.add_middleware(CatchUpMiddleware, simulator=simulator)

    @app.exception_handler(TmfError)
    async def tmf_error(_request: Request, exc: TmfError) -> Response:
        return JSONResponse(exc.body(), status_code=exc.status)

    @app.exception_handler(HTTPException)
    async def http_error(_request: Request, exc: HTTPException) -> Response:
        code = {404: "NOT_FOUND", 405: "METHOD_NOT_ALLOWED"}.get(exc.status_code, "HTTP_ERROR")
        return JSONResponse(
            {
                "@type": "Error",
                "code": code,
                "reason": str(exc.detail),
                "status": str(exc.status_code),
            },
            status_code=exc.status_code,
            headers=getattr(exc, "headers", None),
        )

    @app.exception_handler(RequestValidationError)
    async def invalid(_request: Request, exc: RequestValidationError) -> Response:
        first = exc.errors()[0] if exc.errors() else {"msg": "invalid request"}
        where = ".".join(str(p) for p in first.get("loc", ()))
        return JSONResponse(
            {
                "@type": "Error",
                "code": "INVALID_REQUEST",
                "reason": f"{where}: {first['msg']}",
                "status": "400",
            },
            status_code=400,
        )

    return app
