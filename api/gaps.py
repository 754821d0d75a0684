"""Knowledge gaps: the customer questions the assistant could not answer well, grouped by meaning
into topics ranked by volume (docs/analytics.md, "Knowledge gaps").

A turn is a gap when (`gap_reason`): it was handed to a person for a knowledge reason, it was
refused as out of scope although the question reads like a telco one (`ScopeCheck`), or the
assistant answered with confidence below the threshold. The question is the customer message
that started the turn (`Message.turn_id` = `Turn.id`). Topics come from
`knowledge.clustering` on the offline embedder's vectors."""

from __future__ import annotations

from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.ext.asyncio import async_sessionmaker

from api.gap_label import keywords
from knowledge.clustering import MAX_POINTS, cluster, medoid
from knowledge.embedding import Embedder, Vectors
from switchboard.db.models import Conversation, Message, Turn

# Handoff reasons that say the assistant lacked an answer. The others (customer_request,
# retention, vulnerability, bereavement, tool_failure, model_unavailable) are policy or outages.
KNOWLEDGE_HANDOFF_REASONS: frozenset[str] = frozenset(
    {"low_confidence", "self_help_failed", "tool_transfer"}
)
# Turns that are never a question about the product: "hi", "thanks", "a person please".
NOT_QUESTIONS: frozenset[str] = frozenset({"greeting", "human_agent"})
EXAMPLES_PER_TOPIC = 5

# Given the out-of-scope questions' vectors, which ones read like telco questions.
ScopeCheck = Callable[[Vectors], Awaitable[list[bool]]]


@dataclass(frozen=True, slots=True)
class TurnFacts:
    """What the selection rules read from a turn."""

    capability: str | None
    outcome: str | None
    confidence: float | None
    handoff_reason: str | None


def gap_reason(turn: TurnFacts, *, threshold: float) -> str | None:
    """Why this turn is a candidate gap: "handed_off", "out_of_scope" (still to be checked for
    telco content) or "low_confidence"; None when it is not one."""
    if turn.capability in NOT_QUESTIONS:
        return None
    if turn.outcome == "handed_off" or turn.handoff_reason is not None:
        return "handed_off" if turn.handoff_reason in KNOWLEDGE_HANDOFF_REASONS else None
    if turn.capability == "out_of_scope":
        return "out_of_scope" if turn.outcome == "refused" else None
    if turn.confidence is not None and turn.confidence < threshold:
        return "low_confidence"
    return None


class GapQuestion(BaseModel):
    turn_id: str
    conversation_id: str
    text: str
    reason: str
    capability: str | None
    confidence: float | None
    at: datetime


class GapTopic(BaseModel):
    label: str  # the topic's most typical question
    keywords: list[str]  # words that set it apart from the other gaps
    count: int  # questions
    conversations: int
    reasons: dict[str, int]
    capabilities: dict[str, int]
    examples: list[str]  # the most typical first, distinct texts
    last_seen: datetime


class GapReport(BaseModel):
    since: datetime
    until: datetime
    channel: str | None
    questions: int  # gap questions found (after the out-of-scope telco check)
    clustered: int  # of those, the most recent MAX_POINTS are grouped
    similarity: float
    topics: list[GapTopic]


async def load_questions(
    sessionmaker: async_sessionmaker[Any],
    *,
    since: datetime,
    until: datetime,
    channel: str | None,
    threshold: float,
) -> list[GapQuestion]:
    """Candidate gap questions of turns in [since, until), oldest first."""
    query = (
        select(Turn, Message.text)
        .join(Message, (Message.turn_id == Turn.id) & (Message.role == "customer"))
        .where(Turn.created_at >= since, Turn.created_at < until)
        .order_by(Turn.created_at, Turn.id)
    )
    if channel is not None:
        query = query.join(Conversation, Conversation.id == Turn.conversation_id).where(
            Conversation.channel == channel
        )
    async with sessionmaker() as session:
        rows = (await session.execute(query)).all()
    out = []
    for turn, text in rows:
        facts = TurnFacts(turn.capability, turn.outcome, turn.confidence, turn.handoff_reason)
        reason = gap_reason(facts, threshold=threshold)
        if reason is not None and text.strip():
            out.append(
                GapQuestion(
                    turn_id=turn.id,
                    conversation_id=turn.conversation_id,
                    text=text.strip(),
                    reason=reason,
                    capability=turn.capability,
                    confidence=turn.confidence,
                    at=turn.created_at,
                )
            )
    return out


async def find_gaps(
    questions: Sequence[GapQuestion],
    *,
    embedder: Embedder,
    in_scope: ScopeCheck,
    similarity: float,
) -> tuple[list[GapQuestion], list[GapTopic]]:
    """Drop out-of-scope questions that are not telco, then group the rest into topics,
    largest first."""
    recent = list(questions)[-MAX_POINTS:]
    if not recent:
        return [], []
    vectors = await embedder.embed([q.text for q in recent])
    refused = [i for i, q in enumerate(recent) if q.reason == "out_of_scope"]
    telco = await in_scope(vectors[refused]) if refused else []
    dropped = {i for i, ok in zip(refused, telco, strict=True) if not ok}
    kept = [i for i in range(len(recent)) if i not in dropped]
    chosen = [recent[i] for i in kept]
    chosen_vectors = vectors[kept]
    groups = cluster(chosen_vectors, threshold=similarity)
    texts = [q.text for q in chosen]
    topics = [_topic(chosen, chosen_vectors, g, keywords(texts, g)) for g in groups]
    return chosen, topics


async def report(
    sessionmaker: async_sessionmaker[Any],
    *,
    embedder: Embedder,
    in_scope: ScopeCheck,
    since: datetime,
    until: datetime,
    channel: str | None = None,
    threshold: float,
    similarity: float,
) -> GapReport:
    """The knowledge gaps of turns in [since, until), topics ranked by volume."""
    candidates = await load_questions(
        sessionmaker, since=since, until=until, channel=channel, threshold=threshold
    )
    chosen, topics = await find_gaps(
        candidates, embedder=embedder, in_scope=in_scope, similarity=similarity
    )
    # beyond the cap, older questions are counted but not grouped (nor scope-checked)
    older = sum(1 for q in candidates[:-MAX_POINTS] if q.reason != "out_of_scope")
    return GapReport(
        since=since,
        until=until,
        channel=channel,
        questions=len(chosen) + older,
        clustered=len(chosen),
        similarity=similarity,
        topics=topics,
    )


def _topic(
    questions: list[GapQuestion], vectors: Vectors, group: list[int], words: list[str]
) -> GapTopic:
    centre = vectors[group].mean(axis=0)
    typical = sorted(group, key=lambda i: (-float(np.dot(vectors[i], centre)), i))
    examples = list(dict.fromkeys(questions[i].text for i in typical))[:EXAMPLES_PER_TOPIC]
    members = [questions[i] for i in group]
    return GapTopic(
        label=questions[medoid(vectors, group)].text,
        keywords=words,
        count=len(members),
        conversations=len({q.conversation_id for q in members}),
        reasons=dict(Counter(q.reason for q in members).most_common()),
        capabilities=dict(Counter(q.capability or "none" for q in members).most_common()),
        examples=examples,
        last_seen=max(q.at for q in members),
    )


__all__ = [
    "GapQuestion",
    "GapReport",
    "GapTopic",
    "ScopeCheck",
    "TurnFacts",
    "find_gaps",
    "gap_reason",
    "load_questions",
    "report",
]
