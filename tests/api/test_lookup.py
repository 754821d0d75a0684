"""The conversation lookup reads from a pool of its own: the checks in front of every
conversation route (ownership, token budget) answer even while the turns hold every connection
of the runtime's pool."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
from sqlalchemy import Engine, update
from sqlalchemy.exc import OperationalError

import api.lookup as lookup_module
from api.app import create_app
from api.lookup import ConversationLookup
from api.runtime import ApiRuntime
from switchboard.bus import InProcessBus
from switchboard.db import make_engine, make_sessionmaker
from switchboard.db.migrate import upgrade_async
from switchboard.db.models import Conversation
from tests.api.conftest import ALICE, BEN, Api, in_own_task, make_settings
from tests.api.fakes import FakeService


@asynccontextmanager
async def one_connection_api(tmp_path: Path) -> AsyncIterator[Api]:
    """The API over a runtime whose pool has a single connection."""
    settings = make_settings(tmp_path)
    await upgrade_async(settings.resolved_database_url)
    engine = make_engine(settings.resolved_database_url, pool_size=1, max_overflow=0)
    sessionmaker = make_sessionmaker(engine)
    bus = InProcessBus()
    runtime = ApiRuntime(sessionmaker=sessionmaker, bus=bus, service=FakeService(sessionmaker, bus))
    app = create_app(settings, runtime=runtime)
    try:
        async with in_own_task(app.router.lifespan_context(app)):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
                yield Api(app, client, settings)
    finally:
        await engine.dispose()


async def test_checks_answer_while_the_runtime_pool_is_held(tmp_path: Path) -> None:
    async with one_connection_api(tmp_path) as api:
        alice, ben = await api.sign_in(ALICE), await api.sign_in(BEN)
        cid = await api.conversation(alice)
        async with api.app.state.api.runtime.sessionmaker() as session, session.begin():
            budget = api.settings.conversation_token_budget
            await session.execute(
                update(Conversation).where(Conversation.id == cid).values(tokens_used=budget)
            )
        engine = api.app.state.api.runtime.sessionmaker.kw["bind"]
        async with engine.connect() as held:  # a turn holding the runtime's only connection
            await held.exec_driver_sql("SELECT 1")
            with anyio.fail_after(5):  # the runtime's pool would wait 30 s for a connection
                foreign = await api.client.get(f"/v1/conversations/{cid}", headers=ben)
                spent = await api.client.post(
                    f"/v1/conversations/{cid}/messages",
                    json={"text": "hello", "client_message_id": "m1"},
                    headers=alice,
                )
        assert foreign.status_code == 404, foreign.text
        assert spent.status_code == 429, spent.text
        assert spent.json()["error"]["code"] == "token_budget_exhausted"
        assert api.service.model_calls == 0


@asynccontextmanager
async def lookup_beside(database_url: str) -> AsyncIterator[tuple[ConversationLookup, str]]:
    """A lookup beside a runtime's sessionmaker, and one of Alice's conversations."""
    await upgrade_async(database_url)
    engine = make_engine(database_url)
    sessionmaker = make_sessionmaker(engine)
    async with sessionmaker() as session, session.begin():
        session.add(Conversation(id="conv-1", customer_id="cust-001", state={}))
    lookup = ConversationLookup.beside(sessionmaker)
    try:
        yield lookup, "conv-1"
    finally:
        await lookup.aclose()
        await engine.dispose()


async def test_the_lookup_reads_the_committed_row_on_each_backend(database_url: str) -> None:
    async with lookup_beside(database_url) as (lookup, cid):
        row = await lookup.find(cid)
        assert row is not None and row.customer_id == "cust-001" and row.tokens_used == 0
        assert await lookup.find("no-such-conversation") is None


async def test_a_busy_read_on_the_loop_is_repeated_in_a_worker_thread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with lookup_beside(f"sqlite+aiosqlite:///{tmp_path / 'lookup.db'}") as (lookup, cid):
        calls: list[str] = []
        read_one = lookup_module._read_one

        def busy_on_the_loop(engine: Engine, statement: Any) -> Any:
            on_loop = engine is lookup._sqlite_on_loop
            calls.append("loop" if on_loop else "thread")
            if on_loop:  # what a checkpoint or WAL recovery makes the 5 ms timeout raise
                raise OperationalError("SELECT", {}, Exception("database is locked"))
            return read_one(engine, statement)

        monkeypatch.setattr(lookup_module, "_read_one", busy_on_the_loop)
        row = await lookup.find(cid)
        assert row is not None and row.customer_id == "cust-001"
        assert calls == ["loop", "thread"]
