"""Who a messaging customer is: the verified channel id, never the message text.

WhatsApp and SMS vouch for the sender's phone number. If that E.164 number is a customer's
line (the BSS's TMF629 lookup, or the demo directory when no BSS client is at hand), the
conversation is signed in as that customer, verified by the channel; otherwise it is anonymous
(knowledge answers and a person, no account tools). Telegram gives only a chat id, so it is
anonymous until an account-linking flow exists (docs/channels.md)."""

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


async def resolve_identity(message: InboundMessage, lookup: CustomerLookup) -> ChannelIdentity:
    found = await lookup(message.msisdn) if message.msisdn else None
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
    return ChannelIdentity(
        customer_id=customer_id,
        msisdn=message.msisdn,
        segment=segment,
        verified=True,
        channel=message.channel,
        channel_user_id=message.sender,
    )
