"""An action's result in its conversation: found once logged, logged once when missing, and the
recovery sweep that finishes what a dead process left (tools/recovery.py, ADR 0020)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Mapping
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from assistant.actions.desk import result_message
from assistant.recorder import EventRecorder
from switchboard.db.eventlog import StoredEvent
from switchboard.db.models import Event, Message
from tools import recovery
from tools.action_store import ActionInProgressError, ActionRecord, executed_event, get_action
from tools.registry import EXECUTORS

if TYPE_CHECKING:
    from assistant.service.deps import ServiceDeps


async def logged_result(
    sessionmaker: async_sessionmaker[Any], conversation_id: str, action: ActionRecord
) -> StoredEvent | None:
    """The `action.executed` event already logged for the action's final status."""
    wanted = executed_event(action).status
    async with sessionmaker() as session:
        found = await session.scalars(
            select(Event)
            .where(Event.conversation_id == conversation_id, Event.type == "action.executed")
            .order_by(Event.seq)
        )
        for row in found:
            data = dict(row.data or {})
            if data.get("action_id") == action.id and data.get("status") == wanted:
                return StoredEvent(conversation_id, row.seq, row.type, data, row.turn_id)
    return None


async def sweep(
    deps: ServiceDeps, locks: Mapping[str, asyncio.Lock], *, older_than_s: float
) -> int:
    """Finish actions a dead process left unfinished, then log the result of every lately
    settled action whose result never reached its conversation — once, under the
    conversation's lock (`locks`, the service's), so never beside a live turn's own. Returns
    how many results were logged."""
    if deps.desk is None or deps.bss is None:
        return 0
    older_than = timedelta(seconds=older_than_s)
    sessionmaker, settings = deps.sessionmaker, deps.settings
    executors = getattr(deps.desk, "executors", None) or EXECUTORS
    for action in await recovery.unfinished(sessionmaker, older_than=older_than):
        async with locks[action.conversation_id]:
            with contextlib.suppress(ActionInProgressError):
                await recovery.finish(sessionmaker, deps.bss, action, settings, executors)
    logged = 0
    for action in await recovery.settled_since(sessionmaker, older_than=older_than):
        async with locks[action.conversation_id]:
            current = await get_action(sessionmaker, action.id)
            if current is None or current.status not in recovery.SETTLED:
                continue
            if await logged_result(sessionmaker, current.conversation_id, current) is None:
                await _log_result(deps, current)
                logged += 1
    return logged


async def _log_result(deps: ServiceDeps, action: ActionRecord) -> None:
    """`action.executed` and the customer's line about it, in one transaction."""
    event = executed_event(action)
    text = result_message(action.summary, event)
    recorder = EventRecorder(
        sessionmaker=deps.sessionmaker,
        bus=deps.bus,
        conversation_id=action.conversation_id,
        turn_id=None,
        writer=deps.events,
    )

    async def line(session: AsyncSession) -> None:
        session.add(Message(conversation_id=action.conversation_id, role="assistant", text=text))

    await recorder.record(event.name, event.data(), side_effect=line)
    await recorder.record("notification", {"kind": "action", "text": text, "ref": action.id})
