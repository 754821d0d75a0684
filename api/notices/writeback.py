"""Write-back to the operator's systems: each sent notice is recorded in the BSS as a TMF681
communication message and a TMF683 party interaction (outbound, on the notice's channel), and
each customer's conversation as a TMF683 interaction (inbound, `ongoing`, then `completed` when
it is closed). Every write carries an idempotency key derived from the notice or conversation, so
a retry after a crash, or two workers at once, record it once; `bss_ref` / `bss_interaction` mark
it done (or refused, with the BSS's reason)."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlalchemy.ext.asyncio import async_sessionmaker

from switchboard.db.models import Conversation, Notice
from switchboard.db.models import Message as Line
from tools.bss.communication import NotificationApi
from tools.bss.errors import BssBusinessError, BssNotFoundError, BssUnavailableError

log = logging.getLogger(__name__)
MESSAGE_TYPES = {"sms": "SMS", "whatsapp": "WhatsApp", "telegram": "Telegram", "web": "WebChat"}


async def write_back_conversations(
    sessionmaker: async_sessionmaker[Any], bss: NotificationApi, *, limit: int = 50
) -> int:
    """Record customers' conversations (once the customer has written) and their closing."""
    async with sessionmaker() as session:
        spoke = select(Line.conversation_id).where(Line.role == "customer")
        rows = list(
            await session.scalars(
                select(Conversation)
                .where(
                    Conversation.customer_id.is_not(None),
                    Conversation.id.in_(spoke),
                    or_(
                        Conversation.bss_interaction.is_(None),
                        and_(
                            Conversation.status == "closed",
                            Conversation.bss_interaction.not_like("%:%"),
                        ),
                    ),
                )
                .order_by(Conversation.created_at)
                .limit(limit)
            )
        )
    done = 0
    for conversation in rows:
        try:
            ref = await _record_conversation(bss, conversation)
        except BssUnavailableError as exc:
            log.warning("write-back of conversation %s postponed: %s", conversation.id, exc)
            break
        except (BssNotFoundError, BssBusinessError) as exc:
            ref = f"refused: {exc}"[:64]
        async with sessionmaker() as session, session.begin():
            await session.execute(
                update(Conversation)
                .where(
                    Conversation.id == conversation.id,
                    or_(
                        Conversation.bss_interaction.is_(None),
                        Conversation.bss_interaction == conversation.bss_interaction,
                    ),
                )
                .values(bss_interaction=ref, updated_at=Conversation.updated_at)
            )
        done += not ref.startswith("refused")
    return done


async def _record_conversation(bss: NotificationApi, conversation: Conversation) -> str:
    closed = conversation.status == "closed"
    interaction_id = conversation.bss_interaction
    if interaction_id is None:
        recorded = await bss.record_interaction(
            customer_id=str(conversation.customer_id),
            channel=conversation.channel,
            reason="customer conversation",
            description=f"Conversation {conversation.id} on {conversation.channel}",
            direction="inbound",
            started=conversation.created_at,
            idempotency_key=f"conversation-interaction:{conversation.id}",
            status="completed" if closed else "ongoing",
        )
        return f"{recorded.id}:completed" if closed else recorded.id
    await bss.close_interaction(
        interaction_id=interaction_id, idempotency_key=f"conversation-closed:{conversation.id}"
    )
    return f"{interaction_id}:completed"


async def write_back_due(
    sessionmaker: async_sessionmaker[Any], bss: NotificationApi, *, limit: int = 50
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


async def _record(bss: NotificationApi, notice: Notice) -> str:
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
