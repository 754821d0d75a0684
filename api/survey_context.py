"""Whether a conversation may be surveyed, read from the database: was it resolved, did the
operator start it, is a handoff, a quote or a reported problem still open, was it (or the same
customer, within the interval) asked already. The rules that weigh these are
switchboard/satisfaction.py's."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from switchboard import clock
from switchboard.automation import (
    NON_NEED_CAPABILITIES,
    ConversationSummary,
    TurnSummary,
    is_resolved,
)
from switchboard.db.models import (
    OPEN_HANDOFF,
    Conversation,
    Event,
    HandoffRecord,
    PendingAction,
    Survey,
    Turn,
    as_utc,
)
from switchboard.satisfaction import SurveyContext

TICKET_TOOLS = ("report_fault", "dispute_charge")
SETTLED_STATES = frozenset({"resolved", "closed", "cancelled", "completed"})


async def survey_context(session: AsyncSession, conversation: Conversation) -> SurveyContext:
    """What the survey rules (switchboard/satisfaction.py) need to know about a conversation now."""
    cid = conversation.id
    turns = (
        await session.execute(
            select(Turn.capability, Turn.outcome)
            .where(Turn.conversation_id == cid)
            .order_by(Turn.created_at, Turn.id)
        )
    ).all()
    summaries = [TurnSummary(c, o or "") for c, o in turns]
    first_type = await session.scalar(
        select(Event.type).where(Event.conversation_id == cid, Event.seq == 1)
    )
    handoff_open = conversation.status != "active" or (
        await session.scalar(
            select(func.count())
            .select_from(HandoffRecord)
            .where(HandoffRecord.conversation_id == cid, HandoffRecord.status.in_(OPEN_HANDOFF))
        )
    )
    open_quote = await session.scalar(
        select(func.count())
        .select_from(PendingAction)
        .where(
            PendingAction.conversation_id == cid,
            PendingAction.status.in_(("proposed", "confirmed", "executing")),
            PendingAction.expires_at > clock.now(),
        )
    )
    already = await session.scalar(select(Survey.id).where(Survey.conversation_id == cid))
    key = customer_key(conversation)
    last_asked = (
        await session.scalar(select(func.max(Survey.created_at)).where(Survey.customer_key == key))
        if key is not None
        else None
    )
    return SurveyContext(
        resolved=is_resolved_turns(summaries),
        proactive=first_type == "notification",
        handoff_open=bool(handoff_open),
        open_quote=bool(open_quote),
        open_problem=await _open_problem(session, cid),
        already_asked=already is not None,
        last_asked_at=as_utc(last_asked) if last_asked is not None else None,
    )


def is_resolved_turns(turns: Sequence[TurnSummary]) -> bool:
    """switchboard.automation.is_resolved on a bare list of turns."""
    if not any(t.capability and t.capability not in NON_NEED_CAPABILITIES for t in turns):
        return False
    summary = ConversationSummary("", None, clock.now(), turns, human_involved=False)
    return is_resolved(summary)


async def _open_problem(session: AsyncSession, conversation_id: str) -> bool:
    """A fault or dispute ticket opened in this conversation and not settled since (by the
    BSS's own state-change notifications)."""
    rows = (
        await session.execute(
            select(Event.type, Event.data)
            .where(
                Event.conversation_id == conversation_id,
                Event.type.in_(("action.executed", "notification")),
            )
            .order_by(Event.seq)
        )
    ).all()
    tickets: dict[str, bool] = {}  # ref -> settled
    for kind, data in rows:
        if kind == "action.executed" and data.get("tool") in TICKET_TOOLS:
            receipt = data.get("receipt") or {}
            if data.get("status") == "ok" and receipt.get("bss_ref"):
                tickets[str(receipt["bss_ref"])] = False
        elif kind == "notification" and str(data.get("ref")) in tickets:
            tickets[str(data["ref"])] = str(data.get("state") or "") in SETTLED_STATES
    return not all(tickets.values())


def customer_key(conversation: Conversation) -> str | None:
    """Who the interval is counted for: the customer, else the sender on their channel; an
    anonymous web visitor cannot be recognised again (once per conversation)."""
    if conversation.customer_id:
        return conversation.customer_id
    if conversation.channel_user_id:
        return f"{conversation.channel}:{conversation.channel_user_id}"
    return None
