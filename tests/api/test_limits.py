"""Limits: message size before any model call, rate limits with Retry-After, stream cap, budget."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import httpx
import pytest
from redis.asyncio import Redis
from sqlalchemy import update

from api.limits import STREAM_LEASE_S, MemoryLimits, RedisLimits
from switchboard.db.models import Conversation
from tests.api.conftest import ALICE, BEN, REDIS_URL, Api, live_server, make_settings, running_api


async def test_an_oversized_message_is_refused_before_the_model(api: Api) -> None:
    headers = await api.sign_in()
    cid = await api.conversation(headers)
    text = "x" * (api.settings.max_message_chars + 1)
    response = await api.client.post(
        f"/v1/conversations/{cid}/messages",
        json={"text": text, "client_message_id": "big"},
        headers=headers,
    )
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "message_too_long"
    assert api.service.model_calls == 0


async def test_a_huge_body_is_refused_unread(api: Api) -> None:
    headers = await api.sign_in()
    cid = await api.conversation(headers)
    response = await api.client.post(
        f"/v1/conversations/{cid}/messages",
        content=b'{"text": "' + b"x" * 100_000 + b'", "client_message_id": "h"}',
        headers={**headers, "Content-Type": "application/json"},
    )
    assert response.status_code == 413
    assert api.service.model_calls == 0


async def test_customer_rate_limit_answers_429_with_retry_after(tmp_path: Path) -> None:
    async with running_api(make_settings(tmp_path, rate_limit_per_minute=3)) as api:
        alice = await api.sign_in(ALICE)
        ben = await api.sign_in(BEN)
        cid = await api.conversation(alice)
        statuses = []
        for _ in range(5):
            response = await api.client.post(
                f"/v1/conversations/{cid}/feedback", json={"rating": 1}, headers=alice
            )
            statuses.append(response.status_code)
        assert statuses == [201, 201, 201, 429, 429]
        assert 1 <= int(response.headers["Retry-After"]) <= 60
        assert response.json()["error"]["code"] == "rate_limited"
        other = await api.conversation(ben)  # another customer is not affected
        assert other


async def test_ip_rate_limit(tmp_path: Path) -> None:
    async with running_api(make_settings(tmp_path, rate_limit_ip_per_minute=2)) as api:
        codes = [(await api.client.get("/v1/demo/customers")).status_code for _ in range(3)]
        assert codes == [200, 200, 429]


async def test_token_budget_stops_new_turns(api: Api) -> None:
    headers = await api.sign_in()
    cid = await api.conversation(headers)
    async with api.app.state.api.runtime.sessionmaker() as session, session.begin():
        await session.execute(
            update(Conversation)
            .where(Conversation.id == cid)
            .values(tokens_used=api.settings.conversation_token_budget)
        )
    response = await api.client.post(
        f"/v1/conversations/{cid}/messages",
        json={"text": "hello", "client_message_id": "b1"},
        headers=headers,
    )
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "token_budget_exhausted"
    assert api.service.model_calls == 0


async def test_concurrent_streams_per_conversation_are_capped(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, max_streams_per_conversation=2)
    async with running_api(settings) as api, live_server(api.app) as base:
        headers = await api.sign_in()
        cid = await api.conversation(headers)
        url = f"{base}/v1/conversations/{cid}/events"
        async with httpx.AsyncClient(timeout=10) as client:
            async with client.stream("GET", url, headers=headers) as one:
                async with client.stream("GET", url, headers=headers) as two:
                    assert (one.status_code, two.status_code) == (200, 200)
                    third = await client.get(url, headers=headers)
                    assert third.status_code == 429
                    assert third.json()["error"]["code"] == "too_many_streams"
                    assert "Retry-After" in third.headers
            await asyncio.sleep(0.2)  # the closed streams give their slots back
            async with client.stream("GET", url, headers=headers) as again:
                assert again.status_code == 200


async def test_memory_stream_leases() -> None:
    limits = MemoryLimits()
    first = await limits.acquire_stream("c", cap=1)
    assert first is not None
    assert await limits.acquire_stream("c", cap=1) is None
    await limits.release_stream("c", first)
    assert await limits.acquire_stream("c", cap=1) is not None


@pytest.fixture
async def redis() -> Redis:
    client = Redis.from_url(REDIS_URL)
    try:
        await client.ping()
    except OSError as exc:
        await client.aclose()
        pytest.skip(f"Redis is not reachable at {REDIS_URL}: {exc}")
    await client.flushdb()
    yield client  # type: ignore[misc]
    await client.flushdb()
    await client.aclose()


@pytest.mark.redis
async def test_redis_limits_are_shared_by_replicas(redis: Redis) -> None:
    other = Redis.from_url(REDIS_URL)
    replica_a, replica_b = RedisLimits(redis), RedisLimits(other)
    waits = [await r.hit("who:cust-001", limit=3) for r in (replica_a, replica_b) * 2]
    assert waits[:3] == [0, 0, 0] and waits[3] > 0
    lease = await replica_a.acquire_stream("conv", cap=1)
    assert lease is not None
    assert await replica_b.acquire_stream("conv", cap=1) is None
    await replica_b.release_stream("conv", lease)
    assert await replica_b.acquire_stream("conv", cap=1) is not None
    await other.aclose()


@pytest.mark.redis
async def test_a_refreshed_redis_lease_is_extended_and_no_lease_is_added(redis: Redis) -> None:
    limits = RedisLimits(redis)
    lease = await limits.acquire_stream("conv", cap=2)
    assert lease is not None
    key = "sb:streams:conv"
    await redis.zadd(key, {lease: 1.0}, xx=True)  # as if about to expire
    await redis.persist(key)
    await limits.refresh_stream("conv", lease)
    score = await redis.zscore(key, lease)
    assert score is not None and score > time.time()
    assert 0 < await redis.ttl(key) <= STREAM_LEASE_S * 2
    await limits.refresh_stream("conv", "not-a-lease")  # refreshes only: never adds a lease
    assert await redis.zcard(key) == 1
