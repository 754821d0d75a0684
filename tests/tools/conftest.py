"""Fixtures for the tool tests."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker

from tests.tools.helpers import TrippedBss, new_conversation

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
