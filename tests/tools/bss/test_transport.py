"""The client's transport policy: retries only for safe or keyed calls, typed errors."""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal

import httpx
import pytest
from fastapi import FastAPI

from bss.app import create_bss_app
from switchboard.errors import ConfigError
from switchboard.settings import Settings, load_settings
from tools.bss.client import BssClient, make_bss_client
from tools.bss.errors import BssUnavailableError


class Flaky(httpx.AsyncBaseTransport):
    """Answers the first `failures` requests with 503 (or drops them), then forwards."""

    def __init__(self, inner: httpx.AsyncBaseTransport, failures: int, *, drop: bool = False):
        self.inner, self.failures, self.drop, self.seen = inner, failures, drop, 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.seen += 1
        if self.failures > 0:
            self.failures -= 1
            if self.drop:
                raise httpx.ConnectError("connection refused", request=request)
            return httpx.Response(503, json={"code": "BUSY", "reason": "try later"})
        return await self.inner.handle_async_request(request)


@pytest.fixture
async def app(settings: Settings) -> AsyncIterator[FastAPI]:
    bss_app = create_bss_app(settings)
    async with bss_app.router.lifespan_context(bss_app):
        yield bss_app


def client(app: FastAPI, flaky: Flaky) -> BssClient:
    return BssClient(httpx.AsyncClient(transport=flaky, base_url="http://bss"), backoff_s=0.001)


async def test_reads_are_retried_after_503(app: FastAPI) -> None:
    flaky = Flaky(httpx.ASGITransport(app=app), failures=2)
    async with client(app, flaky) as bss:
        assert (await bss.get_customer(customer_id="cust-001")).name == "Alice Morgan"
    assert flaky.seen == 3


async def test_keyed_writes_are_retried_and_charge_once(app: FastAPI) -> None:
    flaky = Flaky(httpx.ASGITransport(app=app), failures=0)
    async with client(app, flaky) as bss:
        first = await bss.top_up(
            customer_id="cust-002", product_id="line-900002", amount=Decimal(5), idempotency_key="k"
        )
        flaky.failures = 1
        flaky.drop = True
        again = await bss.top_up(
            customer_id="cust-002", product_id="line-900002", amount=Decimal(5), idempotency_key="k"
        )
        assert again.id == first.id
        overview = await bss.get_line_overview(customer_id="cust-002", product_id="line-900002")
        assert overview.credit == Decimal("7.10")


async def test_unkeyed_writes_are_not_retried(app: FastAPI) -> None:
    flaky = Flaky(httpx.ASGITransport(app=app), failures=1)
    async with client(app, flaky) as bss:
        with pytest.raises(BssUnavailableError):
            await bss.register_listener(api="ticket", callback="http://listener.test/tmf")
    assert flaky.seen == 1


async def test_unreachable_bss_is_a_typed_error(app: FastAPI) -> None:
    flaky = Flaky(httpx.ASGITransport(app=app), failures=10, drop=True)
    async with client(app, flaky) as bss:
        with pytest.raises(BssUnavailableError) as info:
            await bss.get_customer(customer_id="cust-001")
    assert info.value.code == "bss_unavailable" and "can't reach" in info.value.customer_message
    assert flaky.seen == 3  # one try and two retries


async def test_make_bss_client_speaks_to_the_simulator_it_is_given(tmp_path: object) -> None:
    settings = load_settings(data_dir=str(tmp_path), bss_clock_speed=1e9)
    with pytest.raises(ConfigError, match="SWITCHBOARD_BSS_URL"):  # it never builds one itself
        make_bss_client(settings)
    simulator = create_bss_app(settings)
    async with make_bss_client(settings, app=simulator, on_close=simulator.state.sim.close) as bss:
        alice = await bss.find_customer_by_msisdn(msisdn="+447700900001")
        assert alice is not None and alice.id == "cust-001"
