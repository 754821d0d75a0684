"""Operator analytics from the event log and the turns table: the automation rate (one definition:
switchboard/automation.py), containment, handoffs, actions, latency, tokens and usage, over a
period, by day and by channel. Definitions in docs/analytics.md.

Conversations count in the period they started in. Repeat contacts are looked for in the seven
days after the period too, so a conversation near the period's end is judged like any other."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.ext.asyncio import async_sessionmaker

from api.analytics.conversations import (
    MESSAGE,
    LoadedConversation,
    load_conversations,
    period_events,
)
from api.analytics.satisfaction import Satisfaction, nps_by_day, satisfaction
from switchboard.automation import (
    REPEAT_CONTACT_WINDOW,
    ConversationSummary,
    has_need,
    is_automated,
    needs,
    resolution,
)
from switchboard.db.models import HandoffRecord, as_utc
from switchboard.pricing import PRICES_AS_OF, cost_usd

AUTOMATION_TARGET = 0.80  # PRODUCT.md: what operators buy on


class Automation(BaseModel):
    rate: float | None
    target: float = AUTOMATION_TARGET
    counted: int  # conversations with a customer need (the denominator)
    automated: int
    confirmed: int  # automated, and the customer saw a receipt or said thanks/goodbye
    assumed: int  # automated, but the customer simply left after the answer


class ModelCost(BaseModel):
    prompt_tokens: int
    completion_tokens: int
    usd: float | None  # None when the model's price is unknown


class Cost(BaseModel):
    """The period's tokens priced per model: each turn at the model configured when it ran
    (`by_model`); turns from before turns recorded it at `model`, the configured one. `usd` is
    the sum, None when any model's price is unknown."""

    model: str
    usd: float | None
    prices_as_of: str = PRICES_AS_OF
    by_model: dict[str, ModelCost] = Field(default_factory=dict)


class QueueWait(BaseModel):
    """Seconds from a handoff to an agent taking it, for the period's conversations."""

    p50: float | None
    p95: float | None
    taken: int  # handoffs an agent took
    waiting: int  # handoffs nobody has taken yet


class DayRow(BaseModel):
    day: date
    conversations: int
    automation_rate: float | None
    nps: float | None = None  # of the surveys asked that day


class Report(BaseModel):
    since: datetime
    until: datetime
    channel: str | None
    segment: str | None = None  # the filters applied, like `channel`
    capability: str | None = None
    conversations: int
    proactive_conversations: int
    customer_messages: int
    automation: Automation
    containment: float | None  # conversations with a need that no person took part in
    handoffs: dict[str, int]
    handoff_rate: float | None  # conversations handed to a person / conversations
    queue_wait_s: QueueWait
    actions: dict[str, dict[str, int]]
    latency_ms: dict[str, float | None]
    tokens: dict[str, int]
    cost: Cost
    capabilities: dict[str, int]
    channels: dict[str, int]
    segments: dict[str, int]  # conversations by the customer's segment (`anonymous`: none)
    hours: dict[int, int]
    by_day: list[DayRow]
    satisfaction: Satisfaction


def _percentile(values: list[int], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return float(ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))])


def _automation(rows: list[LoadedConversation], everyone: list[LoadedConversation]) -> Automation:
    by_customer: dict[str, list[ConversationSummary]] = defaultdict(list)
    for row in everyone:
        if row.summary.customer_key is not None:
            by_customer[row.summary.customer_key].append(row.summary)
    counted = [r.summary for r in rows if has_need(r.summary)]
    automated = [
        c
        for c in counted
        if is_automated(c, by_customer.get(c.customer_key or "", []) if c.customer_key else ())
    ]
    kinds = Counter(resolution(c) for c in automated)
    return Automation(
        rate=len(automated) / len(counted) if counted else None,
        counted=len(counted),
        automated=len(automated),
        confirmed=kinds["confirmed"],
        assumed=kinds["assumed"],
    )


