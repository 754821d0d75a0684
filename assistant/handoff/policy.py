"""The handoff policy: when the assistant passes the conversation to a person, and why.

Reason codes (stable, counted by analytics): `customer_request`, `retention`, `vulnerability`,
`bereavement`, `self_help_failed` (the customer already tried the usual steps and the problem
persists: decided before any model runs, `assistant/turn/loop.py`), `low_confidence`,
`tool_failure`, `model_unavailable`, `tool_transfer`."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from assistant.events import Capability
from assistant.handoff.signals import Sensitivity
from switchboard.db.models import Conversation, HandoffRecord

QUEUES: dict[str, str] = {
    "retention": "retention",
    "vulnerability": "care",
    "bereavement": "care",
}


@dataclass(frozen=True, slots=True)
class HandoffDecision:
    reason: str
    queue: str


@dataclass(frozen=True, slots=True)
class HandoffPolicy:
    threshold: float
    low_turns: int  # consecutive low-confidence turns (this one included) before a handoff

    def decide(
        self,
        *,
        wants_person: bool,
        capability: Capability | None,
        sensitivity: Sensitivity | None,
        confidence: float,
        low_streak_before: int,
        tool_errors: int,
        asking: bool = False,
        retention_asked: bool = False,
    ) -> HandoffDecision | None:
        """The first matching rule wins; a request for a person always does. Retention is
        handed off once the assistant has gathered why (`asking` this turn: not yet;
        `retention_asked` on the previous turn: now, whatever the answer)."""
        if wants_person:
            return _decision("customer_request")
        if sensitivity is not None:
            return _decision(sensitivity)
        if retention_asked or (capability == "retention" and not asking):
            return _decision("retention")
        if tool_errors >= 2:
            return _decision("tool_failure")
        if confidence < self.threshold and low_streak_before + 1 >= self.low_turns:
            return _decision("low_confidence")
        return None


def _decision(reason: str) -> HandoffDecision:
    return HandoffDecision(reason=reason, queue=QUEUES.get(reason, "general"))


async def record_handoff(
    session: AsyncSession, *, conversation_id: str, reason: str, queue: str, summary: str
) -> bool:
    """Mark the conversation handed off and queue it; False if it already waits for a person."""
    waiting = await session.scalar(
        select(HandoffRecord.id).where(
            HandoffRecord.conversation_id == conversation_id,
            HandoffRecord.status.in_(("waiting", "assigned")),
        )
    )
    await session.execute(
        update(Conversation).where(Conversation.id == conversation_id).values(status="handed_off")
    )
    if waiting is not None:
        return False
    session.add(
        HandoffRecord(
            id=str(uuid.uuid4()),
            conversation_id=conversation_id,
            reason=reason,
            queue=queue,
            summary=summary,
        )
    )
    return True
