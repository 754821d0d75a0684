"""Customers who need attention (docs/analytics.md): flagged for agents with the reason and the
conversations that show it.

- `repeat_contact`: the customer came back about one capability within the window — the same
  "repeat contact" that turns a resolution into a non-resolution (switchboard/automation.py),
  counted over the last `window` days and flagged from `min_contacts` contacts.
- `above_norm`: the customer contacted us much more in the window than their own usual rate,
  measured over the `NORM_WINDOWS` windows before it. Only where data allows: a customer with
  fewer than two earlier contacts has no norm and is never flagged for it.

- `low_nps`: the customer's latest NPS answer in the window is a detractor's (0-6), or fell by
  `NPS_DROP` points or more from their answer before it (switchboard/satisfaction.py).

A customer is their customer id, else their msisdn; anonymous conversations are not linked."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.ext.asyncio import async_sessionmaker

from api.analytics import load_conversations
from switchboard.automation import ConversationSummary, is_resolved, needs
from switchboard.db.models import Survey
from switchboard.satisfaction import NPS_DETRACTOR

Answer = tuple[datetime, int, str]  # when asked, score, conversation id

NORM_WINDOWS = 12  # the customer's usual rate is measured over this many earlier windows
NORM_FACTOR = 3.0  # flagged at this many times the usual number of contacts...
NORM_MARGIN = 2  # ...and at least this many contacts more than usual
NPS_DROP = 3  # a fall of this many points between two answers is flagged


class Contact(BaseModel):
    conversation_id: str
    started_at: datetime
    channel: str
    capabilities: list[str]
    resolved: bool
    human_involved: bool


class Flag(BaseModel):
    reason: str  # repeat_contact | above_norm | low_nps
    capability: str | None
    detail: str
    contacts: list[Contact]


class CustomerAttention(BaseModel):
    customer: str
    flags: list[Flag]
    recent_contacts: int
    usual_contacts: float | None  # per window, from the earlier windows; None: no norm yet
    last_contact: datetime


class AttentionReport(BaseModel):
    as_of: datetime
    window_days: int
    customers: list[CustomerAttention]


async def _contacts(
    sessionmaker: async_sessionmaker[Any], since: datetime, until: datetime
) -> dict[str, list[tuple[ConversationSummary, str]]]:
    """Per customer, their conversations started in [since, until), oldest first."""
    out: dict[str, list[tuple[ConversationSummary, str]]] = defaultdict(list)
    for loaded in await load_conversations(sessionmaker, since, until):
        key = loaded.summary.customer_key
        if key is not None:
            out[key].append((loaded.summary, loaded.channel))
    return out


def _contact(summary: ConversationSummary, channel: str) -> Contact:
    return Contact(
        conversation_id=summary.conversation_id,
        started_at=summary.started_at,
        channel=channel,
        capabilities=sorted(needs(summary)),
        resolved=is_resolved(summary),
        human_involved=summary.human_involved,
    )


async def _nps_answers(
    sessionmaker: async_sessionmaker[Any], since: datetime, until: datetime
) -> dict[str, list[Answer]]:
    """Per customer, their answered NPS surveys asked in [since, until), oldest first."""
    async with sessionmaker() as session:
        rows = (
            await session.execute(
                select(Survey.customer_key, Survey.created_at, Survey.score, Survey.conversation_id)
                .where(
                    Survey.kind == "nps",
                    Survey.status == "answered",
                    Survey.customer_key.is_not(None),
                    Survey.created_at >= since,
                    Survey.created_at < until,
                )
                .order_by(Survey.created_at)
            )
        ).all()
    out: dict[str, list[Answer]] = defaultdict(list)
    for key, asked, score, conversation_id in rows:
        moment = asked if asked.tzinfo else asked.replace(tzinfo=UTC)
        out[str(key)].append((moment, int(score), str(conversation_id)))
    return out


def nps_flag(
    answers: list[Answer],
    history: list[tuple[ConversationSummary, str]],
    *,
    window_start: datetime,
) -> Flag | None:
    """`low_nps` when the latest answer in the window detracts or fell by `NPS_DROP` or more."""
    if not answers or answers[-1][0] < window_start:
        return None
    asked, score, conversation_id = answers[-1]
    before = answers[-2][1] if len(answers) > 1 else None
    fell = before is not None and before - score >= NPS_DROP
    if score > NPS_DETRACTOR and not fell:
        return None
    was = f" (was {before})" if before is not None else ""
    contacts = [_contact(s, ch) for s, ch in history if s.conversation_id == conversation_id]
    return Flag(
        reason="low_nps",
        capability=None,
        detail=f"NPS {score} on {asked:%Y-%m-%d}{was}",
        contacts=contacts,
    )


def flags_for(
    history: list[tuple[ConversationSummary, str]],
    *,
    window_start: datetime,
    window_days: int,
    min_contacts: int,
    answers: list[Answer] | None = None,
) -> tuple[list[Flag], int, float | None]:
    """The customer's flags, their contacts in the window and their usual contacts per window."""
    recent = [(s, ch) for s, ch in history if s.started_at >= window_start and needs(s)]
    earlier = [s for s, _ in history if s.started_at < window_start and needs(s)]
    flags: list[Flag] = []
    by_need: dict[str, list[tuple[ConversationSummary, str]]] = defaultdict(list)
    for s, ch in recent:
        for need in needs(s):
            by_need[need].append((s, ch))
    for need, group in sorted(by_need.items()):
        if len(group) >= min_contacts:
            flags.append(
                Flag(
                    reason="repeat_contact",
                    capability=need,
                    detail=f"{len(group)} contacts about {need} within {window_days} days",
                    contacts=[_contact(s, ch) for s, ch in group],
                )
            )
    usual = len(earlier) / NORM_WINDOWS if len(earlier) >= 2 else None
    if usual is not None and len(recent) >= max(NORM_FACTOR * usual, usual + NORM_MARGIN):
        flags.append(
            Flag(
                reason="above_norm",
                capability=None,
                detail=(
                    f"{len(recent)} contacts in {window_days} days; usually {usual:.1f} "
                    f"(over the {NORM_WINDOWS * window_days} days before)"
                ),
                contacts=[_contact(s, ch) for s, ch in recent],
            )
        )
    low = nps_flag(answers or [], history, window_start=window_start)
    if low is not None:
        flags.append(low)
    return flags, len(recent), usual


async def report(
    sessionmaker: async_sessionmaker[Any],
    *,
    as_of: datetime,
    window_days: int,
    min_contacts: int,
) -> AttentionReport:
    """Customers flagged as of `as_of`, most flags first, then most recent contacts."""
    as_of = as_of if as_of.tzinfo else as_of.replace(tzinfo=UTC)
    window = timedelta(days=window_days)
    history = await _contacts(sessionmaker, as_of - window * (NORM_WINDOWS + 1), as_of)
    answers = await _nps_answers(sessionmaker, as_of - window * (NORM_WINDOWS + 1), as_of)
    customers = []
    for key, conversations in history.items():
        flags, recent, usual = flags_for(
            conversations,
            window_start=as_of - window,
            window_days=window_days,
            min_contacts=min_contacts,
            answers=answers.get(key),
        )
        if flags:
            customers.append(
                CustomerAttention(
                    customer=key,
                    flags=flags,
                    recent_contacts=recent,
                    usual_contacts=usual,
                    last_contact=conversations[-1][0].started_at,
                )
            )
    customers.sort(key=lambda c: (-len(c.flags), -c.recent_contacts, c.customer))
    return AttentionReport(as_of=as_of, window_days=window_days, customers=customers)
