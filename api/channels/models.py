"""The one inbound shape every channel is parsed into, and the identity a bridge derives from it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from sqlalchemy.ext.asyncio import async_sessionmaker

MessagingChannel = Literal["whatsapp", "sms", "telegram"]
MESSAGING_CHANNELS: tuple[str, ...] = ("whatsapp", "sms", "telegram")


@dataclass(frozen=True, slots=True)
class InboundMessage:
    """One customer message from a webhook, after its signature was verified.

    `external_id` is the provider's id for dedupe (wamid, MessageSid, update_id);
    `sender` the verified channel id (wa_id or BSUID, the From number, the Telegram chat id);
    `msisdn` the sender's phone in E.164 when the channel vouches for it (WhatsApp, SMS)."""

    channel: MessagingChannel
    external_id: str
    sender: str
    text: str
    msisdn: str | None = None
    reply_via: str | None = None  # WhatsApp: the business phone_number_id that received it


@dataclass(frozen=True, slots=True)
class ChannelIdentity:
    """A verified messaging identity, shaped like `api.auth.Identity` for the conversation
    service. Signed in only when the channel's phone number is a customer's line."""

    customer_id: str | None
    msisdn: str | None
    segment: Literal["prepaid", "postpaid", "business"] | None
    verified: bool
    channel: str
    channel_user_id: str
    anonymous_id: str | None = None
    # The channel only claims the number (SMS): account reads wait for a one-time code
    # (`verified` once it was given), writes need step-up (settings.claimed_tool_policy).
    claimed: bool = False
    stepped_up: bool = False  # gave a fresh code for one write (api/channels/verification.py)
    # A business account's line, by message: that line only (the account's admin signs in on
    # the web for the rest; docs/decisions/0021-identity-by-channel.md).
    lines: tuple[str, ...] | None = None

    @property
    def signed_in(self) -> bool:
        return self.customer_id is not None

    @property
    def owner(self) -> str:
        return self.customer_id or self.channel_user_id


class SurveyHooks(Protocol):
    """What the bridge asks of the surveys (api/surveys.py) around a messaging turn."""

    async def answer_text(
        self, conversation_id: str, text: str, *, on_outbox: Callable[[], None]
    ) -> bool: ...

    async def after_turn(self, conversation_id: str, *, on_outbox: Callable[[], None]) -> bool: ...


class KeywordAnswer(Protocol):
    """What the bridge asks before a turn (api/notices/keywords.py): a STOP/START recorded and
    its confirmation ("" when nothing changed), or None when the text is a message."""

    async def __call__(
        self,
        sessionmaker: async_sessionmaker[Any],
        *,
        channel: str,
        sender: str,
        customer_id: str | None,
        text: str,
        brand: str,
    ) -> str | None: ...
