"""Telegram Bot API: updates (message, edited_message, callback_query) and sendMessage.

Updates are not signed; the webhook checks the secret-token header and treats the content as
untrusted customer text. Parsing is lenient (Telegram's own doc examples omit fields)."""

from __future__ import annotations

from typing import Any

import httpx

from api.channels.models import InboundMessage
from api.channels.sender import SendResult, classify

TELEGRAM_URL = "https://api.telegram.org"


def parse_update(update: dict[str, Any]) -> InboundMessage | None:
    """The customer message in one update, or None for kinds the assistant does not read."""
    update_id = update.get("update_id")
    if not isinstance(update_id, int):
        return None
    message = update.get("message") or update.get("edited_message")
    if isinstance(message, dict):
        chat = message.get("chat") or {}
        chat_id = chat.get("id") or (message.get("from") or {}).get("id")
        text = message.get("text") or message.get("caption") or ""
    else:
        query = update.get("callback_query")
        if not isinstance(query, dict):
            return None
        origin = query.get("message") or {}
        chat_id = (origin.get("chat") or {}).get("id") or (query.get("from") or {}).get("id")
        text = query.get("data") or ""
    if chat_id is None:
        return None
    return InboundMessage(
        channel="telegram", external_id=str(update_id), sender=str(chat_id), text=str(text)
    )


class TelegramSender:
    """POST /bot{token}/sendMessage with `chat_id` and `text`."""

    channel = "telegram"

    def __init__(
        self, http: httpx.AsyncClient, *, bot_token: str, base_url: str = TELEGRAM_URL
    ) -> None:
        self._http = http
        self._url = f"{base_url.rstrip('/')}/bot{bot_token}/sendMessage"

    async def send(self, *, recipient: str, text: str, payload: dict[str, Any]) -> SendResult:
        response = await self._http.post(self._url, json={"chat_id": recipient, "text": text})
        result = classify(response)
        if not result.ok:
            return result
        body = response.json()
        if not body.get("ok"):
            return SendResult(ok=False, error=str(body.get("description") or "not ok"))
        message_id = (body.get("result") or {}).get("message_id")
        return SendResult(ok=True, provider_id=str(message_id) if message_id else None)
