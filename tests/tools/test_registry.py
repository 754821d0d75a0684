"""The tool door: the catalogue, identity from the context, LangChain artifacts."""

from __future__ import annotations

from typing import Any

from langchain_core.messages import ToolMessage
from sqlalchemy.ext.asyncio import async_sessionmaker

from assistant.events import CAPABILITIES
from switchboard.settings import Settings
from tests.tools.helpers import TrippedBss, make_context
from tools.outcome import ToolOutcome
from tools.registry import ANONYMOUS_TOOLS, EXECUTORS, TOOL_SPECS, WRITE_TOOLS, build_tools

CONTRACT_READ = {
    "get_account_overview",
    "get_usage",
    "list_offers",
    "get_bills",
    "get_request_status",
    "check_coverage",
    "search_knowledge",
}
CONTRACT_WRITE = {
    "top_up",
    "change_plan",
    "renew_plan",
    "buy_addon",
    "set_spending_cap",
    "set_roaming",
    "set_call_feature",
    "pay_bill",
    "set_autopay",
    "dispute_charge",
    "report_fault",
    "block_line",
    "unblock_line",
    "start_service_request",
    "transfer_to_human",
}


def test_the_catalogue_is_the_contract() -> None:
    assert set(TOOL_SPECS) == CONTRACT_READ | CONTRACT_WRITE
    assert set(WRITE_TOOLS) == CONTRACT_WRITE
    assert set(ANONYMOUS_TOOLS) == {"search_knowledge", "check_coverage", "transfer_to_human"}
    assert set(EXECUTORS) == CONTRACT_WRITE - {"transfer_to_human"}
    assert not TOOL_SPECS["transfer_to_human"].needs_confirmation
    for spec in TOOL_SPECS.values():
        assert set(spec.capabilities) <= set(CAPABILITIES)
        assert "confirm" not in spec.name


async def test_anonymous_conversations_get_a_sign_in_request(
    settings: Settings, sessionmaker: async_sessionmaker[Any], conversation_id: str
) -> None:
    bss = TrippedBss()
    ctx = make_context(settings, sessionmaker, conversation_id, bss=bss, customer_id=None)
    for name in sorted(set(TOOL_SPECS) - set(ANONYMOUS_TOOLS)):
        outcome = await _call(ctx, name, {})
        assert outcome.code == "sign_in_required", name
        assert "sign in" in outcome.summary
    assert bss.used == []


async def test_step_up_tools_need_a_verified_identity(
    settings: Settings, sessionmaker: async_sessionmaker[Any], conversation_id: str
) -> None:
    bss = TrippedBss()
    ctx = make_context(settings, sessionmaker, conversation_id, bss=bss, verified=False)
    for name in ("block_line", "unblock_line"):
        outcome = await _call(ctx, name, {"reason": "stolen"} if name == "block_line" else {})
        assert outcome.code == "step_up_required" and bss.used == [], name


async def test_tools_return_text_and_a_tool_outcome_artifact(
    settings: Settings, sessionmaker: async_sessionmaker[Any], conversation_id: str
) -> None:
    ctx = make_context(settings, sessionmaker, conversation_id, bss=TrippedBss())
    tool = {t.name: t for t in build_tools(ctx)}["top_up"]
    message = await tool.ainvoke(
        {"type": "tool_call", "id": "call-1", "name": "top_up", "args": {"amount": "lots"}}
    )
    assert isinstance(message, ToolMessage) and isinstance(message.artifact, ToolOutcome)
    assert message.artifact.code == "invalid_input"
    assert "amount" in str(message.content)
    assert tool.tool_call_schema["properties"]["amount"]["type"] == "number"  # type: ignore[index]


async def _call(ctx: Any, name: str, args: dict[str, Any]) -> ToolOutcome:
    tool = {t.name: t for t in build_tools(ctx)}[name]
    message = await tool.ainvoke({"type": "tool_call", "id": "c", "name": name, "args": args})
    assert isinstance(message.artifact, ToolOutcome)
    return message.artifact


def test_every_tool_converts_to_an_openai_function(
    settings: Settings, sessionmaker: async_sessionmaker[Any]
) -> None:
    from langchain_core.utils.function_calling import convert_to_openai_tool

    ctx = make_context(settings, sessionmaker, "conversation")
    for tool in build_tools(ctx):
        function = convert_to_openai_tool(tool)["function"]
        assert function["name"] == tool.name and len(function["description"]) > 40
        params = function["parameters"]
        assert params["additionalProperties"] is False
        assert not any("customer" in name for name in params["properties"])
        assert set(params.get("required", [])) <= set(params["properties"])
