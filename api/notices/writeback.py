"""Write-back to the operator's systems: each sent notice is recorded in the BSS as a TMF681
communication message and a TMF683 party interaction (outbound, on the notice's channel). Both
writes carry idempotency keys derived from the notice, so a retry after a crash, or two workers
at once, record it once; `bss_ref` marks it done (or refused, with the BSS's reason)."""

from __future__ import annotations

import logging
from typing import Any, Protocol

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import async_sessionmaker

from switchboard.db.models import Notice
from tools.bss.errors import BssBusinessError, BssNotFoundError, BssUnavailableError
from tools.bss.models import Interaction, Message

log = logging.getLogger(__name__)
MESSAGE_TYPES = {"sms": "SMS", "whatsapp": "WhatsApp", "telegram": "Telegram", "web": "WebChat"}


class WriteBackBss(Protocol):
    async def send_message(
        self,
        *,
        customer_id: str,
        content: str,
        idempotency_key: str,
        message_type: str = "SMS",
        msisdn: str | None = None,
        subject: str | None = None,
    ) -> Message: ...

    async def record_interaction(self, **kwargs: Any) -> Interaction: ...


async def write_back_due(
    sessionmaker: async_sessionmaker[Any], bss: WriteBackBss, *, limit: int = 50
) -> int:
    """Record the sent notices not yet written back; how many were recorded."""
    async with sessionmaker() as session:
        rows = list(
            await session.scalars(
                select(Notice)
                .where(Notice.status == "sent", Notice.bss_ref.is_(None))
                .order_by(Notice.sent_at)
                .limit(limit)
            )
        )
    done = 0
    for notice in rows:
        try:
            ref = await _record(bss, notice)
        except BssUnavailableError as exc:  # the next round tries again, with the same keys
            log.warning("write-back of notice %s postponed: %s", notice.id, exc)
            break
        except (BssNotFoundError, BssBusinessError) as exc:
            ref = f"refused: {exc}"[:96]
        async with sessionmaker() as session, session.begin():
            await session.execute(
                update(Notice)
                .where(Notice.id == notice.id, Notice.bss_ref.is_(None))
                .values(bss_ref=ref)
            )
        done += not ref.startswith("refused")
    return done


async def _record(bss: WriteBackBss, notice: Notice) -> str:
    message = await bss.send_message(
        customer_id=notice.customer_id,
        content=notice.text,
        idempotency_key=f"notice-message:{notice.id}",
        message_type=MESSAGE_TYPES.get(notice.channel, notice.channel),
        msisdn=notice.recipient if notice.channel in ("sms", "web") else None,
        subject=f"{notice.kind} {notice.ref or ''}".strip(),
    )
    interaction = await bss.record_interaction(
        customer_id=notice.customer_id,
        channel=notice.channel,
        reason=f"{notice.kind} notice",
        description=notice.text,
        direction="outbound",
        started=notice.sent_at or notice.created_at,
        idempotency_key=f"notice-interaction:{notice.id}",
        item_ref={
            "id": message.id,
            "href": f"/tmf-api/communicationManagement/v4/communicationMessage/{message.id}",
            "@referredType": "CommunicationMessage",
        },
    )
    return f"{interaction.id}/{message.id}"
