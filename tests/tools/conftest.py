"""Fixtures for the tool tests: a conversation row, turn contexts for demo customers."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker

from switchboard.db.models import Conversation


async def new_conversation(
    sessionmaker: async_sessionmaker[Any], customer_id: str | None = "cust-001"
) -> str:
    conversation_id = str(uuid.uuid4())
    async with sessionmaker() as session, session.begin():
        session.add(Conversation(id=conversation_id, customer_id=customer_id))
    return conversation_id


NewConversation = Callable[..., Awaitable[str]]


@pytest.fixture
def make_conversation(sessionmaker: async_sessionmaker[Any]) -> NewConversation:
    async def make(customer_id: str | None = "cust-001") -> str:
        return await new_conversation(sessionmaker, customer_id)

    return make


@pytest.fixture
async def conversation_id(sessionmaker: async_sessionmaker[Any]) -> str:
    return await new_conversation(sessionmaker)
