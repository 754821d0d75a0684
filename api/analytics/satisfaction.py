"""How satisfied customers say they are, over a period: the surveys asked and answered (NPS and
CSAT by switchboard/satisfaction.py's definitions, ADR 0025) and the widget's thumbs, in total
and NPS by day."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import async_sessionmaker

from switchboard.db.models import Conversation, Feedback, Survey, as_utc
from switchboard.satisfaction import csat, nps


class ScaleSummary(BaseModel):
    score: float | None  # NPS -100..100, CSAT 0..1 (switchboard/satisfaction.py)
    answers: int
    asked: int


class Satisfaction(BaseModel):
    """Surveys asked in a period and what they say, with the widget's thumbs."""

    nps: float | None
    nps_answers: int
    csat: float | None
    csat_answers: int
    surveys_asked: int
    response_rate: float | None  # answered / asked
    thumbs_up: int
    thumbs_down: int


async def satisfaction(
    sessionmaker: async_sessionmaker[Any],
    *,
    since: datetime,
    until: datetime,
    channel: str | None = None,
    conversations: set[str] | None = None,
) -> tuple[Satisfaction, dict[str, ScaleSummary]]:
    """NPS, CSAT and thumbs for surveys asked (feedback given) in [since, until); only those of
    `conversations` when given (a segment or capability filter)."""
    query = select(Survey.kind, Survey.status, Survey.score).where(
        Survey.created_at >= since, Survey.created_at < until
    )
    thumbs = select(Feedback.rating, func.count()).where(
        Feedback.created_at >= since, Feedback.created_at < until
    )
    if conversations is not None:
        query = query.where(Survey.conversation_id.in_(conversations))
        thumbs = thumbs.where(Feedback.conversation_id.in_(conversations))
    if channel is not None:
        query = query.where(Survey.channel == channel)
        thumbs = thumbs.join(Conversation, Conversation.id == Feedback.conversation_id).where(
            Conversation.channel == channel
        )
    async with sessionmaker() as session:
        rows = (await session.execute(query)).all()
        ratings = dict((await session.execute(thumbs.group_by(Feedback.rating))).all())
    scores: dict[str, list[int]] = {"nps": [], "csat": []}
    asked: dict[str, int] = {"nps": 0, "csat": 0}
    for kind, status, score in rows:
        asked[kind] = asked.get(kind, 0) + 1
        if status == "answered" and score is not None:
            scores.setdefault(kind, []).append(int(score))
    answered = sum(len(v) for v in scores.values())
    total = sum(asked.values())
    kinds = {
        "nps": ScaleSummary(
            score=nps(scores["nps"]), answers=len(scores["nps"]), asked=asked["nps"]
        ),
        "csat": ScaleSummary(
            score=csat(scores["csat"]), answers=len(scores["csat"]), asked=asked["csat"]
        ),
    }
    return (
        Satisfaction(
            nps=kinds["nps"].score,
            nps_answers=kinds["nps"].answers,
            csat=kinds["csat"].score,
            csat_answers=kinds["csat"].answers,
            surveys_asked=total,
            response_rate=answered / total if total else None,
            thumbs_up=int(ratings.get(1, 0)),
            thumbs_down=int(ratings.get(-1, 0)),
        ),
        kinds,
    )


async def nps_by_day(
    sessionmaker: async_sessionmaker[Any],
    *,
    since: datetime,
    until: datetime,
    channel: str | None,
    conversations: set[str] | None = None,
) -> dict[date, float | None]:
    query = select(Survey.created_at, Survey.score).where(
        Survey.created_at >= since,
        Survey.created_at < until,
        Survey.kind == "nps",
        Survey.status == "answered",
    )
    if channel is not None:
        query = query.where(Survey.channel == channel)
    if conversations is not None:
        query = query.where(Survey.conversation_id.in_(conversations))
    async with sessionmaker() as session:
        rows = (await session.execute(query)).all()
    by_day: dict[date, list[int]] = defaultdict(list)
    for asked_at, score in rows:
        by_day[as_utc(asked_at).date()].append(int(score))
    return {day: nps(scores) for day, scores in by_day.items()}
