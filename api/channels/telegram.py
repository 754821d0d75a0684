"""Telegram Bot API: updates (message, edited_message, callback_query) and sendMessage.

Updates are not signed; the webhook checks the secret-token header and treats the content as
untrusted customer text. Parsing is lenient (Telegram's own doc examples omit fields)."""

from __future__ import annotations

from typing import Any

import httpx

from api.channels.models import InboundMessage
from api.channels.payloads import TgChat, TgUpdate, TgUser
from api.channels.sender import SendResult, classify

TELEGRAM_URL = "https://api.telegram.org"


def parse_update(payload: Any) -> InboundMessage | None:
    """The customer message in one update, or None for kinds the assistant does not read; a
    body of the wrong shape raises pydantic's `ValidationError`."""
    update = TgUpdate.model_validate(payload)
    if update.update_id is None:
        return None
    message = update.message or update.edited_message
    chat_id: int | None
    if message is not None:
        chat_id = _id(message.chat) or _id(message.sender)
        text = message.text or message.caption or ""
    elif update.callback_query is not None:
        query = update.callback_query
        origin = query.message
        chat_id = (_id(origin.chat) if origin else None) or _id(query.sender)
        text = query.data or ""
    else:
        return None
    if chat_id is None:
        return None
    return InboundMessage(
        channel="telegram", external_id=str(update.update_id), sender=str(chat_id), text=text
    )


def _id(holder: TgChat | TgUser | None) -> int | None:
    return holder.id if holder is not None else None


class TelegramSender:
    """POST /bot{token}/sendMessage with `chat_id` and `text`."""

    channel = "telegram"

    def __init__(
        self, http: httpx.AsyncClient, *, bot_token: str, base_url: str = TELEGRAM_URL
    ) -> None:
        self._http = http
        self._url = f"{base_url.rstrip('/')}/bot{bot_token}/sendMessage"

    async def send(self, *, recipient: str, text: str, payload: dict[str, Any]) -> SendResult:
        body: dict[str, Any] = {"chat_id": recipient, "text": text}
        keys = [str(c["title"]) for c in payload.get("choices") or []]
        if keys:  # a one-time reply keyboard: a tap sends the key's text as a message
            body["reply_markup"] = {
                "keyboard": [
                    [{"text": k} for k in keys[i : i + 6]] for i in range(0, len(keys), 6)
                ],
                "one_time_keyboard": True,
                "resize_keyboard": True,
            }
        response = await self._http.post(self._url, json=body)
        result = classify(response)
        if not result.ok:
            return result
        body = response.json()
        if not body.get("ok"):
            return SendResult(ok=False, error=str(body.get("description") or "not ok"))
        message_id = (body.get("result") or {}).get("message_id")
        return SendResult(ok=True, provider_id=str(message_id) if message_id else None)
