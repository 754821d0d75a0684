"""Agent accounts: who may sign in to the desk, with which role. Passwords are hashed with
bcrypt (a per-password salt, cost 12) and checked in a worker thread, never stored or logged."""

from __future__ import annotations

from typing import Any, Literal

import anyio
import bcrypt
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.ext.asyncio import async_sessionmaker

from switchboard.db.models import Agent

Role = Literal["agent", "supervisor"]
ROLES: tuple[str, ...] = ("agent", "supervisor")
AGENT_ID_PATTERN = r"^[a-z0-9][a-z0-9._-]{0,63}$"
COST = 12
# A hash checked when the name is unknown, so a wrong name costs as long as a wrong password.
_DUMMY = bcrypt.hashpw(b"not a password", bcrypt.gensalt(COST)).decode()


class AgentIn(BaseModel):
    name: str = Field(min_length=1, max_length=80)
    role: Role = "agent"
    password: str = Field(min_length=10, max_length=72)  # bcrypt reads 72 bytes at most
    active: bool = True


class AgentOut(BaseModel):
    id: str
    name: str
    role: Role
    active: bool


def _out(agent: Agent) -> AgentOut:
    return AgentOut(id=agent.id, name=agent.name, role=agent.role, active=agent.active)  # type: ignore[arg-type]


def hash_password(password: str) -> str:
    return bcrypt.hashpw(password.encode(), bcrypt.gensalt(COST)).decode()


async def save_agent(
    sessionmaker: async_sessionmaker[Any], agent_id: str, details: AgentIn
) -> AgentOut:
    """Create the agent or replace their name, role, password and active flag."""
    hashed = await anyio.to_thread.run_sync(hash_password, details.password)
    async with sessionmaker() as session, session.begin():
        agent = await session.get(Agent, agent_id)
        if agent is None:
            agent = Agent(id=agent_id)
            session.add(agent)
        agent.name, agent.role, agent.active = details.name, details.role, details.active
        agent.password_hash = hashed
        return _out(agent)


async def list_agents(sessionmaker: async_sessionmaker[Any]) -> list[AgentOut]:
    async with sessionmaker() as session:
        return [_out(a) for a in await session.scalars(select(Agent).order_by(Agent.id))]


async def find_agent(sessionmaker: async_sessionmaker[Any], agent_id: str) -> AgentOut | None:
    """The active agent `agent_id`, or None."""
    async with sessionmaker() as session:
        agent = await session.get(Agent, agent_id)
    return _out(agent) if agent is not None and agent.active else None


async def authenticate(
    sessionmaker: async_sessionmaker[Any], agent_id: str, password: str
) -> AgentOut | None:
    """The agent if the password is theirs and the account is active; None otherwise."""
    async with sessionmaker() as session:
        agent = await session.get(Agent, agent_id)
    stored = agent.password_hash if agent is not None else _DUMMY
    given = password.encode()[:72]
    matches = await anyio.to_thread.run_sync(bcrypt.checkpw, given, stored.encode())
    if agent is None or not agent.active or not matches:
        return None
    return _out(agent)
