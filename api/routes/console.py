"""The agent desk's API: sign-in, the queue, a conversation's transcript, context and live
events, taking it, replying, handing back and closing. Every call but the sign-in needs an
agent's session (api/desk/session.py); the shared console token is for automation (the admin
API), never for people. `/console` serves the page."""

from __future__ import annotations

from pathlib import Path as FilePath
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Response
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field

from api.channels import agents
from api.deps import State, limit_ip
from api.desk import views
from api.desk.accounts import AGENT_ID_PATTERN, AgentOut, authenticate
from api.desk.session import COOKIE_NAME, SignedIn, issue_session, signed_in_agent
from api.errors import ERROR_RESPONSES
from api.hub import Hub
from switchboard.db.eventlog import events_after
from switchboard.errors import UnauthorizedError

STATIC = FilePath(__file__).resolve().parent.parent / "static"
_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; connect-src 'self'; "
    "img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)
router = APIRouter(tags=["console"], responses=ERROR_RESPONSES)
signin = APIRouter(prefix="/v1/console", dependencies=[Depends(limit_ip)])
api = APIRouter(prefix="/v1/console", dependencies=[Depends(signed_in_agent)])
ConversationId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]


class SignInIn(BaseModel):
    agent: str = Field(min_length=1, max_length=64, pattern=AGENT_ID_PATTERN)
    password: str = Field(min_length=1, max_length=200)


class SignedInOut(BaseModel):
    token: str
    agent: AgentOut


class ReplyIn(BaseModel):
    text: str = Field(min_length=1, max_length=4000)


class EventOut(BaseModel):
    id: int
    event: str
    data: dict[str, Any]


@signin.post("/session")
async def sign_in(body: SignInIn, state: State, hub: Hub, response: Response) -> SignedInOut:
    """An agent's session for their name and password (also set as the HttpOnly cookie the
    page's event streams use)."""
    agent = await authenticate(hub.sessionmaker, body.agent, body.password)
    if agent is None:
        raise UnauthorizedError(f"sign-in refused for {body.agent}")
    token = issue_session(state.settings, agent)
    response.set_cookie(
        COOKIE_NAME,
        token,
        max_age=state.settings.agent_session_ttl_s,
        path="/v1/console",
        httponly=True,
        samesite="strict",
        secure=state.settings.public_base_url.startswith("https://"),
    )
    return SignedInOut(token=token, agent=agent)


@signin.delete("/session", status_code=204)
async def sign_out(response: Response) -> None:
    response.delete_cookie(COOKIE_NAME, path="/v1/console")


@api.get("/me")
async def who_am_i(agent: SignedIn) -> AgentOut:
    return agent


@api.get("/conversations/{conversation_id}")
async def read_conversation(conversation_id: ConversationId, hub: Hub) -> views.ConversationView:
    """Transcript, handoff reason and summary."""
    return await views.view(hub.sessionmaker, conversation_id)


@api.get("/conversations/{conversation_id}/events")
async def read_events(
    conversation_id: ConversationId,
    hub: Hub,
    after: Annotated[int, Query(ge=0)] = 0,
) -> list[EventOut]:
    """The conversation's log after `after`."""
    await views.view(hub.sessionmaker, conversation_id)  # 404 for an unknown id
    async with hub.sessionmaker() as session:
        found = await events_after(session, conversation_id=conversation_id, after=after)
    return [EventOut(id=e.seq, event=e.type, data=e.data) for e in found]


@api.post("/conversations/{conversation_id}/take", status_code=204)
async def take(conversation_id: ConversationId, agent: SignedIn, hub: Hub) -> None:
    """Claim the conversation: of two agents claiming at once, one gets 204, the other 409."""
    await agents.take(hub.sessionmaker, hub.bus, conversation_id, agent)


@api.post("/conversations/{conversation_id}/messages", status_code=201)
async def reply(
    conversation_id: ConversationId, body: ReplyIn, agent: SignedIn, hub: Hub
) -> EventOut:
    """Reply to the customer: live in the widget, through the outbox on messaging channels."""
    stored = await agents.reply(
        hub.sessionmaker, hub.bus, conversation_id, agent=agent, text=body.text, on_outbox=hub.wake
    )
    return EventOut(id=stored.seq, event=stored.type, data=stored.data)


@api.post("/conversations/{conversation_id}/return", status_code=204)
async def hand_back(conversation_id: ConversationId, agent: SignedIn, hub: Hub) -> None:
    """Give the conversation back to the assistant."""
    await agents.finish(
        hub.sessionmaker, hub.bus, conversation_id, agent=agent, close=False, on_outbox=hub.wake
    )


@api.post("/conversations/{conversation_id}/close", status_code=204)
async def close(conversation_id: ConversationId, agent: SignedIn, hub: Hub) -> None:
    await agents.finish(
        hub.sessionmaker, hub.bus, conversation_id, agent=agent, close=True, on_outbox=hub.wake
    )


router.include_router(signin)
router.include_router(api)


@router.get("/console", include_in_schema=False)
async def console_page() -> FileResponse:
    return FileResponse(STATIC / "console.html", headers={"Content-Security-Policy": _CSP})


@router.get("/notices", include_in_schema=False)
async def notices_page() -> FileResponse:
    """Proactive notices with their delivery state (from /v1/admin/notices, console token)."""
    return FileResponse(STATIC / "notices.html", headers={"Content-Security-Policy": _CSP})


@router.get("/dashboard", include_in_schema=False)
async def dashboard_page() -> FileResponse:
    """The operator dashboard (a supervisor's desk session, or the console token)."""
    return FileResponse(STATIC / "dashboard.html", headers={"Content-Security-Policy": _CSP})
