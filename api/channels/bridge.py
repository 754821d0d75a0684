"""The messaging bridge: a verified inbound message becomes one turn of the same
`ConversationService.handle_message` the widget uses, run off the request path, and the turn's
events are folded into whole messages written to the outbox.

Exactly one turn per provider message: the webhook claims `(channel, external id)` in
`inbound_receipts` before it acknowledges, and the turn carries the same id as its
`client_message_id`, so even a receipt lost to a crash cannot run a second turn."""

from __future__ import annotations

import dataclasses
import logging
from collections import defaultdict
from collections.abc import Callable
from typing import Any

import anyio
from anyio.abc import TaskGroup
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import async_sessionmaker

from api.channels.fold import Outgoing, fold_turn, split_text
from api.channels.identity import CustomerLookup, resolve_identity
from api.channels.models import ChannelIdentity, InboundMessage, KeywordAnswer, SurveyHooks
from api.channels.outbox import enqueue
from api.channels.verification import CodeDialogue
from api.channels.whatsapp import UNSUPPORTED
from switchboard.db.models import Conversation, InboundReceipt
from switchboard.settings import Settings

log = logging.getLogger(__name__)
TEXT_ONLY = "Sorry, I can only read text messages. Please type your question."
TOO_LONG = "That message is too long for me. Please send a shorter one."
FAILED = "Sorry, something went wrong on our side. Please try again in a moment."


async def claim_receipt(
    sessionmaker: async_sessionmaker[Any], *, source: str, external_id: str
) -> bool:
    """Record a delivery; False if `(source, external_id)` was seen before."""
    try:
        async with sessionmaker() as session, session.begin():
            session.add(InboundReceipt(source=source, external_id=external_id[:160]))
    except IntegrityError:
        return False
    return True


