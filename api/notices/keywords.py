"""STOP and START on SMS and WhatsApp: a customer's no (or yes again) to marketing notices on
that channel, honoured at once and confirmed once — a repeated STOP changes nothing and is
not answered again. Service notices (outages, their own requests) still reach them."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import async_sessionmaker

from api.notices.standing import set_consent

STOP_WORDS = frozenset({"STOP", "STOPALL", "UNSUBSCRIBE"})
START_WORDS = frozenset({"START", "UNSTOP", "SUBSCRIBE"})
KEYWORD_CHANNELS = frozenset({"sms", "whatsapp"})
_NAMES = {"sms": "SMS", "whatsapp": "WhatsApp"}


def keyword(channel: str, text: str) -> str | None:
    """`stop`, `start`, or None when the message is not one of those words alone."""
    if channel not in KEYWORD_CHANNELS:
        return None
    word = text.strip().strip(".!").upper()
    return "stop" if word in STOP_WORDS else "start" if word in START_WORDS else None


async def answer_keyword(
    sessionmaker: async_sessionmaker[Any],
    *,
    channel: str,
    sender: str,
    customer_id: str | None,
    text: str,
    brand: str,
) -> str | None:
    """Record a STOP/START; the confirmation to send, "" when nothing changed (no second
    confirmation), or None when `text` is not a keyword (a message for the assistant)."""
    word = keyword(channel, text)
    if word is None:
        return None
    subject = customer_id or f"{channel}:{sender}"
    async with sessionmaker() as session, session.begin():
        changed = await set_consent(
            session,
            subject=subject,
            category="marketing",
            channel=channel,
            granted=word == "start",
            source=f"{channel}:{word.upper()}",
        )
    if not changed:
        return ""
    where = _NAMES[channel]
    if word == "stop":
        return (
            f"You're unsubscribed: no more offers from {brand} on {where}. "
            "We'll still tell you about outages and your own orders. Reply START to opt back in."
        )
    return f"You're subscribed again to offers from {brand} on {where}. Reply STOP to opt out."
