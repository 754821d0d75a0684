"""The bridge to an operator's existing helpdesk: every handoff is POSTed to
`SWITCHBOARD_HELPDESK_WEBHOOK_URL` with its summary (through the outbox: retried, sent once), and
the helpdesk posts its agents' replies, hand-backs and closes to `POST /v1/helpdesk/events`.

Both directions are signed alike: `X-Switchboard-Timestamp` (Unix seconds) and
`X-Switchboard-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<raw body>" with
SWITCHBOARD_HELPDESK_SECRET>`; a timestamp more than five minutes away is refused."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import async_sessionmaker

from api.channels.outbox import enqueue
from api.channels.sender import SendResult, classify
from assistant.service.deps import AGENT_QUEUE
from switchboard.bus import EventBus
from switchboard.db.models import Conversation, HandoffRecord, OutboxMessage

log = logging.getLogger(__name__)
CHANNEL = "helpdesk"
MAX_SKEW_S = 300
TIMESTAMP_HEADER = "X-Switchboard-Timestamp"
SIGNATURE_HEADER = "X-Switchboard-Signature"


def signature(secret: str, timestamp: str, body: bytes) -> str:
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def signature_ok(secret: str, timestamp: str | None, given: str | None, body: bytes) -> bool:
    if not timestamp or not given or not timestamp.isdigit():
        return False
    if abs(time.time() - int(timestamp)) > MAX_SKEW_S:
        return False
    return hmac.compare_digest(signature(secret, timestamp, body), given)


class HelpdeskSender:
    """Delivers the outbox's `helpdesk` rows: the handoff as signed JSON."""

    channel = CHANNEL

    def __init__(self, http: httpx.AsyncClient, *, url: str, secret: str) -> None:
        self._http, self._url, self._secret = http, url, secret

    async def send(self, *, recipient: str, text: str, payload: dict[str, Any]) -> SendResult:
        body = json.dumps({k: v for k, v in payload.items() if k != "text"}).encode()
        stamp = str(int(time.time()))
        headers = {
            "Content-Type": "application/json",
            TIMESTAMP_HEADER: stamp,
            SIGNATURE_HEADER: signature(self._secret, stamp, body),
        }
        try:
            response = await self._http.post(self._url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            return SendResult(ok=False, retry=True, error=exc.__class__.__name__)
        return classify(response)


async def queue_handoffs(sessionmaker: async_sessionmaker[Any], *, url: str) -> int:
    """Put every open handoff not yet sent to the helpdesk into the outbox; how many."""
    async with sessionmaker() as session, session.begin():
        rows = (
            await session.execute(
                select(HandoffRecord, Conversation)
                .join(Conversation, Conversation.id == HandoffRecord.conversation_id)
                .where(HandoffRecord.status.in_(("waiting", "assigned")))
            )
        ).all()
        keys = {f"{CHANNEL}:{h.id}" for h, _ in rows}
        sent = set(
            await session.scalars(
                select(OutboxMessage.dedupe_key).where(OutboxMessage.dedupe_key.in_(keys))
            )
        )
        queued = 0
        for handoff, conversation in rows:
            key = f"{CHANNEL}:{handoff.id}"
            if key in sent:
                continue
            await enqueue(
                session,
                channel=CHANNEL,
                recipient=url,
                kind="handoff",
                text=handoff.summary,
                dedupe_key=key,
                conversation_id=conversation.id,
                extra={
                    "event": "handoff",
                    "handoff_id": handoff.id,
                    "conversation_id": conversation.id,
                    "customer_id": conversation.customer_id,
                    "channel": conversation.channel,
                    "reason": handoff.reason,
                    "queue": handoff.queue,
                    "summary": handoff.summary,
                    "created_at": handoff.created_at.isoformat(),
                },
            )
            queued += 1
    return queued


async def relay_handoffs(
    sessionmaker: async_sessionmaker[Any], bus: EventBus, *, url: str, wake: Any
) -> None:
    """Forever: after every handoff announced on the bus's agent channel (and once at start),
    queue what the helpdesk has not been sent. Any replica may do it: the outbox's dedupe key
    makes each handoff one delivery."""
    async with bus.subscribe(AGENT_QUEUE) as changes:  # type: ignore[attr-defined]
        while True:
            try:
                if await queue_handoffs(sessionmaker, url=url):
                    wake()
            except Exception:
                log.exception("could not queue handoffs for the helpdesk")
            while (await changes.get()).type != "handoff":
                pass
