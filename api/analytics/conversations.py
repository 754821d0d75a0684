"""The conversations of a period as the automation definitions (switchboard/automation.py) see
them: each with its turns, channel, segment, latencies and tokens by model, whether a person took
part and whether the operator started it; and the period's events the report counts. Shared by
the report and api/attention.py."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import async_sessionmaker

from switchboard.automation import ConversationSummary, TurnSummary
from switchboard.db.models import Conversation, Event, Turn, as_utc

HUMAN_EVENTS = ("handoff", "agent.message")
MESSAGE = "customer.message"


@dataclass
class LoadedConversation:
    """A conversation as the automation definitions see it, with its channel and turns' costs."""

    summary: ConversationSummary
    channel: str
    day: date
    latencies: list[int] = field(default_factory=list)
    tokens: tuple[int, int] = (0, 0)
    segment: str | None = None
    # prompt and completion tokens by the model configured when each turn ran (None: before
    # turns recorded it; priced at today's model)
    tokens_by_model: dict[str | None, tuple[int, int]] = field(default_factory=dict)


async def load_conversations(
    sessionmaker: async_sessionmaker[Any], since: datetime, until: datetime
) -> list[LoadedConversation]:
    """Conversations started in [since, until), oldest first, each with its turns, whether a
    person took part and whether the operator started it (shared with api/attention.py)."""
    async with sessionmaker() as session:
        conversations = (
            await session.scalars(
                select(Conversation)
                .where(Conversation.created_at >= since, Conversation.created_at < until)
                .order_by(Conversation.created_at, Conversation.id)
            )
        ).all()
        ids = [c.id for c in conversations]
        turns = (
            await session.scalars(
                select(Turn).where(Turn.conversation_id.in_(ids)).order_by(Turn.created_at)
            )
        ).all()
        human = set(
            (
                await session.scalars(
                    select(Event.conversation_id)
                    .where(Event.conversation_id.in_(ids), Event.type.in_(HUMAN_EVENTS))
                    .distinct()
                )
            ).all()
        )
        first = {
            row[0]: row[1]
            for row in (
                await session.execute(
                    select(Event.conversation_id, Event.type).where(
                        Event.conversation_id.in_(ids), Event.seq == 1
                    )
                )
            ).all()
        }
    by_conversation: dict[str, list[Turn]] = defaultdict(list)
    for turn in turns:
        by_conversation[turn.conversation_id].append(turn)
    loaded = []
    for c in conversations:
        own = by_conversation[c.id]
        started = as_utc(c.created_at)
        by_model: dict[str | None, tuple[int, int]] = {}
        for t in own:
            prompt, completion = by_model.get(t.model, (0, 0))
            by_model[t.model] = (prompt + t.prompt_tokens, completion + t.completion_tokens)
        summary = ConversationSummary(
            conversation_id=c.id,
            customer_key=c.customer_id or c.msisdn,
            started_at=started,
            turns=[TurnSummary(t.capability, t.outcome or "") for t in own],
            human_involved=c.id in human,
            proactive=first.get(c.id) == "notification",
        )
        loaded.append(
            LoadedConversation(
                summary,
                c.channel,
                started.date(),
                [t.latency_ms for t in own],
                (sum(t.prompt_tokens for t in own), sum(t.completion_tokens for t in own)),
                c.segment,
                by_model,
            )
        )
    return loaded


async def period_events(
    sessionmaker: async_sessionmaker[Any], since: datetime, until: datetime
) -> list[tuple[str, str, dict[str, Any], datetime]]:
    async with sessionmaker() as session:
        rows = (
            await session.execute(
                select(Event.conversation_id, Event.type, Event.data, Event.created_at).where(
                    Event.created_at >= since,
                    Event.created_at < until,
                    Event.type.in_((MESSAGE, "handoff", "action.executed", "action.proposed")),
                )
            )
        ).all()
    return [(row[0], row[1], row[2], as_utc(row[3])) for row in rows]
