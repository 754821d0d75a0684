"""The tables. Later features add theirs by an Alembic migration (switchboard/migrations)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from switchboard import clock


def utcnow() -> datetime:
    """Row timestamps and expiries on the project's one clock (switchboard/clock.py)."""
    return clock.now()


def as_utc(moment: datetime) -> datetime:
    """A timestamp read back from a row, aware: SQLite returns them without their zone (they
    were stored in UTC); PostgreSQL's already carry it."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JSON, list[Any]: JSON}


class Conversation(Base):
    __tablename__ = "conversations"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    customer_id: Mapped[str | None] = mapped_column(String(64), index=True)
    msisdn: Mapped[str | None] = mapped_column(String(20))
    channel: Mapped[str] = mapped_column(String(16), default="web")
    channel_user_id: Mapped[str | None] = mapped_column(String(128), index=True)
    # the customer's segment when it started (prepaid, postpaid, business), for analytics
    segment: Mapped[str | None] = mapped_column(String(16))
    # active: the assistant answers; handed_off: waiting for or owned by a human; closed.
    status: Mapped[str] = mapped_column(String(16), default="active")
    assigned_agent: Mapped[str | None] = mapped_column(String(64))
    verified: Mapped[bool] = mapped_column(default=False)
    last_event_id: Mapped[int] = mapped_column(BigInteger, default=0)
    summary: Mapped[str | None] = mapped_column(Text)
    state: Mapped[dict[str, Any]] = mapped_column(default=dict)
    tokens_used: Mapped[int] = mapped_column(Integer, default=0)
    # its TMF683 party interaction in the operator's BSS ("PI-…", then "PI-…:completed" once
    # its closing was written back too; api/notices/writeback.py)
    bss_interaction: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )


class Message(Base):
    __tablename__ = "messages"
    __table_args__ = (UniqueConstraint("conversation_id", "client_message_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id"), index=True)
    role: Mapped[str] = mapped_column(String(16))  # customer | assistant | agent | system
    text: Mapped[str] = mapped_column(Text)
    turn_id: Mapped[str | None] = mapped_column(String(36))
    client_message_id: Mapped[str | None] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Event(Base):
    """The append-only event log: per conversation, `seq` only grows."""

    __tablename__ = "events"

    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id"), primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    turn_id: Mapped[str | None] = mapped_column(String(36))
    type: Mapped[str] = mapped_column(String(32))
    data: Mapped[dict[str, Any]] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Turn(Base):
    """One assistant turn's outcome, for analytics and evals."""

    __tablename__ = "turns"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id"), index=True)
    capability: Mapped[str | None] = mapped_column(String(32))
    outcome: Mapped[str | None] = mapped_column(String(16))
    confidence: Mapped[float | None] = mapped_column()
    tools: Mapped[list[Any]] = mapped_column(default=list)
    citations: Mapped[list[Any]] = mapped_column(default=list)
    handoff_reason: Mapped[str | None] = mapped_column(String(64))
    prompt_tokens: Mapped[int] = mapped_column(Integer, default=0)
    completion_tokens: Mapped[int] = mapped_column(Integer, default=0)
    latency_ms: Mapped[int] = mapped_column(Integer, default=0)
    # the configured model (`SWITCHBOARD_LLM`) when the turn ran: its tokens are priced at it
    model: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class PendingAction(Base):
    """A quoted write action: proposed → confirmed → executing → succeeded | failed,
    or → cancelled | expired. Transitions are conditional updates on `status`."""

    __tablename__ = "pending_actions"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id"), index=True)
    customer_id: Mapped[str] = mapped_column(String(64), index=True)
    tool: Mapped[str] = mapped_column(String(48))
    args: Mapped[dict[str, Any]] = mapped_column()
    args_hash: Mapped[str] = mapped_column(String(64))
    amount: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    currency: Mapped[str | None] = mapped_column(String(3))
    summary: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="proposed", index=True)
    idempotency_key: Mapped[str] = mapped_column(String(128), unique=True)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    receipt: Mapped[dict[str, Any] | None] = mapped_column()
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )


