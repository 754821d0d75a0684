"""The shapes of the webhook bodies, as lenient pydantic models.

Lenient where providers are (unknown fields ignored, most fields optional: Telegram's own doc
examples omit some), strict where our code relies on a type: a `chat` that is a string, an
`entry` that is a list of strings, an id that is an object — any of those is a
`ValidationError`, which the webhook answers with 400, never a 500 that the provider would
retry for days. Lengths are bounded so no field can be larger than a sane message."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

Id = Annotated[str, Field(max_length=256)]
Text = Annotated[str, Field(max_length=65_536)]
ChatId = Annotated[int, Field(ge=-(2**63), le=2**63 - 1)]


class Lenient(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


# WhatsApp Cloud API (docs/channels.md; SECURITY-NOTES §5.1)
class WaText(Lenient):
    body: Text | None = None


class WaButton(Lenient):
    text: Text | None = None


class WaChoice(Lenient):
    id: Id | None = None
    title: Text | None = None


class WaInteractive(Lenient):
    button_reply: WaChoice | None = None
    list_reply: WaChoice | None = None


class WaMessage(Lenient):
    id: Id | None = None
    sender: Id | None = Field(default=None, alias="from")
    type: Id | None = None
    text: WaText | None = None
    button: WaButton | None = None
    interactive: WaInteractive | None = None


class WaContact(Lenient):
    wa_id: Id | None = None
    user_id: Id | None = None


class WaMetadata(Lenient):
    phone_number_id: Id | None = None


class WaValue(Lenient):
    metadata: WaMetadata | None = None
    contacts: list[WaContact] | None = None
    messages: list[WaMessage] | None = None


class WaChange(Lenient):
    field: Id | None = None
    value: dict[str, Any] | None = None  # read as WaValue only under field "messages"


class WaEntry(Lenient):
    changes: list[WaChange] | None = None


class WaWebhook(Lenient):
    entry: list[WaEntry] | None = None


# Telegram Bot API (SECURITY-NOTES §5.3)
class TgUser(Lenient):
    id: ChatId | None = None


class TgChat(Lenient):
    id: ChatId | None = None


class TgMessage(Lenient):
    chat: TgChat | None = None
    sender: TgUser | None = Field(default=None, alias="from")
    text: Text | None = None
    caption: Text | None = None


class TgCallbackQuery(Lenient):
    sender: TgUser | None = Field(default=None, alias="from")
    message: TgMessage | None = None
    data: Text | None = None


class TgUpdate(Lenient):
    update_id: ChatId | None = None  # without one, an update is acknowledged and ignored
    message: TgMessage | None = None
    edited_message: TgMessage | None = None
    callback_query: TgCallbackQuery | None = None
