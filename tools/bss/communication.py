"""Hub listeners, messages (TMF681 Communication) and party interactions (TMF683)."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Literal

from tools.bss.models import (
    HubApi,
    Interaction,
    Message,
    Subscription,
)
from tools.bss.transport import (
    COMMUNICATION,
    CUSTOMER,
    HUB_PATHS,
    INTERACTION,
    BssTransport,
    Doc,
    _iso,
)


class NotificationApi(BssTransport):
    """Event hub listeners, messages to customers (TMF681) and party interactions (TMF683)."""

    async def register_listener(
        self,
        *,
        api: HubApi,
        callback: str,
        query: str | None = None,
        idempotency_key: str | None = None,
    ) -> Subscription:
        """Ask the BSS to POST `api`'s events to `{callback}/listener/{eventName}`."""
        body: Doc = {"callback": callback}
        if query:
            body["query"] = query
        doc = await self._call(
            "POST", f"{HUB_PATHS[api]}/hub", json=body, idempotency_key=idempotency_key
        )
        return Subscription(id=doc["id"], callback=doc["callback"], query=doc.get("query"), api=api)

    async def unregister_listener(self, *, api: HubApi, subscription_id: str) -> None:
        await self._call("DELETE", f"{HUB_PATHS[api]}/hub/{subscription_id}")

    async def send_message(
        self,
        *,
        customer_id: str,
        content: str,
        idempotency_key: str,
        message_type: str = "SMS",
        msisdn: str | None = None,
        subject: str | None = None,
    ) -> Message:
        receiver: Doc = {
            "id": customer_id,
            "party": {"id": customer_id, "@referredType": "Customer"},
        }
        if msisdn:
            receiver["phoneNumber"] = msisdn
        body: Doc = {
            "content": content,
            "messageType": message_type,
            "sender": {"id": slug(self._sender), "name": self._sender},
            "receiver": [receiver],
        }
        if subject:
            body["subject"] = subject
        doc = await self._call(
            "POST",
            f"{COMMUNICATION}/communicationMessage",
            json=body,
            idempotency_key=idempotency_key,
        )
        return Message.from_tmf(doc)

    async def record_interaction(
        self,
        *,
        customer_id: str,
        channel: str,
        reason: str,
        description: str,
        direction: Literal["inbound", "outbound"],
        started: datetime,
        idempotency_key: str,
        status: str = "completed",
        item_ref: Doc | None = None,
    ) -> Interaction:
        """Record one contact with the customer (TMF683) in the operator's systems."""
        body: Doc = {
            "interactionDate": {"startDateTime": _iso(started)},
            "reason": reason,
            "description": description,
            "status": status,
            "direction": direction,
            "channel": [
                {"id": channel, "href": f"{INTERACTION}/channel/{channel}", "name": channel}
            ],
            "relatedParty": [
                {
                    "id": customer_id,
                    "href": f"{CUSTOMER}/customer/{customer_id}",
                    "role": "customer",
                    "@referredType": "Customer",
                }
            ],
        }
        if item_ref is not None:
            body["interactionItem"] = [{"reason": reason, "item": item_ref}]
        doc = await self._call(
            "POST", f"{INTERACTION}/partyInteraction", json=body, idempotency_key=idempotency_key
        )
        return Interaction.from_tmf(doc)

    async def close_interaction(self, *, interaction_id: str, idempotency_key: str) -> Interaction:
        """Mark a recorded interaction `completed` (the conversation ended)."""
        doc = await self._call(
            "PATCH",
            f"{INTERACTION}/partyInteraction/{interaction_id}",
            json={"status": "completed"},
            idempotency_key=idempotency_key,
        )
        return Interaction.from_tmf(doc)


def slug(name: str) -> str:
    """A sender id from the operator's name: "Acme Mobile" → "acme-mobile"."""
    return "-".join(re.findall(r"[a-z0-9]+", name.lower())) or "operator"
