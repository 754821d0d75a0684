"""Channel fixtures: the real app over the real runtime (conversation service, tools, built-in
BSS simulator) with a scripted chat model, and a fake provider server (WhatsApp Cloud API,
Twilio, Telegram) behind an httpx.MockTransport that records what was sent."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from langchain_core.messages import AIMessage

from api.app import create_app
from api.hub import ChannelHub, ChannelOptions
from api.routes import channel_routers as routers
from assistant.service.runtime import Runtime, build_runtime
from switchboard.settings import Settings
from tests.api.conftest import in_own_task, make_settings
from tests.fakes.scripted_model import ScriptedChatModel

SPECS = Path(__file__).resolve().parents[4] / "shared" / "specs" / "channels"
if not SPECS.exists():  # the shared brief sits beside the repository
    SPECS = Path("/work/shared/specs/channels")
APP_SECRET = "test-app-secret"
VERIFY_TOKEN = "meatyhamhock"
TWILIO_TOKEN = "test-auth-token"
TELEGRAM_SECRET = "tg-secret_token-1"
CONSOLE_TOKEN = "c" * 40
PUBLIC = "https://assistant.example.com"
ALICE = "+447700900001"  # prepaid demo customer
STRANGER = "+447700900999"  # a UK drama-range number that is nobody's line
HELPDESK_HOST = "desk.example.com"  # an operator's own helpdesk (the bridge's webhook)


def spec(path: str) -> Any:
    return json.loads((SPECS / path).read_text())


def channel_settings(tmp_path: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "whatsapp_app_secret": APP_SECRET,
        "whatsapp_verify_token": VERIFY_TOKEN,
        "twilio_auth_token": TWILIO_TOKEN,
        "telegram_secret_token": TELEGRAM_SECRET,
        "console_token": CONSOLE_TOKEN,
        "public_base_url": PUBLIC,
        "bss_clock_speed": 1e9,
    }
    values.update(overrides)
    return make_settings(tmp_path, **values)


@dataclass
class FakeProvider:
    """Answers like the three providers; `fail_next` answers that many requests with 500."""

    requests: list[httpx.Request] = field(default_factory=list)
    fail_next: int = 0

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.fail_next > 0:
            self.fail_next -= 1
            return httpx.Response(500, json={"error": "try later"})
        if request.url.host == "graph.facebook.com":
            return httpx.Response(200, json=spec("whatsapp/send-text.response.json"))
        if request.url.host == "api.twilio.com":
            return httpx.Response(201, json={"sid": "SM" + "0" * 32, "status": "queued"})
        if request.url.host == "api.telegram.org":
            return httpx.Response(200, json={"ok": True, "result": {"message_id": 7}})
        if request.url.host == HELPDESK_HOST:
            return httpx.Response(202)
        return httpx.Response(404)


def whatsapp_body(text: str, *, wamid: str, sender: str = ALICE) -> bytes:
    """A Cloud API webhook shaped like Meta's example, from `sender` (E.164)."""
    payload = spec("whatsapp/inbound-text-message.webhook.json")
    value = payload["entry"][0]["changes"][0]["value"]
    wa_id = sender.lstrip("+")
    value["contacts"][0]["wa_id"] = wa_id
    value["messages"][0].update({"from": wa_id, "id": wamid, "text": {"body": text}})
    return json.dumps(payload).encode()


def sign(body: bytes, secret: str = APP_SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


@dataclass
class Channels:
    app: FastAPI
    client: httpx.AsyncClient
    settings: Settings
    runtime: Runtime
    provider: FakeProvider
    staff: dict[str, str] = field(
        default_factory=lambda: {"Authorization": f"Bearer {CONSOLE_TOKEN}"}
    )

    @property
    def hub(self) -> ChannelHub:
        hub: ChannelHub = self.app.state.channels
        return hub

    async def whatsapp(self, text: str, *, wamid: str, sender: str = ALICE) -> httpx.Response:
        body = whatsapp_body(text, wamid=wamid, sender=sender)
        headers = {"X-Hub-Signature-256": sign(body), "Content-Type": "application/json"}
        return await self.client.post("/v1/webhooks/whatsapp", content=body, headers=headers)

    async def desk(self, agent: str = "sam", *, role: str = "agent") -> dict[str, str]:
        """Headers of `agent`'s desk session (created through the admin API first)."""
        return await desk_session(self.client, self.staff, agent, role=role)

    async def settle(self) -> None:
        """Every accepted message's turn has run and the outbox had a delivery round."""
        await self.hub.bridge.drain()
        await self.hub.worker.deliver_due()

    async def outbox(self, **params: Any) -> list[dict[str, Any]]:
        response = await self.client.get("/v1/admin/outbox", params=params, headers=self.staff)
        assert response.status_code == 200, response.text
        rows: list[dict[str, Any]] = response.json()
        return rows


AGENT_PASSWORD = "correct horse battery"


async def desk_session(
    client: httpx.AsyncClient, staff: dict[str, str], agent: str, *, role: str = "agent"
) -> dict[str, str]:
    """Create (or update) the desk agent `agent` with the admin API and sign them in."""
    details = {"name": agent.title(), "role": role, "password": AGENT_PASSWORD}
    saved = await client.put(f"/v1/admin/agents/{agent}", json=details, headers=staff)
    assert saved.status_code == 200, saved.text
    signed = await client.post(
        "/v1/console/session", json={"agent": agent, "password": AGENT_PASSWORD}
    )
    assert signed.status_code == 200, signed.text
    client.cookies.clear()  # tests pass sessions explicitly
    return {"Authorization": f"Bearer {signed.json()['token']}"}


def with_channels(app: FastAPI) -> FastAPI:
    """Include the channel routers unless the app already does (FastAPI keeps an included
    router as one route that remembers it: `original_router`)."""
    included = {id(getattr(r, "original_router", None)) for r in app.routes}
    for router in routers:
        if id(router) not in included:
            app.include_router(router)
    return app


@asynccontextmanager
async def _stack(
    settings: Settings, script: list[AIMessage], provider: FakeProvider
) -> AsyncIterator[tuple[FastAPI, Runtime]]:
    model = ScriptedChatModel(script=script)
    async with build_runtime(settings, model=model, with_retriever=False) as runtime:
        app = with_channels(create_app(settings, runtime=runtime, ping_s=0.5))
        app.state.channel_options = ChannelOptions(
            transport=httpx.MockTransport(provider.handler),
            register_listener=False,
            poll_s=0.05,
            retry_base_s=0.01,
        )
        async with app.router.lifespan_context(app):
            yield app, runtime


@asynccontextmanager
async def running_channels(
    settings: Settings, script: list[AIMessage] | None = None
) -> AsyncIterator[Channels]:
    provider = FakeProvider()
    async with in_own_task(_stack(settings, script or [], provider)) as (app, runtime):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=PUBLIC) as client:
            yield Channels(app, client, settings, runtime, provider)


MakeChannels = Callable[..., Any]


@pytest.fixture
def make_channels(tmp_path: Path) -> MakeChannels:
    """`async with make_channels(script, **settings) as ch:` — the app with channels."""

    def make(script: list[AIMessage] | None = None, **overrides: Any) -> Any:
        return running_channels(channel_settings(tmp_path, **overrides), script)

    return make
