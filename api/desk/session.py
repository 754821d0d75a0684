"""Who is at the desk: an agent's signed session (HS256 with Switchboard's own secret, audience
`switchboard-desk`, so a customer's token is never an agent's and the other way round), sent as
`Authorization: Bearer` or in the HttpOnly `sb_agent` cookie (an EventSource sets no headers).
Every request reads the account again: a deactivated agent or a changed role counts at once."""

from __future__ import annotations

import time
import uuid
from typing import Annotated

import jwt
from fastapi import Depends, Request

from api.deps import State, require_staff
from api.desk.accounts import AgentOut, find_agent
from switchboard.errors import SwitchboardError, UnauthorizedError
from switchboard.settings import Settings

COOKIE_NAME = "sb_agent"
AUDIENCE = "switchboard-desk"


class ForbiddenError(SwitchboardError):
    code = "forbidden"
    customer_message = "That needs a supervisor."
    http_status = 403


def issue_session(settings: Settings, agent: AgentOut) -> str:
    now = int(time.time())
    claims = {
        "iss": settings.jwt_issuer,
        "aud": AUDIENCE,
        "iat": now,
        "exp": now + settings.agent_session_ttl_s,
        "jti": uuid.uuid4().hex,
        "sub": agent.id,
    }
    return jwt.encode(claims, settings.resolved_token_secret(), algorithm="HS256")


def session_agent_id(settings: Settings, token: str) -> str:
    """The agent id a desk session names, or UnauthorizedError."""
    try:
        claims = jwt.decode(
            token,
            settings.resolved_token_secret(),
            algorithms=["HS256"],
            audience=AUDIENCE,
            issuer=settings.jwt_issuer,
            options={"require": ["exp", "iat", "sub", "aud", "iss"]},
            leeway=5,
        )
    except jwt.InvalidTokenError:
        raise UnauthorizedError("invalid agent session") from None
    sub = claims["sub"]
    if not isinstance(sub, str) or not sub or len(sub) > 64:
        raise UnauthorizedError("bad agent sub")
    return sub


def _token(request: Request) -> str | None:
    scheme, _, token = (request.headers.get("authorization") or "").partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return request.cookies.get(COOKIE_NAME)


async def signed_in_agent(request: Request, state: State) -> AgentOut:
    token = _token(request)
    if token is None:
        raise UnauthorizedError("no agent session")
    agent = await find_agent(state.runtime.sessionmaker, session_agent_id(state.settings, token))
    if agent is None:
        raise UnauthorizedError("agent unknown or deactivated")
    return agent


async def signed_in_supervisor(agent: Annotated[AgentOut, Depends(signed_in_agent)]) -> AgentOut:
    if agent.role != "supervisor":
        raise ForbiddenError(f"{agent.id} is not a supervisor")
    return agent


SignedIn = Annotated[AgentOut, Depends(signed_in_agent)]
Supervisor = Annotated[AgentOut, Depends(signed_in_supervisor)]


async def staff_or_supervisor(request: Request, state: State) -> None:
    """The console token (automation), or a supervisor's desk session (the dashboard's people)."""
    try:
        await require_staff(request, state)
    except UnauthorizedError:
        await signed_in_supervisor(await signed_in_agent(request, state))
