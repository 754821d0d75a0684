"""WhatsApp Cloud API: inbound webhook payloads and the text sender.

Messages and delivery statuses both arrive under `field: "messages"`; statuses are
acknowledged and ignored. Only text (and button/interactive replies, read as text) reach the
assistant; other message types get a short "text only" answer (see `UNSUPPORTED`)."""

from __future__ import annotations

from typing import Any

import httpx

from api.channels.models import InboundMessage
from api.channels.payloads import WaChoice, WaInteractive, WaMessage, WaValue, WaWebhook
from api.channels.phone import to_e164
from api.channels.sender import SendResult, classify

GRAPH_URL = "https://graph.facebook.com"
API_VERSION = "v25.0"
UNSUPPORTED = "[unsupported message type]"
LIST_MAX_ROWS = 10  # Cloud API: at most 10 rows in a list message, titles up to 24 characters


def _text_of(message: WaMessage) -> str:
    if message.type == "text":
        return (message.text.body if message.text else None) or ""
    if message.type == "button":
        return (message.button.text if message.button else None) or ""
    if message.type == "interactive":
        reply = message.interactive or WaInteractive()
        chosen = reply.button_reply or reply.list_reply or WaChoice()
        return chosen.title or chosen.id or ""
    return UNSUPPORTED


def parse_webhook(payload: Any) -> list[InboundMessage]:
    """The customer messages in one webhook delivery (statuses are skipped); a body of the wrong
    shape raises pydantic's `ValidationError`."""
    webhook = WaWebhook.model_validate(payload)
    found: list[InboundMessage] = []
    for entry in webhook.entry or []:
        for change in entry.changes or []:
            if change.field != "messages" or change.value is None:
                continue
            found.extend(_messages(WaValue.model_validate(change.value)))
    return found


def _messages(value: WaValue) -> list[InboundMessage]:
    phone_number_id = value.metadata.phone_number_id if value.metadata else None
    contacts = {c.wa_id: c for c in value.contacts or [] if c.wa_id}
    found: list[InboundMessage] = []
    for message in value.messages or []:
        wa_id = message.sender or ""
        contact = contacts.get(wa_id)
        sender = wa_id or (contact.user_id if contact else None) or ""
        if not message.id or not sender:
            continue
        found.append(
            InboundMessage(
                channel="whatsapp",
                external_id=message.id,
                sender=sender,
                text=_text_of(message),
                msisdn=to_e164(wa_id) if wa_id else None,
                reply_via=phone_number_id or None,
            )
        )
    return found


def _list(text: str, rows: list[dict[str, str]]) -> dict[str, Any]:
    """An interactive list whose reply (`list_reply.title`) reads as the choice's title."""
    return {
        "type": "list",
        "body": {"text": text[:1024]},
        "action": {
            "button": "Choose",
            "sections": [
                {
                    "title": "Your answer",
                    "rows": [
                        {
                            "id": str(r["id"])[:200],
                            "title": str(r["title"])[:24],
                            **(
                                {"description": r["description"][:72]}
                                if r.get("description")
                                else {}
                            ),
                        }
                        for r in rows
                    ],
                }
            ],
        },
    }


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
        body: dict[str, Any] = {
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": recipient,
            "type": "text",
            "text": {"preview_url": False, "body": text},
        }
        rows = payload.get("choices") or []
        template = payload.get("template")
        if isinstance(template, dict):  # outside the 24-hour window Meta takes only templates
            body["type"] = "template"
            body.pop("text")
            body["template"] = {
                "name": template["name"],
                "language": {"code": template["language"]},
                "components": [{"type": "body", "parameters": [{"type": "text", "text": text}]}],
            }
        elif 0 < len(rows) <= LIST_MAX_ROWS:  # a list message; longer scales stay "reply 0-10"
            body["type"] = "interactive"
            body.pop("text")
            body["interactive"] = _list(text, rows)
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
