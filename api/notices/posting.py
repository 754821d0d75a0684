"""A notice as it lands on the customer's conversation, built in one place for both of its
sources (a BSS state change, api/notices/bss_events.py; a published or scheduled notice,
api/notices/dispatch.py): the `notification` event with its channel text and dedupe key, and
for a web conversation the copy by SMS to the customer's line (the widget may be closed)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from api.channels.delivery import Post
from api.channels.fold import split_text
from api.channels.outbox import enqueue
from assistant.events import Notification


def notice_post(
    *,
    notice_id: str,
    kind: str,
    text: str,
    ref: str,
    state: str | None = None,
    extra: dict[str, Any] | None = None,
) -> Post:
    """The notice's `notification` event (a system line too), sent once per notice."""
    return Post(
        event="notification",
        data=Notification(notification_kind=kind, text=text, ref=ref, state=state).data(),
        text=text,
        kind="notification",
        dedupe_key=f"notice:{notice_id}",
        role="system",
        extra=extra,
    )


async def enqueue_sms_copy(
    session: AsyncSession, *, notice_id: str, recipient: str, text: str, conversation_id: str
) -> None:
    """The notice's text by SMS to `recipient`, in the caller's transaction, once per piece."""
    for j, piece in enumerate(split_text(text, "sms")):
        await enqueue(
            session,
            channel="sms",
            recipient=recipient,
            kind="notification",
            text=piece,
            dedupe_key=f"notice:{notice_id}:sms:{j}",
            conversation_id=conversation_id,
        )