class AuditEntry(Base):
    """Append-only: every proposal, confirmation, cancellation, execution and failure."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(80))
    event: Mapped[str] = mapped_column(String(24))
    action_id: Mapped[str | None] = mapped_column(String(36), index=True)
    tool: Mapped[str | None] = mapped_column(String(48))
    customer_id: Mapped[str | None] = mapped_column(String(64), index=True)
    conversation_id: Mapped[str | None] = mapped_column(String(36))
    args: Mapped[dict[str, Any] | None] = mapped_column()
    amount: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    currency: Mapped[str | None] = mapped_column(String(3))
    bss_ref: Mapped[str | None] = mapped_column(String(128))
    detail: Mapped[str | None] = mapped_column(Text)


# The handoff statuses a person still has to act on (the desk's queue, a survey's wait).
OPEN_HANDOFF = ("waiting", "assigned")


class HandoffRecord(Base):
    __tablename__ = "handoffs"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id"), index=True)
    reason: Mapped[str] = mapped_column(String(64))
    queue: Mapped[str] = mapped_column(String(32), default="general")
    summary: Mapped[str] = mapped_column(Text, default="")
    # waiting | assigned | returned | closed
    status: Mapped[str] = mapped_column(String(16), default="waiting")
    agent: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    assigned_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # set once when it waited longer than `desk_escalate_after_s` (api/desk/escalation.py)
    escalated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Agent(Base):
    """A person at the agent desk (api/desk/): signs in with a password hashed by bcrypt."""

    __tablename__ = "agents"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # the sign-in name
    name: Mapped[str] = mapped_column(String(80))
    role: Mapped[str] = mapped_column(String(16))  # agent | supervisor
    password_hash: Mapped[str] = mapped_column(String(128))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # the desk's live stream refreshes it: presence without state in a replica's memory
    last_seen_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class OutboxMessage(Base):
    """Side effects leave through here, written in the same transaction as their cause."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    conversation_id: Mapped[str | None] = mapped_column(String(36), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    recipient: Mapped[str] = mapped_column(String(128))
    kind: Mapped[str] = mapped_column(String(32))
    payload: Mapped[dict[str, Any]] = mapped_column()
    dedupe_key: Mapped[str] = mapped_column(String(160), unique=True)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Survey(Base):
    """One survey per conversation (api/surveys.py): asked → answered | dismissed."""

    __tablename__ = "surveys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    conversation_id: Mapped[str] = mapped_column(
        ForeignKey("conversations.id"), index=True, unique=True
    )
    kind: Mapped[str] = mapped_column(String(8))  # nps | csat
    channel: Mapped[str | None] = mapped_column(String(16))
    # the customer, or `channel:sender` for an unknown sender; counts the interval between asks
    customer_key: Mapped[str | None] = mapped_column(String(160), index=True)
    status: Mapped[str] = mapped_column(String(12), default="asked")
    score: Mapped[int | None] = mapped_column(Integer)
    comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    answered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Feedback(Base):
    __tablename__ = "feedback"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id"), index=True)
    turn_id: Mapped[str | None] = mapped_column(String(36))
    rating: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class InboundReceipt(Base):
    """Dedupe of inbound webhook deliveries and client retries: (source, external id) once."""

    __tablename__ = "inbound_receipts"
    __table_args__ = (UniqueConstraint("source", "external_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    source: Mapped[str] = mapped_column(String(32))
    external_id: Mapped[str] = mapped_column(String(160))
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class OtpChallenge(Base):
    __tablename__ = "otp_challenges"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    msisdn: Mapped[str] = mapped_column(String(20), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    verified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Notice(Base):
    """A proactive notice to one customer (api/notices/): pending → sent, or deferred (quiet
    hours; due again at `due_at`), suppressed (with its reason) or failed. `sent` is written in
    the transaction that puts it on the customer's conversation and channel outbox."""

    __tablename__ = "notices"
    __table_args__ = (Index("ix_notices_due", "status", "due_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    kind: Mapped[str] = mapped_column(String(24))  # outage, campaign, ticket, order, …
    category: Mapped[str] = mapped_column(String(16))  # service | alerts | marketing
    customer_id: Mapped[str] = mapped_column(String(64), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    recipient: Mapped[str | None] = mapped_column(String(128))
    conversation_id: Mapped[str | None] = mapped_column(String(36))
    ref: Mapped[str | None] = mapped_column(String(64), index=True)  # outage, campaign, ticket
    text: Mapped[str] = mapped_column(Text)
    dedupe_key: Mapped[str] = mapped_column(String(160), unique=True)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    reason: Mapped[str | None] = mapped_column(String(48))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # written back to the operator's BSS: "PI-…/MSG-…" (TMF683 interaction, TMF681 message),
    # or "refused: …" when the BSS will not take it
    bss_ref: Mapped[str | None] = mapped_column(String(96))


class NoticeConsent(Base):
    """A customer's yes or no to one category of notices on one channel (`*`: every channel).
    No row: service notices and alerts go, marketing does not (it needs an explicit yes)."""

    __tablename__ = "notice_consents"
    __table_args__ = (UniqueConstraint("subject", "category", "channel"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    subject: Mapped[str] = mapped_column(String(160), index=True)  # customer id or channel:sender
    category: Mapped[str] = mapped_column(String(16))
    channel: Mapped[str] = mapped_column(String(16))
    granted: Mapped[bool] = mapped_column()
    source: Mapped[str] = mapped_column(String(32))  # admin, sms:STOP, whatsapp:START, …
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ContactPreference(Base):
    """Where and when a customer wants notices: their channel and their time zone (quiet hours
    are kept in it; unset: the operator's zone)."""

    __tablename__ = "contact_preferences"

    customer_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    channel: Mapped[str | None] = mapped_column(String(16))
    time_zone: Mapped[str | None] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
