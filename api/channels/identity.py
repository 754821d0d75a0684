"""Who a messaging customer is: the channel's sender id, never the message text, trusted as far
as the channel deserves (`settings.channel_trust`, docs/decisions/0021-identity-by-channel.md).

WhatsApp vouches for the sender's phone number (`verified`). An SMS From can be spoofed — the
provider's signature proves only the delivery — so it is only `claimed`: the conversation
belongs to that line's customer, but account reads wait for a one-time code texted to the
line, and writes need step-up. If the number is no customer's line (the BSS's TMF629 lookup,
or the demo directory when no BSS client is at hand), or the channel is `anonymous` (Telegram
gives only a chat id), the conversation is anonymous: knowledge answers and a person."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any, Literal, cast

from api.channels.models import ChannelIdentity, InboundMessage

log = logging.getLogger(__name__)
Segment = Literal["prepaid", "postpaid", "business"]
Found = tuple[str, Segment | None]
CustomerLookup = Callable[[str], Awaitable[Found | None]]


def make_lookup(*, bss: Any = None, directory: Any = None) -> CustomerLookup:
    """Find the customer whose line is `msisdn`: the BSS first, then the demo directory."""

    async def lookup(msisdn: str) -> Found | None:
        if bss is not None:
            customer = await bss.find_customer_by_msisdn(msisdn=msisdn)
            return (customer.id, customer.segment) if customer is not None else None
        if directory is not None:
            for entry in await directory.demo_customers():
                if entry.msisdn == msisdn:
                    return (entry.customer_id, cast(Segment, entry.segment))
        return None

    return lookup


async def resolve_identity(
    message: InboundMessage,
    lookup: CustomerLookup,
    trust: str = "verified",
    *,
    code_verified: bool = False,
) -> ChannelIdentity:
    """`trust` is the channel's (settings.channel_trust); `code_verified` whether this sender
    gave the one-time code in its current conversation (for a claimed identity)."""
    found = await lookup(message.msisdn) if message.msisdn and trust != "anonymous" else None
    if found is None:
        return ChannelIdentity(
            customer_id=None,
            msisdn=None,
            segment=None,
            verified=False,
            channel=message.channel,
            channel_user_id=message.sender,
            anonymous_id=f"{message.channel}:{message.sender}",
        )
    customer_id, segment = found
    claimed = trust == "claimed"
    return ChannelIdentity(
        customer_id=customer_id,
        msisdn=message.msisdn,
        segment=segment,
        verified=code_verified if claimed else True,
        channel=message.channel,
        channel_user_id=message.sender,
        claimed=claimed,
        lines=(message.msisdn,) if segment == "business" and message.msisdn else None,
    )
