"""Conversations: start, send a message (SSE turn), confirm/cancel actions, stream, read, rate."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Path, Query, Response
from sse_starlette import EventSourceResponse

from api.actions import run_action
from api.auth import anonymous_identity
from api.deps import (
    ApiState,
    MaybeCaller,
    Owned,
    OwnedConversation,
    State,
    check_token_budget,
    limit_customer,
    limit_ip,
    stream_lease,
)
from api.errors import ERROR_RESPONSES, ConflictError, PayloadTooLargeError
from api.records import read_transcript, save_feedback
from api.schemas import (
    ActionOutcome,
    ConversationCreated,
    FeedbackIn,
    FeedbackSaved,
    MessageIn,
    SurveyAnswered,
    SurveyAnswerIn,
    Transcript,
)
from api.session import set_session_cookie
from api.sse import (
    EVENT_ID_PATTERN,
    MAX_EVENT_ID,
    event_stream_response,
    parse_event_id,
    replay_then_live,
)
from switchboard.db.eventlog import StoredEvent
from tools.action_store import ActionInProgressError

log = logging.getLogger(__name__)
router = APIRouter(
    prefix="/v1/conversations",
    tags=["conversations"],
    dependencies=[Depends(limit_ip)],
    responses=ERROR_RESPONSES,
)
SSE: dict[int | str, dict[str, Any]] = {
    200: {
        "content": {"text/event-stream": {}},
        "description": (
            "SSE stream (CONTRACT §3): every event and its payload is listed in docs/events.md"
        ),
    }
}
ActionId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
CustomerLimit = Annotated[None, Depends(limit_customer)]


@router.post("", status_code=201)
async def start_conversation(
    caller: MaybeCaller, state: State, response: Response
) -> ConversationCreated:
    """Start a conversation: signed in with a customer token, else anonymous (knowledge only)."""
    token = None
    if caller is None:
        caller = anonymous_identity()
        token = state.codec.issue(caller)
        set_session_cookie(response, token, state)
    conversation_id = await state.runtime.service.start_conversation(caller)
    return ConversationCreated(
        conversation_id=conversation_id, signed_in=caller.signed_in, token=token
    )


@router.post("/{conversation_id}/messages", response_class=EventSourceResponse, responses=SSE)
async def post_message(
    body: MessageIn, conversation: Owned, state: State, _: CustomerLimit
) -> EventSourceResponse:
    """Send a message; the answer is the turn's SSE stream. A retried `client_message_id`
    never runs a second turn."""
    if len(body.text) > state.settings.max_message_chars:
        raise PayloadTooLargeError(f"{len(body.text)} chars")
    check_token_budget(conversation, state.settings)
    lease = await stream_lease(conversation, state)
    try:
        turn = state.runtime.service.handle_message(
            conversation.id, conversation.identity, body.text, body.client_message_id
        )
        events = await state.turns.start(_then_survey(turn, state, conversation.id))
    except BaseException:
        await lease.release()
        raise
    return event_stream_response(events, lease=lease, ping_s=state.ping_s)


async def _then_survey(
    turn: AsyncIterator[StoredEvent], state: ApiState, conversation_id: str
) -> AsyncIterator[StoredEvent]:
    """The turn's events, then the survey if this turn closed a resolved conversation (it goes
    to the conversation's stream, like an agent's message)."""
    async for event in turn:
        yield event
    try:
        await state.surveys.after_turn(conversation_id)
    except Exception:  # a survey must never spoil the answer
        log.exception("survey after turn in %s failed", conversation_id)


@router.post(
    "/{conversation_id}/actions/{action_id}/confirm",
    responses={202: {"model": ActionOutcome, "description": "In progress: not done, not failed"}},
)
async def confirm_action(
    action_id: ActionId, conversation: Owned, state: State, _: CustomerLimit, response: Response
) -> ActionOutcome:
    """Confirm a proposed action (CONTRACT §4): it executes exactly once. A repeated confirm
    replays the stored result and adds nothing to the conversation."""
    service = state.runtime.service
    turn = service.confirm_action(conversation.id, conversation.identity, action_id)
    return await _outcome(state, turn, action_id, conversation, response)


@router.post(
    "/{conversation_id}/actions/{action_id}/cancel",
    responses={202: {"model": ActionOutcome, "description": "In progress: too late to cancel"}},
)
async def cancel_action(
    action_id: ActionId, conversation: Owned, state: State, _: CustomerLimit, response: Response
) -> ActionOutcome:
    """Cancel a proposed action."""
    service = state.runtime.service
    turn = service.cancel_action(conversation.id, conversation.identity, action_id)
    return await _outcome(state, turn, action_id, conversation, response)


async def _outcome(
    state: ApiState,
    turn: AsyncIterator[StoredEvent],
    action_id: str,
    conversation: OwnedConversation,
    response: Response,
) -> ActionOutcome:
    """The action's outcome; 202 `in_progress` while it is being executed (never `failed`)."""
    try:
        return await run_action(state.turns, turn, action_id)
    except ActionInProgressError as exc:
        response.status_code = 202
        return ActionOutcome(
            action_id=action_id,
            status="in_progress",
            receipt={"message": exc.customer_message},
            event_id=conversation.last_event_id,
        )


