"""The clock's one job: find resources whose next transition is due and take it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from bss.communication import step_message
from bss.context import Ctx
from bss.flows import step_flow
from bss.ordering import step_order
from bss.tickets import step_ticket

STEPS: dict[str, Callable[[Ctx, dict[str, Any]], Awaitable[None]]] = {
    "productOrder": step_order,
    "troubleTicket": step_ticket,
    "processFlow": step_flow,
    "communicationMessage": step_message,
}


async def step(ctx: Ctx, kind: str, rid: str) -> None:
    doc = await ctx.repo.get(kind, rid)
    if doc is None:
        return
    handler = STEPS.get(kind)
    if handler is None:
        await ctx.repo.save(kind, doc, due_at=None)
        return
    await handler(ctx, doc)
