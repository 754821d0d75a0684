"""WhatsApp Cloud API: inbound webhook payloads and the text sender.

Messages and delivery statuses both arrive under `field: "messages"`; statuses are
acknowledged and ignored. Only text (and button/interactive replies, read as text) reach the
assistant; other message types get a short "text only" answer (see `UNSUPPORTED`)."""

from __future__ import annotations

from typing import Any

import httpx

from api.channels.models import InboundMessage
from api.channels.phone import to_e164
from api.channels.sender import SendResult, classify

GRAPH_URL = "https://graph.facebook.com"
API_VERSION = "v25.0"
UNSUPPORTED = "[unsupported message type]"


def _text_of(message: dict[str, Any]) -> str:
    kind = message.get("type")
    if kind == "text":
        return str((message.get("text") or {}).get("body") or "")
    if kind == "button":
        return str((message.get("button") or {}).get("text") or "")
    if kind == "interactive":
        reply = message.get("interactive") or {}
        chosen = reply.get("button_reply") or reply.get("list_reply") or {}
        return str(chosen.get("title") or chosen.get("id") or "")
    return UNSUPPORTED


def parse_webhook(payload: dict[str, Any]) -> list[InboundMessage]:
    """The customer messages in one webhook delivery (statuses are skipped)."""
    found: list[InboundMessage] = []
    for entry in payload.get("entry") or []:
        for change in entry.get("changes") or []:
            value = change.get("value") or {}
            if change.get("field") != "messages" or not isinstance(value, dict):
                continue
            phone_number_id = (value.get("metadata") or {}).get("phone_number_id")
            contacts = {c.get("wa_id"): c for c in value.get("contacts") or [] if c.get("wa_id")}
            for message in value.get("messages") or []:
                wa_id = str(message.get("from") or "")
                contact = contacts.get(wa_id) or {}
                sender = wa_id or str(contact.get("user_id") or "")
                if not message.get("id") or not sender:
                    continue
                found.append(
                    InboundMessage(
                        channel="whatsapp",
                        external_id=str(message["id"]),
                        sender=sender,
                        text=_text_of(message),
                        msisdn=to_e164(wa_id) if wa_id else None,
                        reply_via=str(phone_number_id) if phone_number_id else None,
                    )
                )
    return found


class WhatsAppSender:
    """POST /{version}/{phone_number_id}/messages with the Cloud API's text body."""

    channel = "whatsapp"

    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        access_token: str,
        phone_number_id: str,
        base_url: str = GRAPH_URL,
        api_version: str = API_VERSION,
    ) -> None:
        self._http = http
        self._token = access_token
        self._phone_number_id = phone_number_id
        self._base = f"{base_url.rstrip('/')}/{api_version}"

    async def send(self, *, recipient: str, text: str, payload: dict[str, Any]) -> SendResult:
        sender_id = payload.get("phone_number_id") or self._phone_number_id
        body = {
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": recipient,
            "type": "text",
            "text": {"preview_url": False, "body": text},
        }
        response = await self._http.post(
            f"{self._base}/{sender_id}/messages",
            json=body,
            headers={"Authorization": f"Bearer {self._token}"},
        )
        result = classify(response)
        if result.ok:
            ids = [m.get("id") for m in response.json().get("messages") or []]
            return SendResult(ok=True, provider_id=str(ids[0]) if ids else None)
        return result
