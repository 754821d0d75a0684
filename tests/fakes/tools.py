"""Small stand-ins for the tool catalogue that return real `ToolOutcome` artifacts, so the turn
loop can be tested without the BSS. Write tools record real pending actions (tools.actions)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from langchain_core.tools import BaseTool, StructuredTool

from tools import actions
from tools.context import TurnContext
from tools.outcome import HandoffOut, PassageOut, ToolOutcome, error, ok

PASSAGES = [
    PassageOut(
        doc_id="kb-roaming-zones",
        title="Roaming zones and prices",
        url="/kb/kb-roaming-zones",
        text="Zone 1 covers the EU. Roaming in Zone 1 costs £2.25 per day you use your phone "
        "there, and it is free on Bundle 20, Unlimited and Unlimited Max.",
        score=0.82,
    ),
    PassageOut(
        doc_id="kb-voicemail",
        title="Set up voicemail",
        url="/kb/kb-voicemail",
        text="Dial 222 and follow the prompts to set up voicemail. The default PIN is 0000.",
        score=0.31,
    ),
]


def _tool(name: str, fn: Any, schema: dict[str, Any]) -> BaseTool:
    async def run(**kwargs: Any) -> tuple[str, ToolOutcome]:
        outcome: ToolOutcome = await fn(**kwargs)
        return outcome.render(), outcome

    return StructuredTool.from_function(
        coroutine=run,
        name=name,
        description=f"fake {name}",
        args_schema={"type": "object", "properties": schema, "title": name},
        response_format="content_and_artifact",
    )


def fake_tools(ctx: TurnContext, *, fail: tuple[str, ...] = ()) -> list[BaseTool]:
    async def get_account_overview(**_: Any) -> ToolOutcome:
        if "get_account_overview" in fail:
            return error("get_account_overview", "bss_unavailable", "Can't reach the BSS.")
        return ok(
            "get_account_overview",
            "Credit £7.50; 3.2GB of 10GB data left; renews in 9 days.",
            data={"credit": 7.5, "data_left_gb": 3.2, "plan": "bundle-10"},
        )

    async def search_knowledge(query: str = "", **_: Any) -> ToolOutcome:
        return ok("search_knowledge", "Found 2 passages.", passages=PASSAGES)

    async def top_up(amount: float = 0, **_: Any) -> ToolOutcome:
        if not amount:
            return error("top_up", "invalid_input", "How much would you like to top up?")
        assert ctx.customer_id is not None
        proposed = await actions.propose(
            sessionmaker=ctx.sessionmaker,
            conversation_id=ctx.conversation_id,
            customer_id=ctx.customer_id,
            tool="top_up",
            args={"amount": amount},
            summary=f"Top up £{amount:.2f} from your card ending 4242",
            ttl_s=ctx.settings.action_ttl_s,
            amount=Decimal(str(amount)),
            currency="GBP",
        )
        return ok("top_up", proposed.summary, proposed=proposed, data={"amount": amount})

    async def transfer_to_human(reason: str = "other", summary: str = "", **_: Any) -> ToolOutcome:
        handoff = HandoffOut(handoff_id="h-1", reason=reason, queue="retention", summary=summary)
        return ok("transfer_to_human", "Passed to our retention team.", handoff=handoff)

    return [
        _tool("get_account_overview", get_account_overview, {}),
        _tool("search_knowledge", search_knowledge, {"query": {"type": "string"}}),
        _tool("top_up", top_up, {"amount": {"type": "number"}}),
        _tool(
            "transfer_to_human",
            transfer_to_human,
            {"reason": {"type": "string"}, "summary": {"type": "string"}},
        ),
    ]


async def fake_top_up_executor(bss: Any, action: actions.ActionRecord) -> dict[str, Any]:
    """Counts executions on the fake BSS (a list) and returns a receipt."""
    if isinstance(bss, list):
        bss.append(action.idempotency_key)
    count = len(bss) if isinstance(bss, list) else 1
    return {"bss_ref": f"TOP-{count}", "amount": str(action.amount)}
