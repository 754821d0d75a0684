"""`POST /v1/helpdesk/events`: an operator's own helpdesk acting on a handed-off conversation —
an agent's reply, a hand-back to the assistant, or a close — signed with the helpdesk secret
(api/desk/bridge.py). Each event id is acted on once. The helpdesk's agent appears as
`helpdesk:<agent>` in the queue and the audit trail."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field, ValidationError
from sqlalchemy import delete

from api.channels import agents
from api.channels.bridge import claim_receipt
from api.deps import State
from api.desk.bridge import SIGNATURE_HEADER, TIMESTAMP_HEADER, signature_ok
from api.errors import ERROR_RESPONSES
from api.hub import ChannelHub, Hub
from switchboard.db.models import InboundReceipt
from switchboard.errors import (
    InvalidInputError,
    ServiceUnavailableError,
    SwitchboardError,
    UnauthorizedError,
)

router = APIRouter(prefix="/v1/helpdesk", tags=["helpdesk"], responses=ERROR_RESPONSES)


class HelpdeskEvent(BaseModel):
    id: str = Field(min_length=1, max_length=120)
    type: Literal["reply", "hand_back", "close"]
    conversation_id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")
    agent: str = Field(min_length=1, max_length=54, pattern=r"^[\w .@-]+$")
    text: str | None = Field(default=None, min_length=1, max_length=4000)


class Accepted(BaseModel):
    status: Literal["done", "duplicate"]


@dataclass(frozen=True, slots=True)
class HelpdeskAgent:
    id: str
    name: str


@router.post("/events")
async def helpdesk_event(request: Request, state: State, hub: Hub) -> Accepted:
    secret = state.settings.helpdesk_secret
    if secret is None:
        raise ServiceUnavailableError("helpdesk bridge not configured", code="not_configured")
    raw = await request.body()
    stamp = request.headers.get(TIMESTAMP_HEADER)
    given = request.headers.get(SIGNATURE_HEADER)
    if not signature_ok(secret.get_secret_value(), stamp, given, raw):
        raise UnauthorizedError("bad helpdesk signature")
    try:
        event = HelpdeskEvent.model_validate_json(raw)
    except ValidationError:
        raise InvalidInputError("not a helpdesk event") from None
    if event.type == "reply" and event.text is None:
        raise InvalidInputError("a reply needs text")
    if not await claim_receipt(hub.sessionmaker, source="helpdesk", external_id=event.id):
        return Accepted(status="duplicate")
    try:
        await _act(hub, event)
    except SwitchboardError:  # refused (409, 404): the same id may be sent again later
        async with hub.sessionmaker() as session, session.begin():
            await session.execute(
                delete(InboundReceipt).where(
                    InboundReceipt.source == "helpdesk", InboundReceipt.external_id == event.id
                )
            )
        raise
    return Accepted(status="done")


async def _act(hub: ChannelHub, event: HelpdeskEvent) -> None:
    actor = HelpdeskAgent(id=f"helpdesk:{event.agent}", name=event.agent)
    cid = event.conversation_id
    await agents.take(hub.sessionmaker, hub.bus, cid, actor)  # theirs already, or free: ok
    if event.type == "reply":
        assert event.text is not None
        await agents.reply(
            hub.sessionmaker, hub.bus, cid, agent=actor, text=event.text, on_outbox=hub.wake
        )
    else:
        close = event.type == "close"
        await agents.finish(
            hub.sessionmaker, hub.bus, cid, agent=actor, close=close, on_outbox=hub.wake
        )
