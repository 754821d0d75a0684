"""The simulator on PostgreSQL: the same code, the same rules (marked `postgres`)."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator
from decimal import Decimal

import httpx
import pytest

from bss.app import create_bss_app
from switchboard.settings import Settings
from tests.bss.conformance import Report
from tests.bss.fixtures import _transport
from tools.bss.client import BssClient
from tools.bss.errors import BssBusinessError

pytestmark = pytest.mark.postgres
ADMIN_URL = os.environ.get(
    "SWITCHBOARD_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)


async def _admin(statement: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(ADMIN_URL, timeout=3)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


@pytest.fixture
async def pg_bss(settings: Settings, report: Report) -> AsyncIterator[BssClient]:
    name = f"sb_bss_{uuid.uuid4().hex[:12]}"
    try:
        await _admin(f'CREATE DATABASE "{name}"')
    except Exception as exc:  # unreachable means absent
        reason = f"PostgreSQL not reachable at {ADMIN_URL}: {exc.__class__.__name__}"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    base = ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://")
    app = create_bss_app(settings, database_url=f"{base}/{name}")
    try:
        async with app.router.lifespan_context(app):
            http = httpx.AsyncClient(
                transport=_transport(httpx.ASGITransport(app=app), report), base_url="http://bss"
            )
            async with BssClient(http) as client:
                yield client
    finally:
        await _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def test_postgres_top_ups_are_idempotent_and_limited(pg_bss: BssClient) -> None:
    ben, line = "cust-002", "line-900002"
    same = await asyncio.gather(
        *[
            pg_bss.top_up(
                customer_id=ben, product_id=line, amount=Decimal(10), idempotency_key="pg"
            )
            for _ in range(50)
        ]
    )
    assert len({t.id for t in same}) == 1

    async def one(i: int) -> str:
        try:
            await pg_bss.top_up(
                customer_id=ben, product_id=line, amount=Decimal(10), idempotency_key=f"pg-{i}"
            )
            return "ok"
        except BssBusinessError as exc:
            return exc.code

    outcomes = await asyncio.gather(*[one(i) for i in range(20)])
    assert outcomes.count("ok") == 9  # £10 already today, £100 limit
    overview = await pg_bss.get_line_overview(customer_id=ben, product_id=line)
    assert overview.credit == Decimal("102.10")


async def test_postgres_order_completes(pg_bss: BssClient) -> None:
    order = await pg_bss.buy_addon(
        customer_id="cust-003",
        product_id="line-900003",
        offering_id="data-5gb",
        idempotency_key="pg-order",
    )
    done = await pg_bss.wait_for_order(customer_id="cust-003", order_id=order.id)
    assert done.state == "completed"
    assert [
        b.remaining
        for b in await pg_bss.list_buckets(customer_id="cust-003")
        if b.usage_type == "data"
    ] == [Decimal("26.50")]


async def test_two_simulator_processes_share_one_database_safely(
    settings: Settings, report: Report
) -> None:
    """Two apps (two writer locks, as two uvicorn workers would have) on one database: the
    idempotency key's constraint and row locks keep one change per key and the daily limit."""
    name = f"sb_bss_{uuid.uuid4().hex[:12]}"
    try:
        await _admin(f'CREATE DATABASE "{name}"')
    except Exception as exc:
        pytest.skip(f"PostgreSQL not reachable at {ADMIN_URL}: {exc.__class__.__name__}")
    base = ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://")
    url = f"{base}/{name}"
    first, second = (create_bss_app(settings, database_url=url, run_worker=False) for _ in range(2))
    try:
        await first.state.sim.ensure_ready()
        clients = [
            BssClient(
                httpx.AsyncClient(transport=httpx.ASGITransport(app=a), base_url="http://bss")
            )
            for a in (first, second)
        ]
        ben, line = "cust-002", "line-900002"
        same = await asyncio.gather(
            *[
                clients[i % 2].top_up(
                    customer_id=ben, product_id=line, amount=Decimal(10), idempotency_key="two"
                )
                for i in range(20)
            ]
        )
        assert len({t.id for t in same}) == 1

        async def one(i: int) -> str:
            try:
                await clients[i % 2].top_up(
                    customer_id=ben, product_id=line, amount=Decimal(5), idempotency_key=f"two-{i}"
                )
                return "ok"
            except BssBusinessError as exc:
                return exc.code

        outcomes = await asyncio.gather(*[one(i) for i in range(60)])
        assert outcomes.count("ok") == 18  # £10 + 18 x £5 = the £100 limit
        overview = await clients[0].get_line_overview(customer_id=ben, product_id=line)
        assert overview.credit == Decimal("102.10")
        for client in clients:
            await client.aclose()
    finally:
        await first.state.sim.close()
        await second.state.sim.close()
        await _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
