"""Inbound webhooks: WhatsApp Cloud API, Twilio SMS, Telegram, and the BSS hub listener.

Each one checks authenticity over the raw request first (401 otherwise; 503 when the channel's
secret is not configured), claims each message once and acknowledges at once; the turn runs
in the background and its answer leaves through the outbox (docs/channels.md)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Annotated, Any, TypeVar
from urllib.parse import parse_qsl

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import PlainTextResponse, Response
from pydantic import ValidationError
from starlette.datastructures import FormData

from api.channels.models import InboundMessage
from api.channels.signatures import secret_ok, twilio_signature_ok, whatsapp_signature_ok
from api.channels.sms import EMPTY_TWIML, parse_form
from api.channels.telegram import parse_update
from api.channels.whatsapp import parse_webhook
from api.deps import State
from api.errors import ERROR_RESPONSES, ErrorResponse
from api.hub import Hub, channel_lifespan
from api.notices import bss_events
from switchboard.errors import InvalidInputError, ServiceUnavailableError, UnauthorizedError

T = TypeVar("T")
UNCONFIGURED: dict[int | str, dict[str, object]] = {
    503: {"model": ErrorResponse, "description": "The channel's credentials are not configured"}
}
router = APIRouter(
    tags=["channels"], responses={**ERROR_RESPONSES, **UNCONFIGURED}, lifespan=channel_lifespan
)


def _configured(secret: Any, channel: str) -> str:
    if secret is None:
        raise ServiceUnavailableError(f"{channel} is not configured", code="channel_not_configured")
    return str(secret.get_secret_value())


def _json(raw: bytes) -> dict[str, Any]:
    try:
        body = json.loads(raw)
    except ValueError:
        raise InvalidInputError("webhook body is not JSON") from None
    if not isinstance(body, dict):
        raise InvalidInputError("webhook body is not a JSON object")
    return body


def _parsed(parse: Callable[[Any], T], body: dict[str, Any]) -> T:
    """A signed body of the wrong shape is the sender's mistake (4xx), never a 5xx: providers
    retry those for days, so one bad payload would become a storm."""
    try:
        return parse(body)
    except ValidationError:
        raise InvalidInputError("webhook body has an unexpected shape") from None


def _urlencoded(content_type: str, raw: bytes) -> FormData:
    """Twilio's form body (parsed here: no multipart parser is needed for it)."""
    if not content_type.startswith("application/x-www-form-urlencoded"):
        raise InvalidInputError("expected an application/x-www-form-urlencoded body")
    try:
        pairs = parse_qsl(raw.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
    except UnicodeDecodeError:
        raise InvalidInputError("form body is not UTF-8") from None
    return FormData([(name, value) for name, value in pairs])


async def _accept(messages: list[InboundMessage], hub: Any, state: Any) -> int:
    accepted = 0
    for message in messages:
        key = f"chan:{message.channel}:{message.sender}"
        if await state.limits.hit(key, limit=state.settings.rate_limit_per_minute):
            continue  # over the sender's budget: acknowledged (no provider retry), not answered
        accepted += await hub.bridge.accept(message)
    return accepted


@router.get(
    "/v1/webhooks/whatsapp",
    responses={
        200: {"description": "The challenge, echoed", "content": {"text/plain": {"schema": {}}}}
    },
)
async def whatsapp_verify(
    state: State,
    mode: Annotated[str, Query(alias="hub.mode")] = "",
    challenge: Annotated[str, Query(alias="hub.challenge", max_length=128)] = "",
    token: Annotated[str, Query(alias="hub.verify_token", max_length=256)] = "",
) -> PlainTextResponse:
    """Meta's subscription handshake: echo `hub.challenge` when the verify token matches."""
    expected = _configured(state.settings.whatsapp_verify_token, "whatsapp")
    if mode != "subscribe" or not secret_ok(expected, token):
        raise UnauthorizedError("whatsapp verify token mismatch")
    return PlainTextResponse(challenge)


@router.post("/v1/webhooks/whatsapp")
async def whatsapp_webhook(request: Request, state: State, hub: Hub) -> dict[str, int]:
    secret = _configured(state.settings.whatsapp_app_secret, "whatsapp")
    raw = await request.body()
    if not whatsapp_signature_ok(secret, raw, request.headers.get("x-hub-signature-256")):
        raise UnauthorizedError("bad X-Hub-Signature-256")
    messages = _parsed(parse_webhook, _json(raw))
    return {"accepted": await _accept(messages, hub, state)}


_TWILIO_FORM = {
    "requestBody": {
        "required": True,
        "content": {
            "application/x-www-form-urlencoded": {
                "schema": {
                    "type": "object",
                    "properties": {n: {"type": "string"} for n in ("MessageSid", "From", "Body")},
                    "required": ["MessageSid", "From", "Body"],
                }
            }
        },
    }
}


@router.post("/v1/webhooks/sms", openapi_extra=_TWILIO_FORM)
async def sms_webhook(request: Request, state: State, hub: Hub) -> Response:
    token = _configured(state.settings.twilio_auth_token, "sms")
    form = _urlencoded(request.headers.get("content-type", ""), await request.body())
    public = state.settings.public_base_url.rstrip("/") + request.url.path
    url = f"{public}?{request.url.query}" if request.url.query else public
    if not twilio_signature_ok(token, url, form, request.headers.get("x-twilio-signature")):
        raise UnauthorizedError("bad X-Twilio-Signature")
    message = parse_form(form)
    if message is not None:
        await _accept([message], hub, state)
    return Response(EMPTY_TWIML, media_type="text/xml")


@router.post("/v1/webhooks/telegram")
async def telegram_webhook(request: Request, state: State, hub: Hub) -> dict[str, int]:
    secret = _configured(state.settings.telegram_secret_token, "telegram")
    if not secret_ok(secret, request.headers.get("x-telegram-bot-api-secret-token")):
        raise UnauthorizedError("bad X-Telegram-Bot-Api-Secret-Token")
    message = _parsed(parse_update, _json(await request.body()))
    return {"accepted": await _accept([message] if message else [], hub, state)}


@router.post("/v1/bss/events/{key}/listener/{event_name}", status_code=201)
async def bss_listener_event(
    key: str, event_name: Annotated[str, Path(max_length=64)], request: Request, hub: Hub
) -> dict[str, bool]:
    """The same listener at TMF's per-event path (`{callback}/listener/{eventName}`); the event
    body names its own type, so `event_name` is not needed to handle it."""
    return await bss_event(key, request, hub)


@router.post("/v1/bss/events/{key}", status_code=201)
async def bss_event(key: str, request: Request, hub: Hub) -> dict[str, bool]:
    """The TMF hub listener: a state change becomes a customer notification, once."""
    if not secret_ok(hub.listener_key, key):
        raise UnauthorizedError("unknown listener")
    notified = await bss_events.handle_event(
        _json(await request.body()),
        sessionmaker=hub.sessionmaker,
        bus=hub.bus,
        bss=hub.bss,
        on_outbox=hub.wake,
    )
    return {"notified": notified}
