"""Folding a turn's typed events into whole messages for a messaging channel.

The widget streams every event; a phone gets one message for the answer (with its sources),
and one for a quote, which ends with how to confirm — the customer's "yes" on a later message
is the confirmation (CONTRACT §4)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from switchboard.db.eventlog import StoredEvent

CONFIRM_HINT = "Reply YES to confirm or NO to cancel."
MAX_CHARS = {"whatsapp": 4096, "telegram": 4096, "sms": 1600}
_FALLBACK = "Sorry, something went wrong on our side. Please try again in a moment."


@dataclass(frozen=True, slots=True)
class Outgoing:
    kind: str  # reply | quote | error
    text: str


def _link(url: str, public_base_url: str) -> str:
    return url if url.startswith(("http://", "https://")) else public_base_url.rstrip("/") + url


def _quote(data: dict[str, Any]) -> str:
    summary = str(data.get("summary") or "").strip()
    return f"{summary}\n{CONFIRM_HINT}" if summary else CONFIRM_HINT


def fold_turn(events: Iterable[StoredEvent], *, public_base_url: str) -> list[Outgoing]:
    """The messages one turn sends; empty when the turn produced no answer (e.g. the
    conversation is with a human agent, who answers from the console)."""
    tokens: list[str] = []
    final: str | None = None
    citations: dict[str, str] = {}
    quotes: list[str] = []
    error: str | None = None
    for event in events:
        data = event.data
        if event.type == "token":
            tokens.append(str(data.get("text", "")))
        elif event.type == "turn.completed":
            final = str(data.get("text") or "")
        elif event.type == "citation":
            title = str(data.get("title") or data.get("doc_id") or "source")
            citations.setdefault(title, _link(str(data.get("url") or ""), public_base_url))
        elif event.type == "action.proposed":
            quotes.append(_quote(data))
        elif event.type == "error":
            error = str(data.get("message") or _FALLBACK)
    text = (final if final is not None else "".join(tokens)).strip()
    out: list[Outgoing] = []
    if text:
        if citations:
            sources = "\n".join(f"- {title}: {url}" for title, url in citations.items())
            text = f"{text}\n\nSources:\n{sources}"
        out.append(Outgoing("reply", text))
    out.extend(Outgoing("quote", quote) for quote in quotes)
    if error and not text:
        out.append(Outgoing("error", error))
    return out


def split_text(text: str, channel: str) -> list[str]:
    """`text` in pieces the channel accepts, cut at line or word breaks where possible."""
    limit = MAX_CHARS.get(channel, 1600)
    pieces: list[str] = []
    rest = text
    while len(rest) > limit:
        cut = rest.rfind("\n", 0, limit)
        if cut < limit // 2:
            cut = rest.rfind(" ", 0, limit)
        if cut < limit // 2:
            cut = limit
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        pieces.append(rest)
    return pieces
