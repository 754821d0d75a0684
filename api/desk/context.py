"""What an agent sees beside the transcript: the handoff summary, the quotes still open in the
conversation, and the customer's account, bills and open requests — read through the very tools
the assistant uses (`tools.registry.invoke_tool`), and only its read tools: the desk cannot
change an account."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.ext.asyncio import async_sessionmaker

from switchboard.db.models import Conversation, PendingAction
from switchboard.errors import NotFoundError
from switchboard.settings import Settings
from tools.context import TurnContext
from tools.registry import READ_TOOLS, invoke_tool

DESK_READS = ("get_account_overview", "get_bills", "get_request_status")
assert set(DESK_READS) <= set(READ_TOOLS)


class ToolView(BaseModel):
    tool: str
    status: str
    summary: str
    data: dict[str, Any]


class OpenQuote(BaseModel):
    action_id: str
    tool: str
    summary: str
    amount: Decimal | None
    currency: str | None
    status: str


class DeskContext(BaseModel):
    conversation_id: str
    customer_id: str | None
    msisdn: str | None
    segment: str | None
    open_quotes: list[OpenQuote]
    account: list[ToolView]  # empty for an anonymous conversation


async def read_context(
    sessionmaker: async_sessionmaker[Any], bss: Any, settings: Settings, conversation_id: str
) -> DeskContext:
    async with sessionmaker() as session:
        conversation = await session.get(Conversation, conversation_id)
        if conversation is None:
            raise NotFoundError(f"conversation {conversation_id} not found")
        quotes = await session.scalars(
            select(PendingAction)
            .where(
                PendingAction.conversation_id == conversation_id,
                PendingAction.status.in_(("proposed", "confirmed", "executing")),
            )
            .order_by(PendingAction.created_at)
        )
        open_quotes = [
            OpenQuote(
                action_id=q.id,
                tool=q.tool,
                summary=q.summary,
                amount=q.amount,
                currency=q.currency,
                status=q.status,
            )
            for q in quotes
        ]
    account: list[ToolView] = []
    if conversation.customer_id is not None and bss is not None:
        ctx = TurnContext(
            conversation_id=conversation_id,
            turn_id=f"desk-{conversation_id}",
            channel="console",
            settings=settings,
            sessionmaker=sessionmaker,
            bss=bss,
            customer_id=conversation.customer_id,
            msisdn=conversation.msisdn,
            customer_type=conversation.segment,  # type: ignore[arg-type]
            verified=True,
        )
        for name in DESK_READS:
            outcome = await invoke_tool(ctx, name, {})
            account.append(
                ToolView(
                    tool=name, status=outcome.status, summary=outcome.summary, data=outcome.data
                )
            )
    return DeskContext(
        conversation_id=conversation_id,
        customer_id=conversation.customer_id,
        msisdn=conversation.msisdn,
        segment=conversation.segment,
        open_quotes=open_quotes,
        account=account,
    )
