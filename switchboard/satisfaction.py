"""Shared definitions of customer satisfaction: the survey scales, how a reply is read as a score,
NPS and CSAT, and when a customer may be asked (docs/decisions/0025-surveys.md).

Like switchboard/automation.py, this is the ONE place these are defined: the operator analytics
(`api/analytics/`), the survey desk (`api/surveys.py`) and the docs (docs/analytics.md) all
mean the same thing by "NPS". Standard library only, so any package can import it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from switchboard.number_words import UNITS

SurveyKind = Literal["nps", "csat"]


@dataclass(frozen=True, slots=True)
class Scale:
    low: int
    high: int
    question: str  # `{brand}` is the operator's name


SCALES: dict[str, Scale] = {
    "nps": Scale(0, 10, "How likely are you to recommend {brand} to a friend or colleague?"),
    "csat": Scale(1, 5, "How satisfied are you with the help you got today?"),
}
NPS_PROMOTER = 9  # 9-10 promote, 7-8 are passive, 0-6 detract (the standard bands)
NPS_DETRACTOR = 6
CSAT_SATISFIED = 4  # 4-5 of 5 count as satisfied

# A reply to a survey: the score alone ("8", "8/10", "eight out of ten"), or the score then a
# comment after a separator or a space ("9 - quick and easy", "3 still no signal"). A number that
# is the start of something else ("10 minutes ago...", "5 pounds top up") is not a score.
_WORDS = {word: value for word, value in UNITS.items() if value <= 10}  # a score is 0-10
_NUMBER = r"(?P<n>\d{1,2}|" + "|".join(_WORDS) + r")"
_REPLY = re.compile(
    r"^\s*(?:(?:i'?d\s+(?:say|give\s+(?:it|you))|score)\s*:?\s*)?"
    + _NUMBER
    + r"(?:\s*(?:/|out\s+of|of)\s*(?:10|ten|5|five))?(?:\s*stars?)?"
    r"(?:\s*(?:[-–—,.:;!)]+\s*|\s+)(?P<comment>.*))?\s*$",
    re.IGNORECASE | re.DOTALL,
)
# Words that make a leading number a quantity, not a score ("10 minutes", "5 pounds", "2 lines").
_QUANTITY = re.compile(
    r"^(?:minutes?|mins?|hours?|hrs?|days?|weeks?|months?|years?|seconds?|secs?|pounds?|quid|"
    r"p\b|pence|euros?|dollars?|gb|mb|gigs?|texts?|sms|calls?|lines?|sims?|phones?|times?|"
    r"am\b|pm\b|o'?clock|th\b|st\b|nd\b|rd\b|%|percent)",
    re.IGNORECASE,
)


def parse_reply(text: str, kind: str) -> tuple[int, str | None] | None:
    """The (score, comment) a message gives to a `kind` survey, or None when it is not an answer
    (then it is a message for the assistant). A number outside the scale is not an answer."""
    match = _REPLY.match(text)
    if match is None:
        return None
    raw = match["n"].lower()
    score = _WORDS[raw] if raw in _WORDS else int(raw)
    comment = (match["comment"] or "").strip()
    if comment and _QUANTITY.match(comment):
        return None
    scale = SCALES[kind]
    if not scale.low <= score <= scale.high:
        return None
    return score, comment or None


def nps(scores: Iterable[int]) -> float | None:
    """Net Promoter Score, -100..100: % promoters (9-10) minus % detractors (0-6)."""
    values = list(scores)
    if not values:
        return None
    promoters = sum(1 for s in values if s >= NPS_PROMOTER)
    detractors = sum(1 for s in values if s <= NPS_DETRACTOR)
    return round(100.0 * (promoters - detractors) / len(values), 1)


def csat(scores: Iterable[int]) -> float | None:
    """CSAT: the share of answers that are 4 or 5 on the 1-5 scale, 0..1."""
    values = list(scores)
    if not values:
        return None
    return sum(1 for s in values if s >= CSAT_SATISFIED) / len(values)


@dataclass(frozen=True, slots=True)
class SurveyContext:
    """What the rules need to know about a conversation at the moment a survey could be asked."""

    resolved: bool  # every need answered or acted on (switchboard.automation.is_resolved)
    proactive: bool  # the operator started it (no customer query to rate)
    handoff_open: bool  # waiting for or with a person
    open_quote: bool  # a proposed action awaits the customer's yes or no
    open_problem: bool  # a fault ticket raised here is not resolved yet
    already_asked: bool  # this conversation had its survey
    last_asked_at: datetime | None  # the customer's (or this sender's) latest survey


def refusal(context: SurveyContext, *, now: datetime, interval: timedelta) -> str | None:
    """Why this conversation must not be surveyed now, or None when it may be."""
    if context.proactive:
        return "proactive"
    if not context.resolved:
        return "unresolved"
    if context.handoff_open:
        return "handoff_open"
    if context.open_quote:
        return "quote_open"
    if context.open_problem:
        return "problem_open"
    if context.already_asked:
        return "already_asked"
    if context.last_asked_at is not None and now - context.last_asked_at < interval:
        return "asked_recently"
    return None


__all__ = [
    "SCALES",
    "Scale",
    "SurveyContext",
    "SurveyKind",
    "csat",
    "nps",
    "parse_reply",
    "refusal",
]
