"""The channels' moving parts for one app: the bridge's task group, the outbox worker, the
senders built from settings, the helpdesk relay, the notice dispatcher and the BSS hub
subscription — started and stopped by `channel_lifespan`, which FastAPI merges into the app's
lifespan when the webhook router is included. It sits beside api/app.py, above the channels,
the desk and the notices it composes (none of them imports it); routes reach it as `Hub`.

Tests set `app.state.channel_options` (a `ChannelOptions`) before the lifespan starts to route
provider calls to a fake server and to skip the hub subscription."""

from __future__ import annotations

import hashlib
import hmac
import logging
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial
from typing import Annotated, Any

import anyio
import httpx
from fastapi import Depends, FastAPI, Request

from api.channels.bridge import ChannelBridge
from api.channels.identity import make_lookup
from api.channels.outbox import OutboxWorker
from api.channels.sender import Sender
from api.channels.sms import TwilioSender
from api.channels.telegram import TelegramSender
from api.channels.whatsapp import WhatsAppSender
from api.desk.bridge import HelpdeskSender, relay_handoffs
from api.notices.bss_events import register_bss_listener, unregister_bss_listener
from api.notices.dispatch import NoticeDispatcher
from api.notices.keywords import answer_keyword
from switchboard.settings import Settings

log = logging.getLogger(__name__)


@dataclass
class ChannelOptions:
    transport: httpx.AsyncBaseTransport | None = None  # provider HTTP (tests: a fake server)
    register_listener: bool = True
    poll_s: float = 1.0
    retry_base_s: float = 2.0


@dataclass
class ChannelHub:
    settings: Settings
    sessionmaker: Any
    bus: Any
    bridge: ChannelBridge
    worker: OutboxWorker
    notices: NoticeDispatcher
    bss: Any = None
    listener_key: str = ""
    subscriptions: list[tuple[str, str]] = field(default_factory=list)

    def wake(self) -> None:
        self.worker.wake()

    def wake_notices(self) -> None:
        self.notices.wake()


def listener_key(settings: Settings) -> str:
    """The secret path segment of our BSS listener URL (the hub has no signatures)."""
    secret = settings.resolved_token_secret().encode()
    return hmac.new(secret, b"bss-listener", hashlib.sha256).hexdigest()[:32]


def build_senders(settings: Settings, http: httpx.AsyncClient) -> dict[str, Sender]:
    """A sender for each channel whose credentials are set; the others stay in the outbox."""
    senders: dict[str, Sender] = {}
    if settings.whatsapp_access_token and settings.whatsapp_phone_number_id:
        senders["whatsapp"] = WhatsAppSender(
            http,
            access_token=settings.whatsapp_access_token.get_secret_value(),
            phone_number_id=settings.whatsapp_phone_number_id,
        )
    if settings.twilio_account_sid and settings.twilio_auth_token and settings.twilio_from_number:
        senders["sms"] = TwilioSender(
            http,
            account_sid=settings.twilio_account_sid,
            auth_token=settings.twilio_auth_token.get_secret_value(),
            from_number=settings.twilio_from_number,
            base_url=settings.twilio_api_url,
        )
    if settings.telegram_bot_token:
        senders["telegram"] = TelegramSender(
            http, bot_token=settings.telegram_bot_token.get_secret_value()
        )
    if settings.helpdesk_webhook_url and settings.helpdesk_secret:
        senders["helpdesk"] = HelpdeskSender(
            http,
            url=settings.helpdesk_webhook_url,
            secret=settings.helpdesk_secret.get_secret_value(),
        )
    return senders


def bss_of(runtime: Any) -> Any:
    """The runtime's BSS client (ApiRuntime does not carry it yet: found via the service)."""
    found = getattr(runtime, "bss", None)
    if found is None:
        found = getattr(getattr(runtime.service, "deps", None), "bss", None)
    return found


def get_hub(app: FastAPI) -> ChannelHub:
    hub: ChannelHub = app.state.channels
    return hub


def hub_dependency(request: Request) -> ChannelHub:
    return get_hub(request.app)


Hub = Annotated[ChannelHub, Depends(hub_dependency)]


@asynccontextmanager
async def channel_lifespan(app: FastAPI) -> AsyncIterator[None]:
    state = app.state.api  # set by the app's own lifespan, which runs around this one
    options: ChannelOptions = getattr(app.state, "channel_options", None) or ChannelOptions()
    settings, runtime = state.settings, state.runtime
    async with AsyncExitStack() as stack:
        http = await stack.enter_async_context(
            httpx.AsyncClient(transport=options.transport, timeout=10.0)
        )
        worker = OutboxWorker(
            runtime.sessionmaker,
            build_senders(settings, http),
            poll_s=options.poll_s,
            base_s=options.retry_base_s,
            lease=timedelta(seconds=settings.outbox_lease_s),
        )
        bss = bss_of(runtime)
        async with anyio.create_task_group() as tg:
            bridge = ChannelBridge(
                sessionmaker=runtime.sessionmaker,
                service=runtime.service,
                settings=settings,
                lookup=make_lookup(bss=bss, directory=runtime.customers),
                task_group=tg,
                on_outbox=worker.wake,
                surveys=state.surveys,
                keywords=answer_keyword,
            )
            notices = NoticeDispatcher(
                runtime.sessionmaker, runtime.bus, settings, on_outbox=worker.wake, bss=bss
            )
            hub = ChannelHub(
                settings,
                runtime.sessionmaker,
                runtime.bus,
                bridge,
                worker,
                notices,
                bss,
                listener_key=listener_key(settings),
            )
            app.state.channels = hub
            tg.start_soon(worker.run)
            if settings.helpdesk_webhook_url and settings.helpdesk_secret:
                url = settings.helpdesk_webhook_url
                tg.start_soon(
                    partial(
                        relay_handoffs, runtime.sessionmaker, runtime.bus, url=url, wake=worker.wake
                    )
                )
            if settings.notice_worker:  # `make run`: one worker inside the server
                tg.start_soon(notices.run)
            if bss is not None and options.register_listener:
                callback = (
                    f"{settings.public_base_url.rstrip('/')}/v1/bss/events/{hub.listener_key}"
                )
                try:
                    hub.subscriptions = await register_bss_listener(bss, callback)
                except Exception:
                    log.warning("BSS hub subscription failed; no proactive notifications")
            try:
                yield
            finally:
                with anyio.move_on_after(10, shield=True):
                    await bridge.drain()  # let running turns finish and write their outbox
                    await notices.stop()
                    await worker.stop()
                    if hub.subscriptions:
                        await unregister_bss_listener(bss, hub.subscriptions)
                tg.cancel_scope.cancel()
