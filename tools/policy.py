"""Policy limits, in code rather than prompts: per-transaction and per-day top-up limits, the
daily spend cap and step-up verification (all set in `Settings`). Checked when a quote is made
and again when a confirmed action is about to execute, so two open quotes can't add up past a
limit."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import async_sessionmaker

from switchboard.db.models import PendingAction, utcnow
from switchboard.settings import Settings
from tools.action_store import ActionRecord
from tools.failures import ToolRefusal
from tools.money import money, to_decimal

# Tools whose amount is money leaving the customer's card or credit today.
CHARGING_TOOLS: tuple[str, ...] = ("top_up", "buy_addon", "pay_bill", "renew_plan")
# Statuses whose money may have moved (`confirmed` after a timeout: the outcome is unknown).
_COUNTED = ("confirmed", "executing", "succeeded")


def _midnight(now: datetime) -> datetime:
    return now.replace(hour=0, minute=0, second=0, microsecond=0)


async def spent_today(
    sessionmaker: async_sessionmaker[Any],
    *,
    customer_id: str,
    tools: tuple[str, ...],
    exclude_action_id: str | None = None,
    now: datetime | None = None,
) -> Decimal:
    """What the customer's actions through Switchboard moved today (UTC), for `tools`."""
    stmt = select(func.coalesce(func.sum(PendingAction.amount), 0)).where(
        PendingAction.customer_id == customer_id,
        PendingAction.tool.in_(tools),
        PendingAction.status.in_(_COUNTED),
        PendingAction.updated_at >= _midnight(now or utcnow()),
    )
    if exclude_action_id is not None:
        stmt = stmt.where(PendingAction.id != exclude_action_id)
    async with sessionmaker() as session:
        total = await session.scalar(stmt)
    return to_decimal(total or 0)


def top_up_problem(settings: Settings, amount: Decimal, already_today: Decimal) -> str | None:
    low = to_decimal(settings.topup_min_per_transaction)
    high = to_decimal(settings.topup_max_per_transaction)
    per_day = to_decimal(settings.topup_max_per_day)
    if amount < low:
        return f"The smallest top-up is {money(low)}."
    if amount > high:
        return f"The largest single top-up is {money(high)}."
    if already_today + amount > per_day:
        room = max(per_day - already_today, Decimal(0))
        left = (
            f"the most you can add today is {money(room)}"
            if room >= low
            else ("no more top-ups are possible today")
        )
        return (
            f"Your daily top-up limit is {money(per_day)}; you've topped up {money(already_today)} "
            f"today, so {left}."
        )
    return None


def spend_cap_problem(settings: Settings, amount: Decimal, spent: Decimal) -> str | None:
    cap = to_decimal(settings.daily_spend_cap)
    if spent + amount > cap:
        return (
            f"That would take today's payments through the assistant past the daily limit of "
            f"{money(cap)} (already {money(spent)} today). A person can help with larger amounts."
        )
    return None


async def check_quote(
    sessionmaker: async_sessionmaker[Any],
    *,
    settings: Settings,
    customer_id: str,
    tool: str,
    amount: Decimal | None,
    bss_topped_up_today: Decimal | None = None,
) -> None:
    """Refuse (ToolRefusal `limit_exceeded`) a quote that breaks a limit right now."""
    if amount is None or tool not in CHARGING_TOOLS:
        return
    problem = None
    if tool == "top_up":
        ours = await spent_today(sessionmaker, customer_id=customer_id, tools=("top_up",))
        already = max(ours, bss_topped_up_today or Decimal(0))
        problem = top_up_problem(settings, amount, already)
    if problem is None:
        spent = await spent_today(sessionmaker, customer_id=customer_id, tools=CHARGING_TOOLS)
        problem = spend_cap_problem(settings, amount, spent)
    if problem is not None:
        raise ToolRefusal("limit_exceeded", problem)


async def recheck_limits(
    sessionmaker: async_sessionmaker[Any], *, settings: Settings, action: ActionRecord
) -> str | None:
    """The limit a confirmed action would now break (other actions ran since the quote)."""
    if action.amount is None or action.tool not in CHARGING_TOOLS:
        return None
    amount = to_decimal(action.amount)
    if action.tool == "top_up":
        ours = await spent_today(
            sessionmaker,
            customer_id=action.customer_id,
            tools=("top_up",),
            exclude_action_id=action.id,
        )
        problem = top_up_problem(settings, amount, ours)
        if problem is not None:
            return problem
    spent = await spent_today(
        sessionmaker,
        customer_id=action.customer_id,
        tools=CHARGING_TOOLS,
        exclude_action_id=action.id,
    )
    return spend_cap_problem(settings, amount, spent)
