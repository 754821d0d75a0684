"""The agent graph, compiled once per (chat model, tool set, model-call limit) and run many
times with each turn's own context (issue #23, docs/decisions/0053-build-once-and-commit-ahead.md).

`create_agent` compiles a langgraph graph; when the tools and the system prompt were closures
over the turn, every turn compiled its own, and that was most of the agent's third of a
knowledge turn's CPU. What changes from turn to turn now reaches the one compiled graph at run
time instead:

- the system prompt and the customer's recent texts (for the provenance check) through
  langgraph's runtime context (`AgentRun`, `context_schema`), read by the middlewares below;
- the `TurnContext` the tools need through the run's config (`tools.context.turn_config`),
  which langgraph hands on to every tool call.

A compiled graph keeps no state between runs (no checkpointer), so concurrent turns share it."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from langchain.agents import create_agent
from langchain.agents.middleware import (
    AgentMiddleware,
    ModelCallLimitMiddleware,
    ModelRequest,
    ModelResponse,
)
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import SystemMessage
from langchain_core.tools import BaseTool

from assistant.turn.framing import DataFramingMiddleware
from assistant.turn.provenance import ProvenanceMiddleware
from tools.context import TurnContext


@dataclass(frozen=True, slots=True)
class AgentRun:
    """What one run of a compiled agent needs that the graph does not hold (runtime context)."""

    ctx: TurnContext
    system_prompt: str
    customer_texts: tuple[str, ...]  # the provenance check's: recent customer messages + this


class TurnPromptMiddleware(AgentMiddleware):  # type: ignore[type-arg]
    """Gives every model call the turn's system prompt, as `create_agent(system_prompt=...)`
    did when the graph was built per turn."""

    async def awrap_model_call(
        self,
        request: ModelRequest[Any],
        handler: Callable[[ModelRequest[Any]], Awaitable[ModelResponse]],
    ) -> ModelResponse:
        run = request.runtime.context
        prompt = SystemMessage(run.system_prompt) if isinstance(run, AgentRun) else None
        return await handler(request.override(system_message=prompt))


class AgentCache:
    """Compiled agents by (model, tools, limit), least recently used dropped past `size`.

    Keyed by the objects' identities; an entry holds the model and tools it was built from, so
    no key can be reused by another object while the entry lives. The catalogue's shared tools
    (`tools.registry.shared_tools`) always hit; a tool factory that builds new tools per turn
    (a test's fakes) compiles per turn, as before."""

    def __init__(self, size: int = 16) -> None:
        self._size = size
        self._agents: OrderedDict[tuple[int, ...], tuple[Any, tuple[object, ...]]] = OrderedDict()

    def get(
        self, model: BaseChatModel, tools: Sequence[BaseTool], *, max_tool_iterations: int
    ) -> Any:
        key = (id(model), max_tool_iterations, *(id(tool) for tool in tools))
        found = self._agents.get(key)
        if found is not None:
            self._agents.move_to_end(key)
            return found[0]
        middleware: list[Any] = [  # untyped: ours are generic over state and context
            TurnPromptMiddleware(),
            ProvenanceMiddleware(),
            DataFramingMiddleware(),
            ModelCallLimitMiddleware(run_limit=max_tool_iterations + 1, exit_behavior="error"),
        ]
        agent = create_agent(model, list(tools), middleware=middleware, context_schema=AgentRun)
        self._agents[key] = (agent, (model, *tools))
        if len(self._agents) > self._size:
            self._agents.popitem(last=False)
        return agent
