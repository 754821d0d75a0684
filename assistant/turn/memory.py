"""Conversation memory: the prompt's history, kept within a token budget.

History comes from the database (customer, assistant and agent messages). Tokens are counted
with tiktoken in the model's own encoding (offline: `knowledge.offline.seed_tiktoken_cache`).
The newest messages are kept whole; older ones are folded into a short extractive summary; the
open pending action is always stated, whatever the budget, so a "yes" is never out of context."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import tiktoken
from langchain_core.messages import (
    AIMessage,
    BaseMessage,
    HumanMessage,
    SystemMessage,
    ToolMessage,
)
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from switchboard.db.models import Message

_PER_MESSAGE_OVERHEAD = 4  # role and separators, as OpenAI counts chat messages
_SUMMARY_SHARE = 0.25  # at most this share of the budget goes to the summary of older turns


@lru_cache(maxsize=8)
def _encoding(model: str) -> tiktoken.Encoding:
    try:
        return tiktoken.encoding_for_model(model)
    except KeyError:
        return tiktoken.get_encoding("o200k_base")


@dataclass(frozen=True, slots=True)
class TokenCounter:
    """Counts tokens as the model will; `model` is the provider's model name ("gpt-4.1-mini")."""

    model: str = "gpt-4o"

    def count(self, text: str) -> int:
        return len(_encoding(self.model).encode(text, disallowed_special=()))

    def count_messages(self, messages: list[BaseMessage]) -> int:
        return sum(_PER_MESSAGE_OVERHEAD + self.count(_text(m)) for m in messages)

    def truncate(self, text: str, tokens: int) -> str:
        encoding = _encoding(self.model)
        ids = encoding.encode(text, disallowed_special=())
        return text if len(ids) <= tokens else encoding.decode(ids[:tokens]) + "…"


def _text(message: BaseMessage) -> str:
    return message.content if isinstance(message.content, str) else str(message.content)


@dataclass(frozen=True, slots=True)
class StoredLine:
    role: str  # customer | assistant | agent | system
    text: str
    turn_id: str | None = None


async def load_lines(session: AsyncSession, *, conversation_id: str) -> list[StoredLine]:
    rows = await session.scalars(
        select(Message).where(Message.conversation_id == conversation_id).order_by(Message.id)
    )
    return [StoredLine(m.role, m.text, m.turn_id) for m in rows]


@dataclass
class TurnTrace:
    """What a turn's agent run said and did besides its text: the tool calls and results, and
    the reply's `response_metadata` (the local engine keeps its dialogue state there). Kept
    for the last few turns so the next prompt replays them as real tool messages."""

    steps: list[dict[str, Any]] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)

    def add_call(self, message: AIMessage) -> None:
        calls = [{"id": c["id"], "name": c["name"], "args": c["args"]} for c in message.tool_calls]
        self.steps.append({"calls": calls, "text": _text(message)})

    def add_result(self, message: ToolMessage) -> None:
        artifact = message.artifact
        if hasattr(artifact, "model_dump"):
            artifact = artifact.model_dump(mode="json")
        self.steps.append(
            {
                "result": message.tool_call_id,
                "name": message.name,
                "content": _text(message),
                "status": message.status,
                "artifact": _jsonable(artifact),
            }
        )

    def as_dict(self) -> dict[str, Any]:
        return {"steps": self.steps, "meta": _jsonable(self.meta)}


def _jsonable(value: Any) -> Any:
    try:
        return json.loads(json.dumps(value, default=str))
    except (TypeError, ValueError):
        return None


def _replay(trace: dict[str, Any], text: str) -> list[BaseMessage]:
    """A stored turn as the agent produced it: tool calls, tool results, then the reply."""
    messages: list[BaseMessage] = []
    for step in trace.get("steps", []):
        if "calls" in step:
            calls = [{"id": c["id"], "name": c["name"], "args": c["args"]} for c in step["calls"]]
            messages.append(AIMessage(step.get("text", ""), tool_calls=calls))
        elif "result" in step:
            messages.append(
                ToolMessage(
                    step.get("content", ""),
                    tool_call_id=step["result"],
                    name=step.get("name"),
                    status=step.get("status") or "success",
                    artifact=step.get("artifact"),
                )
            )
    messages.append(AIMessage(text, response_metadata=dict(trace.get("meta") or {})))
    return messages


def _as_messages(line: StoredLine, traces: dict[str, Any]) -> list[BaseMessage]:
    if line.role == "customer":
        return [HumanMessage(line.text)]
    if line.role == "agent":
        return [AIMessage(f"(a human agent wrote) {line.text}")]
    if line.role == "system":
        return [SystemMessage(line.text)]
    trace = traces.get(line.turn_id or "")
    return _replay(trace, line.text) if trace else [AIMessage(line.text)]


def summarise(lines: list[StoredLine], counter: TokenCounter, tokens: int) -> str:
    """An extractive summary of older turns: one short line per message, newest kept first
    when it does not all fit. Deterministic and offline; no model call."""
    picked: list[str] = []
    used = 0
    for line in reversed(lines):
        entry = f"- {line.role}: {counter.truncate(' '.join(line.text.split()), 40)}"
        cost = counter.count(entry) + 1
        if used + cost > tokens:
            break
        picked.append(entry)
        used += cost
    skipped = len(lines) - len(picked)
    head = [f"- ({skipped} earlier messages omitted)"] if skipped else []
    return "\n".join(["Earlier in this conversation:", *head, *reversed(picked)])


@dataclass(frozen=True, slots=True)
class Context:
    messages: list[BaseMessage]
    summary: str | None
    tokens: int


def build_context(
    lines: list[StoredLine],
    *,
    counter: TokenCounter,
    budget: int,
    pending_note: str | None = None,
    traces: dict[str, Any] | None = None,
) -> Context:
    """History for the prompt within `budget` tokens: newest messages whole, older ones
    summarised, then the pending action (never dropped, even if over budget)."""
    pinned: list[BaseMessage] = [SystemMessage(pending_note)] if pending_note else []
    remaining = budget - counter.count_messages(pinned)
    kept: list[BaseMessage] = []
    cut = len(lines)
    for index in range(len(lines) - 1, -1, -1):
        group = _as_messages(lines[index], traces or {})
        cost = counter.count_messages(group)
        if cost > remaining and len(group) > 1:  # drop the tool exchange before the text
            group = group[-1:]
            cost = counter.count_messages(group)
        if cost > remaining and kept:
            break
        if cost > remaining:  # even the newest message is too long: keep its head
            only = group[-1]
            group = [type(only)(counter.truncate(_text(only), max(remaining - 8, 16)))]
            cost = counter.count_messages(group)
        kept.extend(reversed(group))
        remaining -= cost
        cut = index
    kept.reverse()
    while kept and isinstance(kept[0], ToolMessage):  # never start with an orphan result
        kept.pop(0)
    summary: str | None = None
    if cut > 0:
        summary_budget = max(int(budget * _SUMMARY_SHARE), 32)
        summary = summarise(lines[:cut], counter, summary_budget)
        # make room for the summary by dropping the oldest kept messages if needed
        summary_message = SystemMessage(summary)
        while kept and counter.count_messages([summary_message, *kept, *pinned]) > budget:
            kept.pop(0)
            while kept and isinstance(kept[0], ToolMessage):
                kept.pop(0)
        kept.insert(0, summary_message)
    messages = [*kept, *pinned]
    return Context(messages=messages, summary=summary, tokens=counter.count_messages(messages))
