"""The notice worker's sending half: a due notice is put on the customer's conversation (the
`notification` event, a system line for the assistant's memory, the channel's outbox row) and
marked `sent` in one transaction — so a worker killed anywhere leaves it either wholly sent
(the outbox then delivers it once) or still due, never half. Rows are claimed with
`FOR UPDATE SKIP LOCKED` on PostgreSQL, so several workers share the queue without waiting on
each other or sending one notice twice; SQLite has a single writer anyway."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import anyio
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.channels.delivery import write_post
from api.channels.models import MESSAGING_CHANNELS
from api.notices.audience import Target
from api.notices.posting import enqueue_sms_copy, notice_post
from api.notices.publish import decide_for
from api.notices.schedule import sweep
from api.notices.writeback import write_back_conversations, write_back_due
from switchboard import clock
from switchboard.bus import EventBus
from switchboard.db.eventlog import StoredEvent
from switchboard.db.models import Conversation, Message, Notice, as_utc
from switchboard.settings import Settings
from tools.bss.communication import NotificationApi

log = logging.getLogger(__name__)
DUE = ("pending", "deferred")
WHATSAPP_WINDOW = timedelta(hours=24)


async def conversation_for(session: AsyncSession, notice: Notice) -> Conversation:
    """Where the notice is posted: the customer's open conversation on its channel (for the web,
    their latest), or a new one there — the one the customer's reply will land in."""
    stmt = select(Conversation).where(
        Conversation.customer_id == notice.customer_id,
        Conversation.channel == notice.channel,
        Conversation.status != "closed",
    )
    if notice.channel in MESSAGING_CHANNELS:
        stmt = stmt.where(Conversation.channel_user_id == notice.recipient)
    found = await session.scalar(stmt.order_by(Conversation.updated_at.desc()).limit(1))
    if found is not None:
        return found
    messaging = notice.channel in MESSAGING_CHANNELS
    conversation = Conversation(
        id=str(uuid.uuid4()),
        customer_id=notice.customer_id,
        msisdn=notice.recipient if notice.channel in ("sms", "web") else None,
        channel=notice.channel,
        channel_user_id=notice.recipient if messaging else None,
        verified=False,  # a reply is verified by its channel, as any inbound message
        state={},
    )
    session.add(conversation)
    await session.flush()
    return conversation


class NoticeDispatcher:
    def __init__(
        self,
        sessionmaker: async_sessionmaker[Any],
        bus: EventBus,
        settings: Settings,
        *,
        on_outbox: Callable[[], None] = lambda: None,
        bss: NotificationApi | None = None,
    ) -> None:
        self._sessionmaker = sessionmaker
        self._bss = bss
        self._bus = bus
        self._settings = settings
        self._on_outbox = on_outbox
        self._postgres = sessionmaker.kw["bind"].dialect.name == "postgresql"
        self._wake = anyio.Event()
        self._stopping = False
        self._stopped = anyio.Event()
        self._running = False

    async def dispatch_due(self, *, now: datetime | None = None, limit: int = 500) -> int:
        """Send every due notice (up to `limit`); how many were sent."""
        sent = 0
        for _ in range(limit):
            outcome = await self.dispatch_one(now=now)
            if outcome is None or self._stopping:
                break
            sent += outcome
        return sent

    async def dispatch_one(self, *, now: datetime | None = None) -> bool | None:
        """One due notice: True sent, False suppressed at the last moment, None none due."""
        moment = now or clock.now()
        stored: StoredEvent | None = None
        messaging = False
        async with self._sessionmaker() as session, session.begin():
            stmt = (
                select(Notice)
                .where(Notice.status.in_(DUE), Notice.due_at <= moment)
                .order_by(Notice.due_at, Notice.id)
                .limit(1)
            )
            if self._postgres:
                stmt = stmt.with_for_update(skip_locked=True)
            notice = await session.scalar(stmt)
            if notice is None:
                return None
            target = Target(notice.customer_id, notice.channel, notice.recipient)
            decision = await decide_for(
                session, target, kind=notice.kind, now=moment, settings=self._settings
            )
            notice.attempts += 1
            if decision.status == "suppressed":  # a STOP or a no since it was published
                notice.status, notice.reason = "suppressed", decision.reason
                return False
            if decision.status == "deferred":  # still (or newly) in their quiet hours
                notice.status, notice.reason = "deferred", decision.reason
                notice.due_at = decision.due_at or moment
                return False
            conversation = await conversation_for(session, notice)
            extra = await self._template(session, notice, conversation.id, moment)
            post = notice_post(
                notice_id=notice.id,
                kind=notice.kind,
                text=notice.text,
                ref=notice.ref or "",
                extra=extra,
            )
            stored, messaging = await write_post(session, conversation, post)
            if conversation.channel == "web" and notice.recipient:
                await enqueue_sms_copy(
                    session,
                    notice_id=notice.id,
                    recipient=str(notice.recipient),
                    text=notice.text,
                    conversation_id=conversation.id,
                )
                messaging = True
            notice.status, notice.reason = "sent", None
            notice.conversation_id, notice.sent_at = conversation.id, moment
        if stored is not None:
            await self._bus.publish(stored)
        if messaging:
            self._on_outbox()
        return True

    async def _template(
        self, session: AsyncSession, notice: Notice, conversation_id: str, moment: datetime
    ) -> dict[str, Any] | None:
        """WhatsApp outside the 24-hour window since the customer last wrote: a template."""
        if notice.channel != "whatsapp":
            return None
        last = await session.scalar(
            select(func.max(Message.created_at)).where(
                Message.conversation_id == conversation_id, Message.role == "customer"
            )
        )
        if last is not None and as_utc(last) >= moment - WHATSAPP_WINDOW:
            return None
        settings = self._settings
        name = (
            settings.whatsapp_template_marketing
            if notice.category == "marketing"
            else settings.whatsapp_template_utility
        )
        return {"template": {"name": name, "language": settings.whatsapp_template_language}}

    def wake(self) -> None:
        """Send now instead of at the next poll (after a publication)."""
        self._wake.set()

    async def stop(self) -> None:
        """Finish the current notice and return from `run` (never mid-transaction)."""
        self._stopping = True
        self._wake.set()
        if self._running:
            await self._stopped.wait()

    async def run(self) -> None:
        """Until `stop()`: send what is due, write back what was sent, sweep the accounts for
        alerts every `notice_sweep_interval_s` (the first sweep one interval after the start),
        then wait for a wake-up or the next poll."""
        self._running = True
        next_sweep = anyio.current_time() + self._settings.notice_sweep_interval_s
        try:
            while not self._stopping:
                try:
                    if self._bss is not None and anyio.current_time() >= next_sweep:
                        next_sweep = anyio.current_time() + self._settings.notice_sweep_interval_s
                        await sweep(self._sessionmaker, self._bss, self._settings)
                    await self.dispatch_due()
                    if self._bss is not None:
                        await write_back_due(self._sessionmaker, self._bss)
                        await write_back_conversations(self._sessionmaker, self._bss)
                except Exception:  # a database or BSS hiccup must not end the worker
                    log.exception("notice round failed")
                with anyio.move_on_after(self._settings.notice_poll_s):
                    await self._wake.wait()
                if not self._stopping:
                    self._wake = anyio.Event()
        finally:
            self._stopped.set()
