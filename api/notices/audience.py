"""Who a notice goes to, and where: customers from the BSS (TMF629) chosen by the districts of
an outage or by segment, each on their preferred channel (SMS to their first line unless they
chose another)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.ext.asyncio import async_sessionmaker

from switchboard.db.models import ContactPreference, Conversation
from tools.bss.models import Customer

PAGE = 100


class CustomerSource(Protocol):
    async def list_customers(self, *, limit: int = 100, offset: int = 0) -> list[Customer]: ...


@dataclass(frozen=True, slots=True)
class Target:
    customer_id: str
    channel: str  # web | sms | whatsapp | telegram
    recipient: str | None  # the channel address (web: the line, for the SMS copy)


def district(postcode: str) -> str:
    """The outward code of a UK postcode: 'LS2 9JT' -> 'LS2'."""
    return postcode.strip().upper().split(" ")[0] if postcode.strip() else ""


def in_districts(postcode: str | None, districts: Iterable[str]) -> bool:
    wanted = {d.strip().upper() for d in districts if d.strip()}
    if not postcode:
        return False
    return district(postcode) in wanted or " ".join(postcode.upper().split()) in wanted


async def every_customer(bss: CustomerSource) -> AsyncIterator[Customer]:
    offset = 0
    while True:
        page = await bss.list_customers(limit=PAGE, offset=offset)
        for customer in page:
            yield customer
        if len(page) < PAGE:
            return
        offset += PAGE


async def customers_in(bss: CustomerSource, districts: Iterable[str]) -> list[Customer]:
    wanted = list(districts)
    return [c async for c in every_customer(bss) if in_districts(c.postcode, wanted)]


async def customers_of(bss: CustomerSource, segment: str | None) -> list[Customer]:
    return [c async for c in every_customer(bss) if segment in (None, c.segment)]


async def targets(sessionmaker: async_sessionmaker[Any], customers: list[Customer]) -> list[Target]:
    """Each customer's channel: their preference, else SMS to their first line; a customer with
    neither a line nor a conversation on their channel cannot be reached and is left out."""
    ids = [c.id for c in customers]
    async with sessionmaker() as session:
        prefs = {
            p.customer_id: p
            for p in await session.scalars(
                select(ContactPreference).where(ContactPreference.customer_id.in_(ids))
            )
        }
        telegram = {
            str(row.customer_id): str(row.channel_user_id)
            for row in await session.execute(
                select(Conversation.customer_id, Conversation.channel_user_id).where(
                    Conversation.customer_id.in_(ids), Conversation.channel == "telegram"
                )
            )
        }
    found: list[Target] = []
    for customer in customers:
        line = customer.msisdns[0] if customer.msisdns else None
        pref = prefs.get(customer.id)
        channel = (pref.channel if pref else None) or "sms"
        if channel == "whatsapp" and line:
            found.append(Target(customer.id, "whatsapp", line.lstrip("+")))
        elif channel == "telegram" and customer.id in telegram:
            found.append(Target(customer.id, "telegram", telegram[customer.id]))
        elif channel == "web":
            found.append(Target(customer.id, "web", line))
        elif line:
            found.append(Target(customer.id, "sms", line))
    return found
