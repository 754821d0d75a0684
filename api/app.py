"""The FastAPI application: `create_app()` is the factory `switchboard serve` runs."""

from __future__ import annotations

import html
import inspect
import logging
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import anyio
from fastapi import FastAPI
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles
from redis.asyncio import Redis
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from api.auth import TokenCodec
from api.body_limit import BodyLimit
from api.deps import ApiState
from api.errors import install_error_handlers
from api.limits import Limits, MemoryLimits, RedisLimits
from api.lookup import ConversationLookup
from api.routes import channel_routers, conversations, demo, health, session
from api.runtime import adapt_runtime
from api.sse import TurnRunner
from api.surveys import SurveyDesk
from bss.world import with_demo_identity
from switchboard import clock, currency
from switchboard.settings import Settings, get_settings

log = logging.getLogger(__name__)
STATIC = Path(__file__).resolve().parent / "static"
_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; connect-src 'self'; "
    "img-src 'self' data:; object-src 'none'; base-uri 'none'"
)


def create_app(
    settings: Settings | None = None,
    *,
    runtime: Any = None,
    ping_s: float = 15.0,
    shutdown_grace_s: float = 10.0,
) -> FastAPI:
    """The API app. Without `runtime`, its lifespan builds one with `build_runtime(settings)`.

    `ping_s` is the keep-alive interval of SSE streams (tests shorten it). On shutdown, turns
    still running get `shutdown_grace_s` to finish before they are cancelled."""
    settings = with_demo_identity(settings or get_settings())
    clock.configure(settings.clock_start)
    if settings.currency:
        currency.configure(settings.currency, settings.locale)
    codec = TokenCodec(settings)  # configuration mistakes surface now, not at the first request
    if settings.demo:
        settings.resolved_console_token()  # var/console-token exists before an agent signs in

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with AsyncExitStack() as stack:
            built = await _enter_runtime(runtime, settings, stack)
            limits: Limits = MemoryLimits()
            if settings.redis_url:
                redis = Redis.from_url(settings.redis_url)
                stack.push_async_callback(redis.aclose)
                limits = RedisLimits(redis)
            api_runtime = adapt_runtime(built)
            lookup = ConversationLookup.beside(api_runtime.sessionmaker)
            stack.push_async_callback(lookup.aclose)
            async with anyio.create_task_group() as tg:
                recover = getattr(api_runtime.service, "recover_actions", None)
                if recover is not None:
                    await _recover(recover, settings)  # before the first request is served
                    tg.start_soon(_recovery_loop, recover, settings)
                surveys = SurveyDesk(api_runtime.sessionmaker, api_runtime.bus, settings)
                tg.start_soon(_survey_loop, surveys)
                app.state.api = ApiState(
                    settings=settings,
                    runtime=api_runtime,
                    codec=codec,
                    limits=limits,
                    turns=TurnRunner(tg),
                    lookup=lookup,
                    surveys=surveys,
                    ping_s=ping_s,
                )
                yield
                await app.state.api.turns.drain(shutdown_grace_s)
                tg.cancel_scope.cancel()

    app = FastAPI(
        title="Switchboard API",
        version="1",
        summary="Conversations with the Switchboard assistant over SSE (docs/api.md).",
        lifespan=lifespan,
    )
    install_error_handlers(app)
    core = (conversations.router, session.router, demo.router, health.router)
    for router in (*core, *channel_routers):  # channel routers carry the channels' lifespan
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    page, csp = _widget_page(settings)
    brand_css = f":root {{ --sb-brand: {settings.widget_colour}; }}\n"

    @app.get("/", include_in_schema=False)
    async def widget_page() -> HTMLResponse:
        return HTMLResponse(page, headers={"Content-Security-Policy": csp})

    @app.get("/brand.css", include_in_schema=False)
    async def brand_stylesheet() -> Response:
        return Response(brand_css, media_type="text/css")

    app.add_middleware(
        BodyLimit,
        max_bytes=settings.max_message_chars * 4 + 16_384,
        webhook_max_bytes=settings.max_webhook_bytes,
    )
    if settings.trusted_proxies:  # outermost: the client address is known before anything runs
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.trusted_proxies)
    return app


def _widget_page(settings: Settings) -> tuple[str, str]:
    """The widget's page with the operator's name and logo, and its CSP (which allows the logo's
    origin when it is on another host)."""
    logo, csp = "", _CSP
    if settings.widget_logo_url:
        src = html.escape(settings.widget_logo_url, quote=True)
        logo = f'<img class="sb-logo" src="{src}" alt="">'
        if settings.widget_logo_url.startswith("https://"):
            parts = urlsplit(settings.widget_logo_url)
            csp = csp.replace(
                "img-src 'self' data:", f"img-src 'self' data: https://{parts.netloc}"
            )
    page = (
        (STATIC / "index.html")
        .read_text()
        .replace("{{brand}}", html.escape(settings.brand))
        .replace("{{logo}}", logo)
    )
    return page, csp


async def _recover(recover: Any, settings: Settings) -> None:
    try:
        await recover(older_than_s=settings.action_recovery_after_s)
    except Exception:  # the next sweep tries again; serving must not stop for it
        log.exception("action recovery sweep failed")


async def _recovery_loop(recover: Any, settings: Settings) -> None:
    while True:
        await anyio.sleep(settings.action_recovery_interval_s)
        await _recover(recover, settings)


async def _survey_loop(surveys: SurveyDesk, interval_s: float = 60.0) -> None:
    """Ask the resolved conversations that went quiet (api/surveys.py)."""
    while True:
        await anyio.sleep(interval_s)
        try:
            await surveys.sweep_idle()
        except Exception:  # the next round tries again
            log.exception("survey sweep failed")


async def _enter_runtime(runtime: Any, settings: Settings, stack: AsyncExitStack) -> Any:
    """The runtime given (an instance, an awaitable or an async context manager), or one built
    by `assistant.service.runtime.build_runtime(settings)`; whatever needs closing closes with
    the app."""
    built: Any = runtime
    if built is None:
        from assistant.service.runtime import (
            build_runtime,  # heavy (models, index): import on start
        )

        built = build_runtime(settings)
    if hasattr(built, "__aenter__"):
        return await stack.enter_async_context(built)
    if inspect.isawaitable(built):
        built = await built
    closer = getattr(built, "aclose", None)
    if closer is not None:
        stack.push_async_callback(closer)
    return built
