"""The human-agent console: the handoff queue, taking a conversation, its transcript and
live events, replying, handing back and closing (bearer: the console token). `/console` serves
the page."""

from __future__ import annotations

from pathlib import Path as FilePath
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field

from api.channels import agents
from api.channels.staff import Hub, Staff, require_staff
from api.errors import ERROR_RESPONSES
from switchboard.db.eventlog import events_after

STATIC = FilePath(__file__).resolve().parent.parent / "static"
_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; connect-src 'self'; "
    "img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)
router = APIRouter(tags=["console"], responses=ERROR_RESPONSES)
api = APIRouter(prefix="/v1/console", dependencies=[Depends(require_staff)])
ConversationId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]


class AgentIn(BaseModel):
    agent: str = Field(min_length=1, max_length=64, pattern=r"^[\w .@-]+$")


class ReplyIn(AgentIn):
    text: str = Field(min_length=1, max_length=4000)


class EventOut(BaseModel):
    id: int
    event: str
    data: dict[str, Any]


@api.get("/queue")
async def list_queue(hub: Hub) -> list[agents.QueueItem]:
    """Conversations waiting for a person or being handled, longest wait first."""
    return await agents.queue(hub.sessionmaker)


@api.get("/conversations/{conversation_id}")
async def read_conversation(conversation_id: ConversationId, hub: Hub) -> agents.ConversationView:
    """Transcript, handoff reason and summary."""
    return await agents.view(hub.sessionmaker, conversation_id)


@api.get("/conversations/{conversation_id}/events")
async def read_events(
    conversation_id: ConversationId,
    hub: Hub,
    after: Annotated[int, Query(ge=0)] = 0,
) -> list[EventOut]:
    """The conversation's log after `after` (the console polls this for live updates)."""
    await agents.view(hub.sessionmaker, conversation_id)  # 404 for an unknown id
    async with hub.sessionmaker() as session:
        found = await events_after(session, conversation_id=conversation_id, after=after)
    return [EventOut(id=e.seq, event=e.type, data=e.data) for e in found]


@api.post("/conversations/{conversation_id}/take", status_code=204)
async def take(conversation_id: ConversationId, body: AgentIn, hub: Hub) -> None:
    await agents.take(hub.sessionmaker, conversation_id, body.agent)


@api.post("/conversations/{conversation_id}/messages", status_code=201)
async def reply(conversation_id: ConversationId, body: ReplyIn, hub: Hub) -> EventOut:
    """Reply to the customer: live in the widget, through the outbox on messaging channels."""
    stored = await agents.reply(
        hub.sessionmaker,
        hub.bus,
        conversation_id,
        agent=body.agent,
        text=body.text,
        on_outbox=hub.wake,
    )
    return EventOut(id=stored.seq, event=stored.type, data=stored.data)


@api.post("/conversations/{conversation_id}/return", status_code=204)
async def hand_back(conversation_id: ConversationId, body: AgentIn, hub: Hub) -> None:
    """Give the conversation back to the assistant."""
    await agents.finish(
        hub.sessionmaker,
        hub.bus,
        conversation_id,
        agent=body.agent,
        close=False,
        on_outbox=hub.wake,
    )


@api.post("/conversations/{conversation_id}/close", status_code=204)
async def close(conversation_id: ConversationId, body: AgentIn, hub: Hub) -> None:
    await agents.finish(
        hub.sessionmaker,
        hub.bus,
        conversation_id,
        agent=body.agent,
        close=True,
        on_outbox=hub.wake,
    )


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
    """The operator dashboard (its numbers come from /v1/admin/analytics, console token)."""
    return FileResponse(STATIC / "dashboard.html", headers={"Content-Security-Policy": _CSP})


__all__ = ["Staff", "router"]
