"""The agent graph compiled once (assistant/turn/agent.py): turns share it, and each run still
sees its own turn — its system prompt and, through the shared tools, its own customer."""

from __future__ import annotations

import dataclasses
from typing import Any

from langchain_core.messages import HumanMessage, SystemMessage, ToolMessage
from sqlalchemy.ext.asyncio import async_sessionmaker

from assistant.turn.agent import AgentCache, AgentRun
from switchboard.settings import Settings
from tests.fakes.scripted_model import ScriptedChatModel, call, say
from tests.tools.helpers import make_context
from tools.context import TurnContext, turn_config
from tools.outcome import ToolOutcome
from tools.registry import shared_tools


async def _run(agent: Any, ctx: TurnContext, prompt: str) -> list[ToolMessage]:
    run = AgentRun(ctx=ctx, system_prompt=prompt, customer_texts=("my balance",))
    result = await agent.ainvoke(
        {"messages": [HumanMessage("my balance")]}, config=turn_config(ctx), context=run
    )
    return [m for m in result["messages"] if isinstance(m, ToolMessage)]


async def test_turns_share_one_compiled_agent_and_each_sees_its_own_turn(
    settings: Settings, sessionmaker: async_sessionmaker[Any]
) -> None:
    anonymous = make_context(settings, sessionmaker, "conv-a", customer_id=None)
    claimed = dataclasses.replace(
        make_context(settings, sessionmaker, "conv-b", verified=False), claimed=True
    )
    assert shared_tools(anonymous) is shared_tools(claimed)  # built once, not per turn
    model = ScriptedChatModel(
        script=[call("get_account_overview"), say("a"), call("get_account_overview"), say("b")]
    )
    cache = AgentCache()
    tools = list(shared_tools(anonymous))
    agent = cache.get(model, tools, max_tool_iterations=5)
    reads = [t for t in tools if t.name == "get_account_overview"]
    assert cache.get(model, list(tools), max_tool_iterations=5) is agent
    assert cache.get(model, reads, max_tool_iterations=5) is not agent
    assert cache.get(model, tools, max_tool_iterations=2) is not agent

    first = await _run(agent, anonymous, "prompt of turn A")
    second = await _run(agent, claimed, "prompt of turn B")

    codes = [m.artifact.code for m in (*first, *second) if isinstance(m.artifact, ToolOutcome)]
    assert codes == ["sign_in_required", "verification_required"]
    prompts = [messages[0] for messages in model.seen]
    assert all(isinstance(p, SystemMessage) for p in prompts)
    assert [p.content for p in prompts] == ["prompt of turn A"] * 2 + ["prompt of turn B"] * 2
