"""The live desk (agent session): the queue and who is at the desk pushed over SSE, a
conversation's events live, the context beside the transcript, a suggested reply, customers who
need attention, and the supervisor's view and reassignment."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query
from pydantic import BaseModel, Field
from sse_starlette import EventSourceResponse

from api import attention
from api.channels import agents
from api.deps import State
from api.desk import views
from api.desk.accounts import AGENT_ID_PATTERN, find_agent
from api.desk.context import DeskContext, read_context
from api.desk.presence import AgentPresence, roster
from api.desk.queue import desk_queue
from api.desk.session import SignedIn, Supervisor, signed_in_agent
from api.desk.stream import desk_events, desk_response
from api.desk.suggestion import Suggestion, suggest_reply
from api.errors import ERROR_RESPONSES
from api.hub import Hub
from api.sse import StreamLease, event_stream_response, replay_then_live
from switchboard import clock
from switchboard.errors import NotFoundError

router = APIRouter(
    prefix="/v1/console",
    tags=["console"],
    dependencies=[Depends(signed_in_agent)],
    responses=ERROR_RESPONSES,
)
ConversationId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]


class AssignIn(BaseModel):
    agent: str = Field(min_length=1, max_length=64, pattern=AGENT_ID_PATTERN)


class SupervisorView(BaseModel):
    queue: list[views.QueueItem]
    agents: list[AgentPresence]


@router.get("/queue")
async def list_queue(hub: Hub, state: State) -> list[views.QueueItem]:
    """Conversations waiting for a person or being handled, longest wait first."""
    return await desk_queue(
        hub.sessionmaker,
        state.runtime.customers,
        escalate_after_s=state.settings.desk_escalate_after_s,
    )


@router.get("/stream", response_class=EventSourceResponse)
async def desk_stream(agent: SignedIn, hub: Hub, state: State) -> EventSourceResponse:
    """`queue` events: the queue and the agents, now and after every change."""
    events = desk_events(
        sessionmaker=hub.sessionmaker,
        bus=hub.bus,
        directory=state.runtime.customers,
        settings=state.settings,
        agent=agent,
    )
    return desk_response(events, ping_s=state.ping_s)


@router.get("/conversations/{conversation_id}/stream", response_class=EventSourceResponse)
async def conversation_stream(
    conversation_id: ConversationId,
    hub: Hub,
    state: State,
    after: Annotated[int, Query(ge=0)] = 0,
) -> EventSourceResponse:
    """The conversation's events after `after`, then live (the same frames as the widget's)."""
    await views.view(hub.sessionmaker, conversation_id)  # 404 for an unknown id
    events = replay_then_live(
        conversation_id=conversation_id,
        after=after,
        sessionmaker=hub.sessionmaker,
        bus=hub.bus,
        idle_s=state.ping_s,
    )

    async def nothing() -> None:
        return None

    lease = StreamLease(refresh=nothing, release=nothing)  # agents are not capped per stream
    return event_stream_response(events, lease=lease, ping_s=state.ping_s)


@router.get("/conversations/{conversation_id}/context")
async def conversation_context(conversation_id: ConversationId, hub: Hub) -> DeskContext:
    """Open quotes and the customer's account, bills and requests (read tools only)."""
    return await read_context(hub.sessionmaker, hub.bss, hub.settings, conversation_id)


@router.get("/conversations/{conversation_id}/suggestion")
async def suggested_reply(conversation_id: ConversationId, hub: Hub, state: State) -> Suggestion:
    """A draft reply for the agent to edit; nothing is sent."""
    return await suggest_reply(hub.sessionmaker, hub.bss, state, conversation_id)


@router.get("/attention")
async def customers_needing_attention(hub: Hub, state: State) -> attention.AttentionReport:
    """Customers flagged for agents: repeat contacts about one problem, a falling NPS."""
    return await attention.report(
        hub.sessionmaker,
        as_of=clock.now(),
        window_days=state.settings.attention_window_days,
        min_contacts=state.settings.attention_min_contacts,
    )


@router.get("/supervisor")
async def supervisor_view(_: Supervisor, hub: Hub, state: State) -> SupervisorView:
    """Every queue and wait, every agent with presence and the conversations they hold."""
    items = await desk_queue(
        hub.sessionmaker,
        state.runtime.customers,
        escalate_after_s=state.settings.desk_escalate_after_s,
    )
    return SupervisorView(queue=items, agents=await roster(hub.sessionmaker))


@router.post("/conversations/{conversation_id}/assign", status_code=204)
async def reassign(
    conversation_id: ConversationId, body: AssignIn, supervisor: Supervisor, hub: Hub
) -> None:
    """Give an open conversation to another agent (supervisors only)."""
    if await find_agent(hub.sessionmaker, body.agent) is None:
        raise NotFoundError(f"no active agent {body.agent}")
    await agents.reassign(
        hub.sessionmaker, hub.bus, conversation_id, supervisor=supervisor, to=body.agent
    )
