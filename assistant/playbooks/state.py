"""A conversation's playbook state: the latest `playbook.step` event in its event log.

Nothing is kept in memory: every turn reads it from the log and the turn that moves the journey
appends a new one, so another replica, a restarted process or another channel carries on."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from assistant.events import PlaybookStep
from switchboard import clock
from switchboard.db.models import Conversation, Event


@dataclass
class JourneyState:
    """The mutable state the executor works on during one turn."""

    playbook: str
    step: str | None
    status: str = "active"
    slots: dict[str, str] = field(default_factory=dict)
    saved: dict[str, Any] = field(default_factory=dict)
    tried: list[str] = field(default_factory=list)
    at: datetime | None = None
    moved: bool = False  # read from the customer's other conversation (another channel)

    @property
    def active(self) -> bool:
        return self.status == "active" and self.step is not None

    def event(self) -> PlaybookStep:
        return PlaybookStep(
            playbook=self.playbook,
            step=self.step if self.status == "active" else None,
            status=self.status,  # type: ignore[arg-type]
            slots=dict(self.slots),
            saved=dict(self.saved),
            tried=list(self.tried),
            at=clock.now().isoformat(),
        )

    @classmethod
    def from_event(cls, data: dict[str, Any]) -> JourneyState:
        at = data.get("at")
        return cls(
            playbook=str(data.get("playbook", "")),
            step=data.get("step"),
            status=str(data.get("status", "done")),
            slots={str(k): str(v) for k, v in (data.get("slots") or {}).items()},
            saved=dict(data.get("saved") or {}),
            tried=[str(t) for t in data.get("tried") or []],
            at=datetime.fromisoformat(at) if isinstance(at, str) else None,
        )


async def latest_state(
    session: AsyncSession, *, conversation_id: str, customer_id: str | None = None
) -> JourneyState | None:
    """The conversation's journey, if one was ever started (ended ones too). A conversation that
    never had one carries on the customer's journey still open in another of their conversations
    (they moved from the web chat to WhatsApp, say): the journey follows the customer."""
    row = await session.scalar(
        select(Event)
        .where(Event.conversation_id == conversation_id, Event.type == PlaybookStep.name)
        .order_by(Event.seq.desc())
        .limit(1)
    )
    if row is not None:
        return JourneyState.from_event(dict(row.data))
    if customer_id is None:
        return None
    elsewhere = await session.scalar(
        select(Event)
        .join(Conversation, Conversation.id == Event.conversation_id)
        .where(
            Conversation.customer_id == customer_id,
            Conversation.id != conversation_id,
            Event.type == PlaybookStep.name,
        )
        .order_by(Event.created_at.desc(), Event.seq.desc())
        .limit(1)
    )
    if elsewhere is None:
        return None
    state = JourneyState.from_event(dict(elsewhere.data))
    state.moved = True
    return state if state.active else None
