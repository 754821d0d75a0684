"""Acceptance (issue 19), end to end on the embedded defaults (the local engine, the real tools,
the built-in simulator): a fault reported in the widget becomes a ticket; the simulator moves it
through its steps; each step reaches the widget live (SSE) and the customer's line by SMS; and
"is it fixed?" is answered from the ticket, before and after it is fixed."""

from __future__ import annotations

import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest
from fastapi import FastAPI

from api.app import create_app
from api.hub import ChannelHub, ChannelOptions
from api.notices.bss_events import register_bss_listener
from assistant.local import LocalChatModel, make_local_model
from assistant.service.runtime import Runtime, build_runtime
from tests.api.channels.conftest import (
    ALICE,
    PUBLIC,
    FakeProvider,
    channel_settings,
    with_channels,
)
from tests.api.conftest import FrameReader, in_own_task, live_server, parse_frames

pytestmark = [pytest.mark.slow, pytest.mark.model]
CACHE = Path(tempfile.gettempdir()) / "switchboard-test-cache"
TWILIO = {"twilio_account_sid": "AC" + "a" * 32, "twilio_from_number": "+447700900500"}


@pytest.fixture(scope="module")
def local_engine() -> LocalChatModel:
    return make_local_model(cache_dir=CACHE)


@asynccontextmanager
async def _stack(
    settings: Any, model: LocalChatModel, provider: FakeProvider
) -> AsyncIterator[tuple[FastAPI, Runtime]]:
    async with build_runtime(settings, model=model, with_retriever=False) as runtime:
        app = with_channels(create_app(settings, runtime=runtime, ping_s=0.5))
        app.state.channel_options = ChannelOptions(
            transport=httpx.MockTransport(provider.handler), register_listener=False, poll_s=0.05
        )
        async with app.router.lifespan_context(app):
            yield app, runtime


async def _say(web: httpx.AsyncClient, cid: str, text: str, n: int, headers: Any) -> dict[str, Any]:
    turn = await web.post(
        f"/v1/conversations/{cid}/messages",
        json={"text": text, "client_message_id": f"w{n}"},
        headers=headers,
    )
    assert turn.status_code == 200, turn.text
    [done] = [f for f in parse_frames(turn.text) if f.event == "turn.completed"]
    return done.data


async def test_fault_ticket_steps_reach_widget_and_sms(
    tmp_path: Path, local_engine: LocalChatModel
) -> None:
    # a clock that does not move the ticket by itself: the test moves it (`advance`)
    settings = channel_settings(tmp_path, bss_clock_speed=1.0, **TWILIO)
    provider = FakeProvider()
    async with (
        in_own_task(_stack(settings, local_engine, provider)) as (app, runtime),
        live_server(app) as url,
        httpx.AsyncClient(base_url=url, timeout=30) as web,
    ):
        hub: ChannelHub = app.state.channels
        sim = runtime.bss_app.state.sim
        sim.deliverer.transport = httpx.ASGITransport(app=app)
        await register_bss_listener(runtime.bss, f"{PUBLIC}/v1/bss/events/{hub.listener_key}")

        token = (await web.post("/v1/demo/session", json={"msisdn": ALICE})).json()["token"]
        headers = {"Authorization": f"Bearer {token}"}
        web.cookies.clear()
        cid = (await web.post("/v1/conversations", headers=headers)).json()["conversation_id"]
        # the no-signal journey (issue 18) asks where first: outages there are checked before a
        # fault is reported
        asked = await _say(web, cid, "I have no signal at home, please report a fault", 1, headers)
        assert asked["outcome"] == "clarified" and "postcode" in asked["text"], asked["text"]
        quote = await _say(web, cid, "M1 4BT", 2, headers)
        assert quote["outcome"] == "proposed" and "report_fault" in quote["tools"], quote["text"]
        opened = await _say(web, cid, "yes", 3, headers)
        assert opened["outcome"] == "acted"
        [ticket] = [
            t
            for t in await runtime.bss.list_tickets(customer_id="cust-001", open_only=True)
            if t.ticket_type == "fault"
        ]
        assert ticket.id in opened["text"] and ticket.status == "acknowledged"

        prefix = f"Update on your fault ticket {ticket.id}: it is now"
        steps = [
            (60, f"{prefix} in progress. Assigned to a specialist.", "in progress"),
            (4 * 3600, f"{prefix} resolved. Resolved by the specialist team.", "resolved"),
        ]
        async with web.stream(
            "GET", f"/v1/conversations/{cid}/events", params={"after": 0}, headers=headers
        ) as stream:
            reader = FrameReader(stream)
            await reader.until(lambda fs: any(f.event == "turn.completed" for f in fs[3:]))
            for n, (seconds, text, answer) in enumerate(steps, start=4):
                await sim.advance(seconds)
                await sim.deliver()
                live = await reader.until(lambda fs: any(f.event == "notification" for f in fs))
                [note] = [f for f in live if f.event == "notification"]
                assert note.data == {
                    "kind": "ticket",
                    "text": text,
                    "ref": ticket.id,
                    "state": note.data["state"],
                }
                await hub.worker.deliver_due()
                sms = [parse_qs(r.content.decode()) for r in provider.requests]
                assert sms[-1]["Body"] == [text]
                assert all(s["To"] == [ALICE] for s in sms)
                # an explicit status question after each notice ("is it fixed?" right after the
                # journey itself: tests/assistant/test_local_e2e.py)
                status = await _say(web, cid, "any news on my fault ticket?", n, headers)
                assert status["capability"] == "request_status"
                assert "get_request_status" in status["tools"]
                assert ticket.id in status["text"] and answer in status["text"], status["text"]
        assert len(provider.requests) == len(steps)  # one SMS per step, none twice
