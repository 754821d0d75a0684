"""Fixtures for the tool tests."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker

from bss.app import create_bss_app
from switchboard.settings import Settings
from tests.tools.helpers import TrippedBss, make_context, new_conversation
from tools.bss import BssClient, make_bss_client
from tools.context import TurnContext

NewConversation = Callable[..., Awaitable[str]]


@pytest.fixture
def make_conversation(sessionmaker: async_sessionmaker[Any]) -> NewConversation:
    async def make(customer_id: str | None = "cust-001") -> str:
        return await new_conversation(sessionmaker, customer_id)

    return make


@pytest.fixture
async def conversation_id(sessionmaker: async_sessionmaker[Any]) -> str:
    return await new_conversation(sessionmaker)


@pytest.fixture
def tripped_bss() -> TrippedBss:
    return TrippedBss()


@pytest.fixture
async def bss(settings: Settings) -> AsyncIterator[BssClient]:
    """The real built-in simulator, freshly seeded in the test's folder, reached in-process."""
    app = create_bss_app(settings, run_worker=False)
    async with make_bss_client(settings, app=app) as client:
        yield client
    await app.state.sim.close()


CustomerContext = Callable[..., Awaitable[TurnContext]]


@pytest.fixture
def customer(
    settings: Settings, sessionmaker: async_sessionmaker[Any], bss: BssClient
) -> CustomerContext:
    """`await customer("+447700900001")`: a turn context signed in as that demo customer, in a
    new conversation of theirs."""

    async def make(msisdn: str, *, verified: bool = True, channel: Any = "web") -> TurnContext:
        found = await bss.find_customer_by_msisdn(msisdn=msisdn)
        assert found is not None, msisdn
        conversation_id = await new_conversation(sessionmaker, found.id)
        return make_context(
            settings,
            sessionmaker,
            conversation_id,
            bss=bss,
            customer_id=found.id,
            msisdn=msisdn,
            customer_type=found.segment,
            verified=verified,
            channel=channel,
        )

    return make