class ChannelBridge:
    def __init__(
        self,
        *,
        sessionmaker: async_sessionmaker[Any],
        service: Any,
        settings: Settings,
        lookup: CustomerLookup,
        task_group: TaskGroup,
        on_outbox: Callable[[], None] = lambda: None,
        surveys: SurveyHooks | None = None,
        keywords: KeywordAnswer,
    ) -> None:
        """`keywords` answers STOP/START (api/notices/keywords.py); `surveys` asks and reads
        surveys around a turn (api/surveys.py)."""
        self._sessionmaker = sessionmaker
        self._surveys = surveys
        self._keywords = keywords
        self._service = service
        self._settings = settings
        self._lookup = lookup
        self._tg = task_group
        self._on_outbox = on_outbox
        self._codes = CodeDialogue(
            sessionmaker, secret=settings.resolved_token_secret(), brand=settings.brand
        )
        self._locks: defaultdict[tuple[str, str], anyio.Lock] = defaultdict(anyio.Lock)
        self._running = 0
        self._idle = anyio.Event()
        self._idle.set()

    async def accept(self, message: InboundMessage) -> bool:
        """Claim the message and start its turn in the background; False for a duplicate."""
        claimed = await claim_receipt(
            self._sessionmaker, source=message.channel, external_id=message.external_id
        )
        if claimed:
            self._running += 1
            self._idle = anyio.Event()
            self._tg.start_soon(self._run, message)
        return claimed

    async def drain(self) -> None:
        """Wait until every accepted message's turn has finished (tests, shutdown)."""
        await self._idle.wait()

    async def _run(self, message: InboundMessage) -> None:
        key = (message.channel, message.sender)
        lock = self._locks[key]
        try:
            async with lock:  # one sender's messages run in order, one at a time
                await self._turn(message)
        except Exception:
            log.exception("%s message %s failed", message.channel, message.external_id)
        finally:
            if not lock.locked() and lock.statistics().tasks_waiting == 0:
                self._locks.pop(key, None)  # no lock per sender kept forever
            self._running -= 1
            if self._running == 0:
                self._idle.set()

    async def _turn(self, message: InboundMessage) -> None:
        trust = self._settings.channel_trust.get(message.channel, "anonymous")
        identity = await resolve_identity(message, self._lookup, trust)
        conversation_id = await self.conversation_for(identity)
        key = f"in:{message.channel}:{message.external_id}"
        if identity.claimed:
            reply = await self._codes.answer_code(conversation_id, message.text)
            if reply is not None:  # a code is not a message for the assistant
                await self.send(message, conversation_id, [Outgoing("reply", reply)], key)
                return
            verified, stepped_up = await self._codes.standing(conversation_id)
            identity = dataclasses.replace(identity, verified=verified, stepped_up=stepped_up)
        if message.text == UNSUPPORTED or not message.text.strip():
            await self.send(message, conversation_id, [Outgoing("reply", TEXT_ONLY)], key)
            return
        if len(message.text) > self._settings.max_message_chars:
            await self.send(message, conversation_id, [Outgoing("reply", TOO_LONG)], key)
            return
        confirmation = await self._keywords(
            self._sessionmaker,
            channel=message.channel,
            sender=message.sender,
            customer_id=identity.customer_id,
            text=message.text,
            brand=self._settings.brand,
        )
        if confirmation is not None:  # STOP / START: consent, not a message for the assistant
            if confirmation:
                await self.send(message, conversation_id, [Outgoing("reply", confirmation)], key)
            return
        surveys = self._surveys
        if surveys is not None and await surveys.answer_text(
            conversation_id, message.text, on_outbox=self._on_outbox
        ):
            return  # the answer to our survey, thanked; not a message for the assistant
        try:
            events = [
                event
                async for event in self._service.handle_message(
                    conversation_id, identity, message.text, key[:128]
                )
            ]
        except Exception:
            log.exception("turn for %s failed", key)
            await self.send(message, conversation_id, [Outgoing("error", FAILED)], key)
            return
        if identity.claimed and identity.msisdn:
            await self._codes.after_turn(conversation_id, identity.msisdn, events)
        outgoing = fold_turn(events, public_base_url=self._settings.public_base_url)
        turn_id = next((e.turn_id for e in events if e.turn_id), key)
        await self.send(message, conversation_id, outgoing, f"turn:{turn_id}")
        if surveys is not None:  # after the reply, so the phone shows them in that order
            try:
                await surveys.after_turn(conversation_id, on_outbox=self._on_outbox)
            except Exception:
                log.exception("survey after %s failed", key)

    async def conversation_for(self, identity: ChannelIdentity) -> str:
        """The sender's open conversation on this channel, or a new one."""
        async with self._sessionmaker() as session:
            found = await session.scalar(
                select(Conversation.id)
                .where(
                    Conversation.channel == identity.channel,
                    Conversation.channel_user_id == identity.channel_user_id,
                    Conversation.customer_id.is_(None)
                    if identity.customer_id is None
                    else Conversation.customer_id == identity.customer_id,
                    Conversation.status != "closed",
                )
                .order_by(Conversation.created_at.desc())
                .limit(1)
            )
        if found is not None:
            return str(found)
        conversation_id = str(await self._service.start_conversation(identity))
        async with self._sessionmaker() as session, session.begin():
            await session.execute(  # the bridge's key, whatever the service stored
                update(Conversation)
                .where(Conversation.id == conversation_id)
                .values(channel=identity.channel, channel_user_id=identity.channel_user_id)
            )
        return conversation_id

    async def send(
        self,
        message: InboundMessage,
        conversation_id: str,
        outgoing: list[Outgoing],
        key: str,
    ) -> None:
        extra = {"phone_number_id": message.reply_via} if message.reply_via else {}
        async with self._sessionmaker() as session, session.begin():
            for i, item in enumerate(outgoing):
                for j, piece in enumerate(split_text(item.text, message.channel)):
                    await enqueue(
                        session,
                        channel=message.channel,
                        recipient=message.sender,
                        kind=item.kind,
                        text=piece,
                        dedupe_key=f"{key}:{i}:{j}",
                        conversation_id=conversation_id,
                        extra=extra,
                    )
        if outgoing:
            self._on_outbox()
