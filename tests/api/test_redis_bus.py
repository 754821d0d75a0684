"""Many replicas: with Redis, a live event produced on one replica reaches a stream on another."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from redis.asyncio import Redis

from switchboard.db.eventlog import StoredEvent
from switchboard.redis_bus import RedisBus
from tests.api.conftest import REDIS_URL, FrameReader, live_server, make_settings, running_api

pytestmark = pytest.mark.redis


@pytest.fixture(autouse=True)
async def _redis_available() -> AsyncIterator[None]:
    client = Redis.from_url(REDIS_URL)
    try:
        await client.ping()
        await client.flushdb()
    except OSError as exc:
        pytest.skip(f"Redis is not reachable at {REDIS_URL}: {exc}")
    finally:
        await client.aclose()
    yield


async def test_bus_delivers_between_two_connections() -> None:
    async with RedisBus.connect(REDIS_URL) as one, RedisBus.connect(REDIS_URL) as two:
        async with two.subscribe("c1") as queue:
            event = StoredEvent(
                "c1", 7, "notification", {"kind": "outage", "text": "x", "ref": None}
            )
            await one.publish(event)
            await one.publish(StoredEvent("other", 1, "token", {"text": "no"}))
            got = await asyncio.wait_for(queue.get(), 5)
            assert got == event
            await asyncio.sleep(0.1)
            assert queue.empty()  # nothing from conversations it did not subscribe to


async def test_a_live_event_from_replica_a_reaches_a_stream_on_replica_b(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, redis_url=REDIS_URL)
    async with (
        running_api(settings) as replica_a,
        running_api(settings) as replica_b,
        live_server(replica_b.app) as base_b,
    ):
        assert replica_a.app.state.api.runtime.bus is not replica_b.app.state.api.runtime.bus
        headers = await replica_a.sign_in()
        cid = await replica_a.conversation(headers)
        async with httpx.AsyncClient(timeout=10) as client:
            url = f"{base_b}/v1/conversations/{cid}/events"
            async with client.stream("GET", url, headers=headers) as stream:
                reader = FrameReader(stream)
                await asyncio.sleep(0.3)  # B's stream is subscribed and idle
                # a whole turn and an agent message, produced on replica A only
                await replica_a.client.post(
                    f"/v1/conversations/{cid}/messages",
                    json={"text": "how do I top up?", "client_message_id": "x"},
                    headers=headers,
                )
                await replica_a.service.post_agent_message(cid, "Sam", "Sam here.")
                frames = await asyncio.wait_for(
                    reader.until(lambda fs: any(f.event == "agent.message" for f in fs)), 5
                )
    assert [f.id for f in frames] == list(range(1, len(frames) + 1))
    assert frames[0].event == "turn.started"
    assert replica_b.service.model_calls == 0  # B only relayed what A produced
