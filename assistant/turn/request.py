"""What one turn is made of, apart from the code that runs it: the request (what the turn
needs to know), its dependencies, and the facts it gathers as events stream past. Their own
module so that the turn (assistant/turn/loop.py), the decisions on an open quote
(assistant/turn/decision.py) and the end of the turn (assistant/turn/finish.py) share them without
importing one another (issue #17)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage
from langchain_core.tools import BaseTool

from assistant.actions.pending import ActionDesk, OpenAction
from assistant.events import (
    ActionProposed,
    Capability,
    Outcome,
    Retrieval,
    ToolResult,
    TurnEvent,
)
from assistant.handoff.policy import HandoffPolicy
from assistant.handoff.signals import ModelSignals
from assistant.playbooks.loader import Library
from assistant.playbooks.state import JourneyState
from assistant.turn.agent import AgentCache
from assistant.turn.memory import TurnTrace
from assistant.turn.reading import Passage, ToolReading
from tools.context import TurnContext


@dataclass(frozen=True, slots=True)
class TurnRequest:
    """What one turn needs to know; `text` is already masked."""

    ctx: TurnContext
    text: str
    history: list[BaseMessage] = field(default_factory=list)
    earlier_customer_texts: list[str] = field(default_factory=list)
    pending: OpenAction | None = None
    low_confidence_streak: int = 0
    handoff_offered: bool = False
    retention_asked: bool = False  # last turn asked a leaving customer why: hand off now
    quoted_action: str | None = None  # the action the last turn proposed (a yes confirms it)
    summary_hint: str | None = None
    forced_decision: str | None = None  # a confirm/cancel button, not text
    trace: TurnTrace | None = None  # filled with the agent's tool exchange, for memory
    journey: JourneyState | None = None  # the conversation's playbook state, from the event log


@dataclass(frozen=True, slots=True)
class TurnDeps:
    model: BaseChatModel
    tools: Sequence[BaseTool]
    policy: HandoffPolicy
    desk: ActionDesk | None = None
    max_tool_iterations: int = 5
    max_message_chars: int = 4000
    turn_timeout_s: float = 60.0
    playbooks: Library | None = None
    agents: AgentCache = field(default_factory=AgentCache)  # the service's, shared by its turns


@dataclass
class TurnFacts:
    """Everything the turn observed, filled in as events stream past."""

    text: str
    started: float
    reply: list[str] = field(default_factory=list)
    reply_chars: int = 0
    tools: list[str] = field(default_factory=list)
    tool_errors: int = 0
    readings: list[ToolReading] = field(default_factory=list)
    passages: list[Passage] = field(default_factory=list)
    proposed: list[ActionProposed] = field(default_factory=list)
    prompt_tokens: int = 0
    completion_tokens: int = 0
    signals: ModelSignals = field(default_factory=ModelSignals)
    capability: Capability | None = None
    outcome: Outcome | None = None
    fixed_confidence: float | None = None
    force_handoff: str | None = None
    failure: str | None = None
    truncated_input: bool = False
    tool_handoff: tuple[str, str, str] | None = None  # reason, queue, summary

    def add_usage(self, usage: Any) -> None:
        if usage:
            self.prompt_tokens += int(usage.get("input_tokens", 0) or 0)
            self.completion_tokens += int(usage.get("output_tokens", 0) or 0)

    def on_tool_message(self, reading: ToolReading) -> list[TurnEvent]:
        self.readings.append(reading)
        events: list[TurnEvent] = [
            ToolResult(
                call_id=reading.call_id,
                tool=reading.tool,
                status="ok" if reading.status == "ok" else "error",
                summary=reading.summary,
            )
        ]
        if reading.status != "ok":
            self.tool_errors += 1
        if reading.passages:
            self.passages.extend(reading.passages)
            events.append(Retrieval(passages=[p.ref() for p in reading.passages]))
        if reading.proposed is not None:
            self.proposed.append(reading.proposed)
            events.append(reading.proposed)
        if reading.tool == "transfer_to_human" and reading.status == "ok":
            self.tool_handoff = reading.handoff or ("model_transfer", "general", "")
        return events
