"""The quote step every write tool ends with: limits, the pending action, the outcome."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from tools import actions, policy
from tools.context import TurnContext
from tools.lines import customer_of
from tools.money import currency_of
from tools.outcome import ToolOutcome, ok

CONFIRM_HINT = "Shall I go ahead? Please reply yes to confirm or no to cancel."


async def quote(
    ctx: TurnContext,
    *,
    tool: str,
    args: Mapping[str, Any],
    summary: str,
    amount: Decimal | None = None,
    data: Mapping[str, Any] | None = None,
    bss_topped_up_today: Decimal | None = None,
) -> ToolOutcome:
    """Check the policy limits, record the pending action and return it as the outcome."""
    customer_id = customer_of(ctx)
    await policy.check_quote(
        ctx.sessionmaker,
        settings=ctx.settings,
        customer_id=customer_id,
        tool=tool,
        amount=amount,
        bss_topped_up_today=bss_topped_up_today,
    )
    proposed = await actions.propose(
        sessionmaker=ctx.sessionmaker,
        conversation_id=ctx.conversation_id,
        customer_id=customer_id,
        tool=tool,
        args=args,
        summary=summary,
        ttl_s=ctx.settings.action_ttl_s,
        amount=amount,
        currency=currency_of(ctx.settings) if amount is not None else None,
        actor=f"assistant:{ctx.turn_id}",
    )
    return ok(
        tool,
        f"{summary} {CONFIRM_HINT}",
        data={
            **(data or {}),
            "action_id": proposed.action_id,
            "expires_at": proposed.expires_at.isoformat(),
        },
        proposed=proposed,
    )


def nothing_to_do(tool: str, summary: str, **data: Any) -> ToolOutcome:
    """The account is already as asked: no quote, nothing to confirm."""
    return ok(tool, summary, data={"unchanged": True, **data})
