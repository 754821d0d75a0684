"""Confirm and cancel: run the service's action turn and answer with the action's outcome.

The rest of that turn (the assistant's follow-up, e.g. the new balance) keeps running in the turn
runner and reaches the conversation's event stream."""

from __future__ import annotations

from collections.abc import AsyncIterator

from api.schemas import ActionOutcome
from api.sse import TurnRunner
from switchboard.db.eventlog import StoredEvent
from switchboard.errors import NotFoundError, SwitchboardError


async def run_action(
    turns: TurnRunner, turn: AsyncIterator[StoredEvent], action_id: str
) -> ActionOutcome:
    events = await turns.start(turn)
    try:
        async for item in events:
            if isinstance(item, SwitchboardError):
                raise item
            if item.type == "action.executed" and item.data.get("action_id") == action_id:
                return ActionOutcome(
                    action_id=action_id,
                    status=item.data["status"],
                    receipt=item.data.get("receipt"),
                    event_id=item.seq,
                )
    finally:
        await events.aclose()  # type: ignore[attr-defined]
    raise NotFoundError(f"action {action_id} produced no outcome")
