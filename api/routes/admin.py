"""The admin API (bearer: the console token): the audit trail of actions and the outbox."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from api.channels.outbox import OutboxRow, list_outbox
from api.channels.staff import Hub, require_staff
from api.errors import ERROR_RESPONSES
from tools import audit

router = APIRouter(
    prefix="/v1/admin",
    tags=["admin"],
    dependencies=[Depends(require_staff)],
    responses=ERROR_RESPONSES,
)
Text = Annotated[str | None, Query(max_length=64)]


@router.get("/audit")
async def audit_log(
    hub: Hub,
    customer: Text = None,
    action: Text = None,
    event: Text = None,
    conversation: Text = None,
    since: datetime | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[audit.AuditRecord]:
    """Audit entries oldest first: `action` is an action id or a tool name (`top_up`)."""
    return await audit.query(
        hub.sessionmaker,
        customer_id=customer,
        action=action,
        event=event,
        conversation_id=conversation,
        since=since,
        limit=limit,
    )


@router.get("/outbox")
async def outbox(
    hub: Hub,
    status: Text = None,
    channel: Text = None,
    conversation: Text = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[OutboxRow]:
    """Outbound channel messages, oldest first: in demo mode without channel credentials this
    is where the assistant's WhatsApp, SMS and Telegram answers go."""
    return await list_outbox(
        hub.sessionmaker, status=status, channel=channel, conversation_id=conversation, limit=limit
    )