@router.get("/{conversation_id}/events", response_class=EventSourceResponse, responses=SSE)
async def stream_events(
    conversation: Owned,
    state: State,
    after: Annotated[
        int | None, Query(ge=0, le=MAX_EVENT_ID, description="Resume after this event id")
    ] = None,
    last_event_id: Annotated[
        str | None, Header(max_length=20, pattern=EVENT_ID_PATTERN, description="An event id")
    ] = None,
) -> EventSourceResponse:
    """The conversation's events after `Last-Event-ID` (or `?after=`), then live ones."""
    resume = after or 0
    if last_event_id is not None:
        resume = parse_event_id(last_event_id)  # the browser's own reconnect is the newest
    # The slot is taken only now, after every parameter was validated: a request refused
    # for its input never holds one.
    lease = await stream_lease(conversation, state)
    events = replay_then_live(
        conversation_id=conversation.id,
        after=resume,
        sessionmaker=state.runtime.sessionmaker,
        bus=state.runtime.bus,
        idle_s=state.ping_s,
    )
    return event_stream_response(events, lease=lease, ping_s=state.ping_s)


@router.get("/{conversation_id}")
async def get_transcript(conversation: Owned, state: State) -> Transcript:
    """The conversation's messages so far."""
    return await read_transcript(state.runtime.sessionmaker, conversation.id)


@router.post("/{conversation_id}/feedback", status_code=201)
async def post_feedback(
    body: FeedbackIn, conversation: Owned, state: State, _: CustomerLimit
) -> FeedbackSaved:
    """Thumbs up or down on the conversation or one of its turns."""
    feedback_id = await save_feedback(
        state.runtime.sessionmaker,
        conversation_id=conversation.id,
        rating=body.rating,
        turn_id=body.turn_id,
        comment=body.comment,
    )
    return FeedbackSaved(feedback_id=feedback_id)


@router.post("/{conversation_id}/surveys/{survey_id}", status_code=201)
async def answer_survey(
    survey_id: Annotated[int, Path(ge=1, le=2**62)],
    body: SurveyAnswerIn,
    conversation: Owned,
    state: State,
    _: CustomerLimit,
) -> SurveyAnswered:
    """Answer the conversation's survey (the `survey` event): once; 409 when it was answered
    or dismissed already, 422 for a score outside the survey's scale."""
    answered = await state.surveys.record(
        conversation.id, survey_id, score=body.score, comment=body.comment
    )
    if not answered:
        raise ConflictError("this survey was answered already")
    return SurveyAnswered(survey_id=survey_id)
