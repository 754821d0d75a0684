"""Request and response bodies of the public API (docs/api.md describes each)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from api.auth import Segment
from switchboard.db.models import as_utc

UtcDatetime = Annotated[datetime, AfterValidator(as_utc)]
ClientMessageId = Annotated[str, Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_.:-]+$")]
Msisdn = Annotated[str, Field(pattern=r"^\+[1-9][0-9]{6,14}$", examples=["+447700900001"])]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ConversationCreated(BaseModel):
    conversation_id: str
    signed_in: bool
    token: str | None = Field(
        default=None, description="A new anonymous session token, when none was sent"
    )


class MessageIn(_In):
    text: str = Field(min_length=1, description="At most `max_message_chars` characters (413)")
    client_message_id: ClientMessageId


class ActionOutcome(BaseModel):
    action_id: str
    # `in_progress` (HTTP 202): being executed or awaiting the recovery sweep; its result
    # arrives as `action.executed` on the conversation's stream. Never reported as failed.
    status: Literal["ok", "failed", "cancelled", "expired", "in_progress"]
    receipt: dict[str, Any] | None = None
    event_id: int


class TranscriptMessage(BaseModel):
    role: str
    text: str
    turn_id: str | None
    created_at: UtcDatetime


class Transcript(BaseModel):
    conversation_id: str
    status: str
    last_event_id: int
    messages: list[TranscriptMessage]


class FeedbackIn(_In):
    rating: Literal[-1, 1] = Field(description="1 helpful, -1 not helpful")
    turn_id: str | None = Field(default=None, max_length=36)
    comment: str | None = Field(default=None, max_length=1000)


class FeedbackSaved(BaseModel):
    feedback_id: int


class SurveyAnswerIn(_In):
    score: int = Field(ge=0, le=10, description="NPS 0-10 or CSAT 1-5, as the survey asked")
    comment: str | None = Field(default=None, max_length=2000)


class SurveyAnswered(BaseModel):
    survey_id: int
    status: Literal["answered"] = "answered"


class DemoCustomerOut(BaseModel):
    msisdn: str
    name: str
    segment: Segment


class DemoSessionIn(_In):
    msisdn: Msisdn


class SessionToken(BaseModel):
    token: str
    expires_in: int


class OtpStartIn(_In):
    msisdn: Msisdn


class OtpStarted(BaseModel):
    challenge_id: str
    expires_at: UtcDatetime


class OtpVerifyIn(_In):
    challenge_id: str = Field(min_length=1, max_length=36)
    code: str = Field(pattern=r"^[0-9]{6}$")


class OutboxItem(BaseModel):
    kind: str
    text: str
    created_at: UtcDatetime


class SessionInfo(BaseModel):
    signed_in: bool
    msisdn: str | None
    segment: Segment | None
    verified: bool


class Health(BaseModel):
    status: Literal["ok", "unavailable"]
    checks: dict[str, str] = Field(default_factory=dict)
