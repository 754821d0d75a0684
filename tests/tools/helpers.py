"""Helpers for the tool tests: conversation rows, turn contexts, a BSS stand-in that trips."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import async_sessionmaker

from assistant.events import ActionExecuted
from switchboard.db.models import Conversation
from switchboard.settings import Settings
from tools import actions
from tools.bss import BssClient
from tools.context import TurnContext
from tools.outcome import ToolOutcome
from tools.registry import EXECUTORS


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


async def confirm(ctx: TurnContext, action_id: str, **kwargs: Any) -> ActionExecuted:
    """The customer's explicit yes, as the turn loop or the confirm endpoint would send it."""
    return await actions.confirm(
        sessionmaker=ctx.sessionmaker,
        bss=ctx.bss,
        action_id=action_id,
        customer_id=ctx.customer_id or "",
        conversation_id=ctx.conversation_id,
        actor=f"customer:{ctx.customer_id}",
        settings=ctx.settings,
        executors=kwargs.pop("executors", EXECUTORS),
        **kwargs,
    )


async def decline(ctx: TurnContext, action_id: str) -> ActionExecuted:
    return await actions.cancel(
        sessionmaker=ctx.sessionmaker,
        action_id=action_id,
        customer_id=ctx.customer_id or "",
        conversation_id=ctx.conversation_id,
        actor=f"customer:{ctx.customer_id}",
    )


def action_id_of(outcome: ToolOutcome) -> str:
    assert outcome.ok and outcome.proposed is not None, outcome
    return outcome.proposed.action_id


def unreachable_bss() -> BssClient:
    """A real client pointed at a port nobody listens on."""
    return BssClient(httpx.AsyncClient(base_url="http://127.0.0.1:9", timeout=0.5), max_retries=0)
