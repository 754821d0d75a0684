"""Twilio Programmable Messaging: the inbound form, the empty TwiML answer and the sender.

Twilio expects TwiML synchronously; the bridge answers with an empty `<Response />` at once
and sends the assistant's reply later through the Messages API (via the outbox)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx

from api.channels.models import InboundMessage
from api.channels.phone import to_e164
from api.channels.sender import SendResult, classify

TWILIO_URL = "https://api.twilio.com"
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response />'


def parse_form(form: Mapping[str, Any]) -> InboundMessage | None:
    """The message in an inbound SMS webhook, or None if it has no sender or id."""
    sid = str(form.get("MessageSid") or form.get("SmsMessageSid") or "")
    raw_from = str(form.get("From") or "")
    msisdn = to_e164(raw_from)
    if not sid or not raw_from:
        return None
    return InboundMessage(
        channel="sms",
        external_id=sid,
        sender=msisdn or raw_from,
        text=str(form.get("Body") or ""),
        msisdn=msisdn,
    )


class TwilioSender:
    """POST /2010-04-01/Accounts/{sid}/Messages.json (form To, From, Body; Basic auth)."""

    channel = "sms"

    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        account_sid: str,
        auth_token: str,
        from_number: str,
        base_url: str = TWILIO_URL,
    ) -> None:
        self._http = http
        self._auth = (account_sid, auth_token)
        self._from = from_number
        self._url = f"{base_url.rstrip('/')}/2010-04-01/Accounts/{account_sid}/Messages.json"

    async def send(self, *, recipient: str, text: str, payload: dict[str, Any]) -> SendResult:
        # the outbox row's key: a provider or proxy that dedupes on it turns a resend after a
        # crash between its answer and our bookkeeping into one message (ADR 0040)
        key = str(payload.get("dedupe_key") or "")
        response = await self._http.post(
            self._url,
            data={"To": recipient, "From": self._from, "Body": text},
            auth=self._auth,
            headers={"Idempotency-Key": key} if key else None,
        )
        result = classify(response)
        if result.ok:
            return SendResult(ok=True, provider_id=str(response.json().get("sid") or "") or None)
        return result
