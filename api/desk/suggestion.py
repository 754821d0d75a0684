"""A suggested reply for the agent: drafted from the knowledge base (the assistant's own
`search_knowledge` tool over what the customer last wrote) and the customer's account (its
`get_account_overview`), for the agent to edit before sending. Nothing is sent from here; what
the agent sends is recorded as theirs (api/channels/agents.reply)."""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.ext.asyncio import async_sessionmaker

from api.deps import ApiState
from api.desk.queue import customer_names
from switchboard.db.models import Conversation, Message
from switchboard.errors import NotFoundError
from tools.context import TurnContext
from tools.registry import invoke_tool

RECENT = 3  # customer lines the knowledge search reads
_SENTENCE = re.compile(r"(?<=[.!?])\s+")


class Suggestion(BaseModel):
    text: str
    sources: list[str]  # knowledge doc ids the draft quotes
    account: str | None  # the account headline it used


def _first_sentences(text: str, count: int = 2) -> str:
    flat = " ".join(text.split())
    return " ".join(_SENTENCE.split(flat)[:count])


async def suggest_reply(
    sessionmaker: async_sessionmaker[Any], bss: Any, state: ApiState, conversation_id: str
) -> Suggestion:
    async with sessionmaker() as session:
        conversation = await session.get(Conversation, conversation_id)
        if conversation is None:
            raise NotFoundError(f"conversation {conversation_id} not found")
        said = (
            await session.scalars(
                select(Message.text)
                .where(Message.conversation_id == conversation_id, Message.role == "customer")
                .order_by(Message.id.desc())
                .limit(RECENT)
            )
        ).all()
    deps = getattr(state.runtime.service, "deps", None)
    ctx = TurnContext(
        conversation_id=conversation_id,
        turn_id=f"desk-{conversation_id}",
        channel="console",
        settings=state.settings,
        sessionmaker=sessionmaker,
        bss=bss,
        retriever=getattr(deps, "retriever", None),
        customer_id=conversation.customer_id,
        msisdn=conversation.msisdn,
        customer_type=conversation.segment,  # type: ignore[arg-type]
        verified=True,
    )
    name = (await customer_names(state.runtime.customers)).get(conversation.customer_id or "")
    parts = [f"Hi {name.split()[0]}," if name else "Hi,", "thanks for waiting."]
    account = None
    if conversation.customer_id is not None and bss is not None:
        overview = await invoke_tool(ctx, "get_account_overview", {})
        if overview.ok:
            account = overview.summary
            parts.append(f"I can see your account: {account}")
    sources: list[str] = []
    query = " ".join(reversed(said))[:500]
    if query.strip():
        found = await invoke_tool(ctx, "search_knowledge", {"query": query, "k": 2})
        if found.ok and found.passages:
            top = found.passages[0]
            parts.append(_first_sentences(top.text))
            sources.append(top.doc_id)
    parts.append("How can I help you further?")
    return Suggestion(text=" ".join(parts), sources=sources, account=account)
