"""`transfer_to_human`: the one write tool that runs at once. It records a hand-off in the
agents' queue (table `handoffs`) and returns it; the turn loop emits the `handoff` event."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from switchboard import clock
from switchboard.db.models import HandoffRecord
from switchboard.hours import closed_note
from tools import audit
from tools.context import TurnContext
from tools.outcome import HandoffOut, ToolOutcome, ok
from tools.schemas import TransferToHumanArgs

QUEUES: dict[str, str] = {
    "retention": "retention",
    "cancellation": "retention",
    "port_out": "retention",
    "compensation": "retention",
    "complaint": "complaints",
    "billing_dispute": "billing",
    "technical": "technical",
    "identity": "security",
    "vulnerable_customer": "priority",
}


def queue_for(reason: str) -> str:
    return QUEUES.get(reason, "general")


async def transfer_to_human(ctx: TurnContext, args: TransferToHumanArgs) -> ToolOutcome:
    """Hand the conversation to a human agent, now. Use it whenever the customer asks for a
    person (always honoured), wants to cancel, leave, complain or be compensated (after
    gathering what the agent needs), or when you cannot resolve the request. Give a reason code
    and a factual summary of what the customer wants and what was tried. Needs no confirmation."""
    async with ctx.sessionmaker() as session, session.begin():
        existing = (
            await session.scalars(
                select(HandoffRecord).where(
                    HandoffRecord.conversation_id == ctx.conversation_id,
                    HandoffRecord.status.in_(("waiting", "assigned")),
                )
            )
        ).first()
        record = existing or HandoffRecord(
            id=str(uuid.uuid4()),
            conversation_id=ctx.conversation_id,
            reason=args.reason,
            queue=queue_for(args.reason),
            summary=args.summary,
            status="waiting",
        )
        if existing is None:
            session.add(record)
            audit.record(
                session,
                actor=f"assistant:{ctx.turn_id}",
                event="handoff",
                tool="transfer_to_human",
                customer_id=ctx.customer_id,
                conversation_id=ctx.conversation_id,
                args={"reason": args.reason, "queue": record.queue},
                detail=args.summary,
                bss_ref=record.id,
            )
    handoff = HandoffOut(
        handoff_id=record.id, reason=record.reason, queue=record.queue, summary=record.summary
    )
    already = " (they already have the request)" if existing is not None else ""
    closed = closed_note(ctx.settings.hours, clock.now(), ctx.settings.zone)
    return ok(
        "transfer_to_human",
        f"I've passed you to our {record.queue} team{already}; a person will reply here"
        + (f".{closed}" if closed else " shortly."),
        data={"handoff_id": record.id, "queue": record.queue, "reason": record.reason},
        handoff=handoff,
    )