async def report(
    sessionmaker: async_sessionmaker[Any],
    *,
    since: datetime,
    until: datetime,
    channel: str | None = None,
    segment: str | None = None,
    capability: str | None = None,
    model: str = "local",
    prices: Mapping[str, tuple[float, float]] | None = None,
) -> Report:
    """The operator's numbers for conversations that started in [since, until), on `channel`,
    of customers in `segment` (`anonymous`: none), raising `capability`; tokens are priced per
    turn's model, else at `model` (switchboard/pricing.py, `prices` over the shipped table)."""
    since, until = as_utc(since), as_utc(until)
    # repeat contacts are looked for up to the window past the period's end
    everyone = await load_conversations(sessionmaker, since, until + REPEAT_CONTACT_WINDOW)
    events = await period_events(sessionmaker, since, until)
    rows = [
        r
        for r in everyone
        if since <= r.summary.started_at < until
        and (channel is None or r.channel == channel)
        and (segment is None or (r.segment or "anonymous") == segment)
        and (capability is None or capability in needs(r.summary))
    ]
    in_rows = {r.summary.conversation_id for r in rows}
    events = [e for e in events if e[0] in in_rows]
    needy = [r for r in rows if has_need(r.summary)]
    actions: dict[str, Counter[str]] = defaultdict(Counter)
    for _, kind, data, _ in events:
        if kind == "action.executed":
            actions[str(data.get("tool"))][str(data.get("status"))] += 1
    latencies = [ms for r in rows for ms in r.latencies]
    prompt, completion = sum(r.tokens[0] for r in rows), sum(r.tokens[1] for r in rows)
    days: dict[date, list[LoadedConversation]] = defaultdict(list)
    for r in rows:
        days[r.day].append(r)
    narrowed = in_rows if segment is not None or capability is not None else None
    happy, _ = await satisfaction(
        sessionmaker, since=since, until=until, channel=channel, conversations=narrowed
    )
    daily_nps = await nps_by_day(
        sessionmaker, since=since, until=until, channel=channel, conversations=narrowed
    )
    counted_rows = [r for r in rows if not r.summary.proactive]
    handed = {e[0] for e in events if e[1] == "handoff"}
    return Report(
        since=since,
        until=until,
        channel=channel,
        segment=segment,
        capability=capability,
        conversations=len(counted_rows),
        proactive_conversations=sum(1 for r in rows if r.summary.proactive),
        customer_messages=sum(1 for e in events if e[1] == MESSAGE),
        automation=_automation(rows, everyone),
        containment=(
            sum(1 for r in needy if not r.summary.human_involved) / len(needy) if needy else None
        ),
        handoffs=dict(Counter(str(e[2].get("reason")) for e in events if e[1] == "handoff")),
        handoff_rate=(
            sum(1 for r in counted_rows if r.summary.conversation_id in handed) / len(counted_rows)
            if counted_rows
            else None
        ),
        queue_wait_s=await _queue_wait(sessionmaker, in_rows),
        actions={tool: dict(statuses) for tool, statuses in sorted(actions.items())},
        latency_ms={"p50": _percentile(latencies, 0.5), "p95": _percentile(latencies, 0.95)},
        tokens={"prompt": prompt, "completion": completion},
        cost=_cost(rows, model=model, prices=prices),
        capabilities=dict(
            Counter(t.capability for r in rows for t in r.summary.turns if t.capability)
        ),
        channels=dict(Counter(r.channel for r in rows)),
        segments=dict(Counter(r.segment or "anonymous" for r in counted_rows)),
        hours=dict(
            sorted(Counter(e[3].hour for e in events if e[1] == "customer.message").items())
        ),
        by_day=[
            DayRow(
                day=day,
                conversations=sum(1 for r in group if not r.summary.proactive),
                automation_rate=_automation(group, everyone).rate,
                nps=daily_nps.get(day),
            )
            for day, group in sorted(days.items())
        ],
        satisfaction=happy,
    )


def _cost(
    rows: list[LoadedConversation],
    *,
    model: str,
    prices: Mapping[str, tuple[float, float]] | None,
) -> Cost:
    tokens: dict[str, tuple[int, int]] = defaultdict(lambda: (0, 0))
    for r in rows:
        for name, (prompt, completion) in r.tokens_by_model.items():
            before = tokens[name or model]
            tokens[name or model] = (before[0] + prompt, before[1] + completion)
    by_model = {
        name: ModelCost(
            prompt_tokens=prompt,
            completion_tokens=completion,
            usd=cost_usd(name, prompt_tokens=prompt, completion_tokens=completion, prices=prices),
        )
        for name, (prompt, completion) in sorted(tokens.items())
    }
    if not by_model:  # no tokens: what the configured model would cost (None when unknown)
        return Cost(model=model, usd=cost_usd(model, prompt_tokens=0, completion_tokens=0))
    costs = [c.usd for c in by_model.values()]
    total = None if any(c is None for c in costs) else sum(c for c in costs if c is not None)
    return Cost(model=model, usd=total, by_model=by_model)


async def _queue_wait(sessionmaker: async_sessionmaker[Any], conversations: set[str]) -> QueueWait:
    async with sessionmaker() as session:
        rows = (
            await session.execute(
                select(HandoffRecord.created_at, HandoffRecord.assigned_at).where(
                    HandoffRecord.conversation_id.in_(conversations)
                )
            )
        ).all()
    waits = [
        int((as_utc(taken) - as_utc(made)).total_seconds())
        for made, taken in rows
        if taken is not None
    ]
    return QueueWait(
        p50=_percentile(waits, 0.5),
        p95=_percentile(waits, 0.95),
        taken=len(waits),
        waiting=sum(1 for _, taken in rows if taken is None),
    )


def default_period(now: datetime, days: int = 30) -> tuple[datetime, datetime]:
    """The last `days` whole days up to now."""
    end = now
    return end - timedelta(days=days), end
