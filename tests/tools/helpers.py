"""Helpers for the tool tests: conversation rows, turn contexts, a BSS stand-in that trips."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import async_sessionmaker

from switchboard.db.models import Conversation
from switchboard.settings import Settings
from tools.context import TurnContext


async def new_conversation(
    sessionmaker: async_sessionmaker[Any], customer_id: str | None = "cust-001"
) -> str:
    conversation_id = str(uuid.uuid4())
    async with sessionmaker() as session, session.begin():
        session.add(Conversation(id=conversation_id, customer_id=customer_id))
    return conversation_id


class TrippedBss:
    """Stands where the BSS client goes and records any use: for "refused before any BSS call"."""

    def __init__(self) -> None:
        self.used: list[str] = []

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        self.used.append(name)

        async def call(*_args: Any, **_kwargs: Any) -> Any:
            raise RuntimeError(f"BSS call {name} reached")

        return call


def make_context(
    settings: Settings,
    sessionmaker: async_sessionmaker[Any],
    conversation_id: str,
    *,
    bss: Any = None,
    retriever: Any = None,
    customer_id: str | None = "cust-001",
    msisdn: str | None = "+447700900001",
    customer_type: Any = "prepaid",
    verified: bool = True,
    channel: Any = "web",
) -> TurnContext:
    return TurnContext(
        conversation_id=conversation_id,
        turn_id=str(uuid.uuid4()),
        channel=channel,
        settings=settings,
        sessionmaker=sessionmaker,
        bss=bss,
        retriever=retriever,
        customer_id=customer_id,
        msisdn=msisdn if customer_id else None,
        customer_type=customer_type if customer_id else None,
        verified=verified,
    )
