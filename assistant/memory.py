"""Conversation memory: the prompt's history, kept within a token budget.

History comes from the database (customer, assistant and agent messages). Tokens are counted
with tiktoken in the model's own encoding (offline: `knowledge.offline.seed_tiktoken_cache`).
The newest messages are kept whole; older ones are folded into a short extractive summary; the
open pending action is always stated, whatever the budget, so a "yes" is never out of context."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import tiktoken
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage
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


async def load_lines(session: AsyncSession, *, conversation_id: str) -> list[StoredLine]:
    rows = await session.scalars(
        select(Message).where(Message.conversation_id == conversation_id).order_by(Message.id)
    )
    return [StoredLine(m.role, m.text) for m in rows]


def _as_message(line: StoredLine) -> BaseMessage:
    if line.role == "customer":
        return HumanMessage(line.text)
    if line.role == "agent":
        return AIMessage(f"(a human agent wrote) {line.text}")
    if line.role == "system":
        return SystemMessage(line.text)
    return AIMessage(line.text)


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
    extra: list[Any] | None = None,
) -> Context:
    """History for the prompt within `budget` tokens: newest messages whole, older ones
    summarised, then the pending action (never dropped, even if over budget)."""
    pinned: list[BaseMessage] = [SystemMessage(pending_note)] if pending_note else []
    remaining = budget - counter.count_messages(pinned)
    kept: list[BaseMessage] = []
    cut = len(lines)
    for index in range(len(lines) - 1, -1, -1):
        message = _as_message(lines[index])
        cost = counter.count_messages([message])
        if cost > remaining and kept:
            break
        if cost > remaining:  # even the newest message is too long: keep its head
            message = type(message)(counter.truncate(_text(message), max(remaining - 8, 16)))
            cost = counter.count_messages([message])
        kept.append(message)
        remaining -= cost
        cut = index
    kept.reverse()
    summary: str | None = None
    if cut > 0:
        summary_budget = max(int(budget * _SUMMARY_SHARE), 32)
        summary = summarise(lines[:cut], counter, summary_budget)
        # make room for the summary by dropping the oldest kept messages if needed
        summary_message = SystemMessage(summary)
        while kept and counter.count_messages([summary_message, *kept, *pinned]) > budget:
            kept.pop(0)
        kept.insert(0, summary_message)
    messages = [*kept, *pinned]
    return Context(messages=messages, summary=summary, tokens=counter.count_messages(messages))
