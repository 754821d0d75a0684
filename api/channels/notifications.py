"""The Resolve stage: BSS state changes become `notification` events on the customer's
conversation, and messages on their channel — exactly once per BSS event.

The BSS POSTs TMF hub events to our listener; the event's `eventId` is claimed in
`inbound_receipts` in the same transaction as the notification and its outbox row, so a
redelivered (or doubly subscribed) event notifies once."""

from __future__ import annotations

import logging
import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.channels.delivery import Post, post_to_conversation
from assistant.events import Notification
from switchboard.bus import EventBus
from switchboard.db.models import Conversation, InboundReceipt
from switchboard.errors import InvalidInputError

log = logging.getLogger(__name__)
# eventType -> (resource key in the envelope, notification kind, state field)
HANDLED: dict[str, tuple[str, str, str]] = {
    "ProductOrderStateChangeEvent": ("productOrder", "order", "state"),
    "TroubleTicketStatusChangeEvent": ("troubleTicket", "ticket", "status"),
    "ProcessFlowStateChangeEvent": ("processFlow", "service_request", "state"),
}
LISTENED: dict[str, str] = {  # hub API (tools.bss.client.HUB_PATHS) -> its events we want
    "ordering": "ProductOrderStateChangeEvent",
    "ticket": "TroubleTicketStatusChangeEvent",
    "processFlow": "ProcessFlowStateChangeEvent",
}
_WORDS = {"inProgress": "in progress", "acknowledged": "received", "held": "on hold"}
_WHAT = {"order": "order", "ticket": "fault ticket", "service_request": "request"}


def _owner(doc: dict[str, Any]) -> str | None:
    parties = doc.get("relatedParty")
    for party in parties if isinstance(parties, list) else []:
        if not isinstance(party, dict):
            continue
        if party.get("@referredType") == "Customer" or party.get("role") == "customer":
            return str(party.get("id"))
    return None


def render(kind: str, doc: dict[str, Any], state: str) -> str:
    """The customer's text for a state change, from BSS fields only."""
    what = _WHAT[kind]
    if kind == "service_request":
        spec = str(doc.get("processFlowSpecification") or "").replace("-", " ")
        what = f"{spec.replace('sim', 'SIM').replace('esim', 'eSIM')} request".strip()
    text = f"Update on your {what} {doc.get('id', '')}: it is now {_WORDS.get(state, state)}."
    reason = doc.get("statusChangeReason")
    return f"{text} {reason}." if reason and kind == "ticket" else text


async def _latest_conversation(
    sessionmaker: async_sessionmaker[Any], customer_id: str
) -> str | None:
    async with sessionmaker() as session:
        found = await session.scalar(
            select(Conversation.id)
            .where(Conversation.customer_id == customer_id)
            .order_by(Conversation.updated_at.desc(), Conversation.created_at.desc())
            .limit(1)
        )
    return str(found) if found is not None else None


async def _new_conversation(
    sessionmaker: async_sessionmaker[Any], customer_id: str, bss: Any
) -> str:
    """A conversation for a customer who never wrote to us: by SMS to their first line (SMS
    can always be sent; WhatsApp needs a template outside its 24-hour window)."""
    msisdn = None
    if bss is not None:
        customer = await bss.get_customer(customer_id=customer_id)
        msisdn = customer.msisdns[0] if customer.msisdns else None
    conversation_id = str(uuid.uuid4())
    async with sessionmaker() as session, session.begin():
        session.add(
            Conversation(
                id=conversation_id,
                customer_id=customer_id,
                msisdn=msisdn,
                channel="sms" if msisdn else "web",
                channel_user_id=msisdn,
                verified=True,
                state={},
            )
        )
    return conversation_id


async def handle_event(
    envelope: dict[str, Any],
    *,
    sessionmaker: async_sessionmaker[Any],
    bus: EventBus,
    bss: Any = None,
    on_outbox: Any = lambda: None,
) -> bool:
    """Notify the customer about one hub event; False when ignored or already notified."""
    event_id, event_type = envelope.get("eventId"), envelope.get("eventType")
    if not isinstance(event_id, str) or not isinstance(event_type, str):
        raise InvalidInputError("a hub event needs eventId and eventType")
    if event_type not in HANDLED:
        return False
    key, kind, field = HANDLED[event_type]
    event = envelope.get("event")
    doc = event.get(key) if isinstance(event, dict) else None
    customer_id = _owner(doc) if isinstance(doc, dict) else None
    if not isinstance(doc, dict) or customer_id is None:
        log.info("hub event %s (%s) names no customer; ignored", event_id, event_type)
        return False
    async with sessionmaker() as session:
        seen = await session.scalar(
            select(InboundReceipt.id).where(
                InboundReceipt.source == "bss", InboundReceipt.external_id == event_id
            )
        )
    if seen is not None:
        return False
    state = str(doc.get(field) or "updated")
    text = render(kind, doc, state)
    conversation_id = await _latest_conversation(sessionmaker, customer_id)
    if conversation_id is None:
        conversation_id = await _new_conversation(sessionmaker, customer_id, bss)

    async def claim(session: AsyncSession) -> None:  # a concurrent duplicate fails here
        session.add(InboundReceipt(source="bss", external_id=event_id[:160]))
        await session.flush()

    post = Post(
        event="notification",
        data=Notification(
            notification_kind=kind, text=text, ref=str(doc.get("id", "")), state=state
        ).data(),
        text=text,
        kind="notification",
        dedupe_key=f"bss:{event_id}",
    )
    try:
        await post_to_conversation(
            sessionmaker, bus, conversation_id, post, also=claim, on_outbox=on_outbox
        )
    except IntegrityError:  # the same event, delivered twice at once: the other one won
        return False
    return True


async def register_bss_listener(bss: Any, callback: str) -> list[tuple[str, str]]:
    """Subscribe `callback` to the BSS hubs whose events we turn into notifications;
    the (api, subscription id) pairs, for `unregister_bss_listener`."""
    subscriptions: list[tuple[str, str]] = []
    for api, event_type in LISTENED.items():
        sub = await bss.register_listener(
            api=api, callback=callback, query=f"eventType={event_type}"
        )
        subscriptions.append((api, sub.id))
    return subscriptions


async def unregister_bss_listener(bss: Any, subscriptions: list[tuple[str, str]]) -> None:
    for api, subscription_id in subscriptions:
        try:
            await bss.unregister_listener(api=api, subscription_id=subscription_id)
        except Exception:
            log.warning("could not unregister hub subscription %s", subscription_id)
