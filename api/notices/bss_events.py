"""The Resolve stage: BSS state changes — every step of an order, a ticket or a service request
(each task of a TMF701 process flow) — become `notification` events on the customer's
conversation and messages on their channel (a widget conversation's also by SMS to the line,
as the widget may be closed), exactly once per BSS event, each recorded as a notice.

The BSS POSTs TMF hub events to our listener; the event's `eventId` is claimed in
`inbound_receipts` in the same transaction as the notification and its outbox row, so a
redelivered (or doubly subscribed) event notifies once."""

from __future__ import annotations

import logging
import re
import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.channels.delivery import post_to_conversation
from api.notices.policy import CATEGORY_OF_KIND
from api.notices.posting import enqueue_sms_copy, notice_post
from switchboard.bus import EventBus
from switchboard.db.models import Conversation, InboundReceipt, Notice, utcnow
from switchboard.errors import InvalidInputError

log = logging.getLogger(__name__)
# eventType -> (resource key in the envelope, notification kind, state field)
HANDLED: dict[str, tuple[str, str, str]] = {
    "ProductOrderStateChangeEvent": ("productOrder", "order", "state"),
    "TroubleTicketStatusChangeEvent": ("troubleTicket", "ticket", "status"),
    "ProcessFlowStateChangeEvent": ("processFlow", "service_request", "state"),
    "TaskFlowStateChangeEvent": ("taskFlow", "service_request", "state"),
}
LISTENED: dict[str, str] = {  # hub API (tools.bss.client.HUB_PATHS) -> its events we want
    "ordering": "ProductOrderStateChangeEvent",
    "ticket": "TroubleTicketStatusChangeEvent",
    "processFlow": "ProcessFlowStateChangeEvent,TaskFlowStateChangeEvent",
}
TASK_STEPS = {"completed", "cancelled"}  # a task's start is not news; its end is
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


def _words(name: str) -> str:
    """A task's name as words: 'emailQrCode' -> 'email QR code'."""
    spaced = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", name).lower()
    return spaced.replace("qr ", "QR ").replace("sim", "SIM").replace("e SIM", "eSIM")


def _flow_of(task: dict[str, Any]) -> str:
    return next(
        (
            str(e.get("id"))
            for e in task.get("relatedEntity") or []
            if isinstance(e, dict) and e.get("@referredType") == "ProcessFlow"
        ),
        "",
    )


def render_task(doc: dict[str, Any], state: str) -> str:
    flow = _flow_of(doc)
    step = _words(str(doc.get("taskFlowSpecification") or "a step"))
    number = f"step {doc['priority']}, " if isinstance(doc.get("priority"), int) else ""
    return f"Update on your request {flow}: {number}{step}, is now {_WORDS.get(state, state)}."


def render(kind: str, doc: dict[str, Any], state: str) -> str:
    """The customer's text for a state change, from BSS fields only."""
    if doc.get("@type") == "TaskFlow":
        return render_task(doc, state)
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
    task = doc.get("@type") == "TaskFlow"
    if task and state not in TASK_STEPS:
        return False
    ref = _flow_of(doc) if task else str(doc.get("id", ""))
    text = render(kind, doc, state)
    conversation_id = await _latest_conversation(sessionmaker, customer_id)
    if conversation_id is None:
        conversation_id = await _new_conversation(sessionmaker, customer_id, bss)
    notice_id = str(uuid.uuid4())

    async def claim(session: AsyncSession) -> None:  # a concurrent duplicate fails here
        session.add(InboundReceipt(source="bss", external_id=event_id[:160]))
        conversation = await session.get(Conversation, conversation_id)
        assert conversation is not None
        copy = conversation.channel == "web" and conversation.msisdn
        if copy:  # the widget may be closed: the step reaches their line too
            await enqueue_sms_copy(
                session,
                notice_id=notice_id,
                recipient=str(conversation.msisdn),
                text=text,
                conversation_id=conversation_id,
            )
        session.add(
            Notice(
                id=notice_id,
                kind=kind,
                category=CATEGORY_OF_KIND[kind],
                customer_id=customer_id,
                channel=conversation.channel,
                recipient=conversation.msisdn if copy else conversation.channel_user_id,
                conversation_id=conversation_id,
                ref=ref[:64],
                text=text,
                dedupe_key=f"bss:{event_id}"[:160],
                status="sent",
                attempts=1,
                due_at=utcnow(),
                created_at=utcnow(),
                sent_at=utcnow(),
            )
        )
        await session.flush()
        if copy:
            on_outbox()

    post = notice_post(notice_id=notice_id, kind=kind, text=text, ref=ref, state=state)
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
