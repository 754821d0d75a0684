"""Who is at the desk now: an open desk stream refreshes its agent's `last_seen_at` (real time,
like stream leases — ADR 0013), so presence needs no replica's memory."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import BaseModel
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import async_sessionmaker

from switchboard.db.models import Agent, HandoffRecord, as_utc

ONLINE_S = 60.0  # three missed refreshes of a desk stream (every 20 s)


class AgentPresence(BaseModel):
    id: str
    name: str
    role: str
    online: bool
    conversations: list[str]  # the open conversations assigned to them


async def touch(sessionmaker: async_sessionmaker[Any], agent_id: str, *, online: bool) -> None:
    seen = datetime.now(UTC) if online else None
    async with sessionmaker() as session, session.begin():
        await session.execute(update(Agent).where(Agent.id == agent_id).values(last_seen_at=seen))


async def roster(sessionmaker: async_sessionmaker[Any]) -> list[AgentPresence]:
    """Every active agent, online or not, with the conversations they hold."""
    now = datetime.now(UTC)
    async with sessionmaker() as session:
        people = (
            await session.scalars(select(Agent).where(Agent.active.is_(True)).order_by(Agent.id))
        ).all()
        held = await session.execute(
            select(HandoffRecord.agent, HandoffRecord.conversation_id).where(
                HandoffRecord.status == "assigned"
            )
        )
        holding: dict[str, list[str]] = {}
        for agent, conversation_id in held.all():
            holding.setdefault(agent or "", []).append(conversation_id)
    limit = timedelta(seconds=ONLINE_S)
    return [
        AgentPresence(
            id=a.id,
            name=a.name,
            role=a.role,
            online=a.last_seen_at is not None and now - as_utc(a.last_seen_at) < limit,
            conversations=sorted(holding.get(a.id, [])),
        )
        for a in people
    ]
