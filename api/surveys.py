"""Surveys: an NPS (or CSAT) question after a resolved conversation, asked on the conversation's
own channel, and the answer stored and read back (docs/decisions/0025-surveys.md).

When: right after the customer closes a resolved conversation ("thanks, bye"), or when a resolved
conversation has been idle for `survey_idle_minutes` (the idle sweep). Never during an open
handoff, an open quote or an unresolved fault; once per conversation; at most once per customer
per `survey_interval_days` (switchboard/satisfaction.py holds the rules).

How: a `survey` event on the conversation (the widget draws buttons); on WhatsApp, SMS and
Telegram the same question goes to the outbox with a "reply 0-10" hint (a list or a keyboard
where the channel has one). A reply that reads as a score answers it; anything else dismisses the
survey and goes to the assistant as usual."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.channels.delivery import Post, post_to_conversation
from api.survey_context import customer_key, survey_context
from api.survey_question import THANKS, choices, question_text
from assistant.events import SurveyAnswered, SurveyAsked
from switchboard import clock
from switchboard.bus import EventBus
from switchboard.db.models import (
    Conversation,
    Survey,
    Turn,
    as_utc,
)
from switchboard.errors import InvalidInputError, NotFoundError
from switchboard.satisfaction import SCALES, SurveyKind, parse_reply, refusal
from switchboard.settings import Settings

log = logging.getLogger(__name__)
ANSWER_WINDOW = timedelta(hours=24)  # a reply later than this is a new message, not an answer
IDLE_LOOKBACK = timedelta(days=1)  # the idle sweep looks at conversations quiet since then
Wake = Callable[[], None]


class SurveyOut(BaseModel):
    model_config = ConfigDict(frozen=True)

    survey_id: int
    conversation_id: str
    kind: str
    channel: str | None
    status: str  # asked | answered | dismissed
    score: int | None
    comment: str | None
    asked_at: datetime
    answered_at: datetime | None


def _out(row: Survey) -> SurveyOut:
    return SurveyOut(
        survey_id=row.id,
        conversation_id=row.conversation_id,
        kind=row.kind,
        channel=row.channel,
        status=row.status,
        score=row.score,
        comment=row.comment,
        asked_at=row.created_at,
        answered_at=row.answered_at,
    )


class SurveyDesk:
    """Asks, records and reads surveys; shared by the widget's routes, the channel bridge and
    the idle sweep."""

    def __init__(
        self, sessionmaker: async_sessionmaker[Any], bus: EventBus, settings: Settings
    ) -> None:
        self._sessionmaker = sessionmaker
        self._bus = bus
        self._settings = settings

    # -- asking ---------------------------------------------------------------------------

    async def after_turn(self, conversation_id: str, *, on_outbox: Wake = lambda: None) -> bool:
        """Ask when the turn just finished closed a resolved conversation: the customer said
        thanks or goodbye after every need was met. True when a survey was sent."""
        if not self._settings.surveys:
            return False
        async with self._sessionmaker() as session:
            last = await session.scalar(
                select(Turn.capability)
                .where(Turn.conversation_id == conversation_id)
                .order_by(Turn.created_at.desc(), Turn.id.desc())
                .limit(1)
            )
        if last != "greeting":  # only a closing turn, never in the middle of a need
            return False
        return await self.ask(conversation_id, on_outbox=on_outbox)

    async def sweep_idle(self, *, limit: int = 200, on_outbox: Wake = lambda: None) -> int:
        """Ask the resolved conversations quiet for `survey_idle_minutes` (not yet asked); the
        number asked."""
        idle = self._settings.survey_idle_minutes
        if not self._settings.surveys or idle <= 0:
            return 0
        now = clock.now()
        quiet_since = now - timedelta(minutes=idle)
        async with self._sessionmaker() as session:
            ids = (
                await session.scalars(
                    select(Conversation.id)
                    .outerjoin(Survey, Survey.conversation_id == Conversation.id)
                    .where(
                        Survey.id.is_(None),
                        Conversation.status == "active",
                        Conversation.updated_at < quiet_since,
                        Conversation.updated_at >= now - IDLE_LOOKBACK,
                    )
                    .order_by(Conversation.updated_at)
                    .limit(limit)
                )
            ).all()
        asked = 0
        for conversation_id in ids:
            asked += await self.ask(str(conversation_id), on_outbox=on_outbox)
        return asked

    async def ask(self, conversation_id: str, *, on_outbox: Wake = lambda: None) -> bool:
        """Send the survey if the rules allow it now; True when it was sent."""
        now = clock.now()
        async with self._sessionmaker() as session:
            conversation = await session.get(Conversation, conversation_id)
            if conversation is None:
                return False
            context = await survey_context(session, conversation)
        why = refusal(
            context, now=now, interval=timedelta(days=self._settings.survey_interval_days)
        )
        if why is not None:
            log.debug("no survey for %s: %s", conversation_id, why)
            return False
        kind = self._settings.survey_kind
        channel = conversation.channel
        scale = SCALES[kind]
        text = question_text(kind, self._settings.brand, channel)
        data: dict[str, Any] = {}
        question = scale.question.format(brand=self._settings.brand)

        async def claim(session: AsyncSession) -> None:  # one survey per conversation
            row = Survey(
                conversation_id=conversation_id,
                kind=kind,
                channel=channel,
                customer_key=customer_key(conversation),
                status="asked",
                created_at=now,
            )
            session.add(row)
            await session.flush()
            # the event is appended after this, in the same commit, with the new row's id
            asked = SurveyAsked(
                survey_id=row.id,
                survey_kind=kind,
                question=question,
                low=scale.low,
                high=scale.high,
            )
            data.update(asked.data())

        post = Post(
            event="survey",
            data=data,
            text=text,
            kind="survey",
            dedupe_key=f"survey:{conversation_id}",
            role="system",
            extra={"choices": choices(kind)},
        )
        try:
            await post_to_conversation(
                self._sessionmaker,
                self._bus,
                conversation_id,
                post,
                also=claim,
                on_outbox=on_outbox,
            )
        except IntegrityError:  # asked at the same moment by the sweep and a turn: one won
            return False
        return True

    # -- answers --------------------------------------------------------------------------

    async def answer_text(
        self, conversation_id: str, text: str, *, on_outbox: Wake = lambda: None
    ) -> bool:
        """A messaging reply while the conversation's survey is open: True when it was the
        answer (stored and thanked); False, and the survey dismissed, when it is something else
        for the assistant. False too when no survey is open."""
        async with self._sessionmaker() as session:
            row = await session.scalar(
                select(Survey).where(
                    Survey.conversation_id == conversation_id, Survey.status == "asked"
                )
            )
        if row is None:
            return False
        if clock.now() - as_utc(row.created_at) > ANSWER_WINDOW:
            await self._settle(row.id, status="dismissed")
            return False
        parsed = parse_reply(text, row.kind)
        if parsed is None:
            await self._settle(row.id, status="dismissed")
            return False
        score, comment = parsed
        return await self.record(
            conversation_id, row.id, score=score, comment=comment, on_outbox=on_outbox
        )

    async def record(
        self,
        conversation_id: str,
        survey_id: int,
        *,
        score: int,
        comment: str | None,
        on_outbox: Wake = lambda: None,
    ) -> bool:
        """Store an answer (once: False when the survey was already answered or dismissed) and
        thank the customer on the conversation."""
        async with self._sessionmaker() as session:
            row = await session.get(Survey, survey_id)
        if row is None or row.conversation_id != conversation_id:
            raise NotFoundError(f"survey {survey_id} not found")
        kind: SurveyKind = "csat" if row.kind == "csat" else "nps"
        scale = SCALES[kind]
        if not scale.low <= score <= scale.high:
            raise InvalidInputError(f"a {row.kind} score is {scale.low} to {scale.high}")
        answered = False

        async def settle(session: AsyncSession) -> None:
            nonlocal answered
            result = await session.execute(
                update(Survey)
                .where(Survey.id == survey_id, Survey.status == "asked")
                .values(
                    status="answered",
                    score=score,
                    comment=(comment or None) and comment[:2000],
                    answered_at=clock.now(),
                )
            )
            answered = bool(result.rowcount)  # type: ignore[attr-defined]
            if not answered:
                raise _AlreadySettledError

        post = Post(
            event="survey.answered",
            data=SurveyAnswered(survey_id=survey_id, survey_kind=kind, score=score).data(),
            text=THANKS,
            kind="reply",
            dedupe_key=f"survey:{conversation_id}:answer",
            role="system",
        )
        try:
            await post_to_conversation(
                self._sessionmaker, self._bus, conversation_id, post, also=settle
            )
        except (_AlreadySettledError, IntegrityError):
            return False
        on_outbox()
        return answered

    async def _settle(self, survey_id: int, *, status: str) -> None:
        async with self._sessionmaker() as session, session.begin():
            await session.execute(
                update(Survey)
                .where(Survey.id == survey_id, Survey.status == "asked")
                .values(status=status)
            )

    # -- reading --------------------------------------------------------------------------

    async def list(
        self,
        *,
        since: datetime,
        until: datetime,
        kind: str | None = None,
        channel: str | None = None,
        limit: int = 200,
    ) -> Sequence[SurveyOut]:
        """Surveys asked in [since, until), newest first."""
        query = select(Survey).where(Survey.created_at >= since, Survey.created_at < until)
        if kind is not None:
            query = query.where(Survey.kind == kind)
        if channel is not None:
            query = query.where(Survey.channel == channel)
        async with self._sessionmaker() as session:
            rows = (
                await session.scalars(query.order_by(Survey.created_at.desc()).limit(limit))
            ).all()
        return [_out(r) for r in rows]


class _AlreadySettledError(Exception):
    """The survey was answered or dismissed already (rolls the thank-you back)."""


__all__ = ["SurveyDesk", "SurveyOut"]
