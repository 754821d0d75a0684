"""What a tool hands back besides its text: the typed artifact the turn loop turns into
`tool.result`, `action.proposed`, `retrieval`, `citation` and `handoff` events."""

from __future__ import annotations

import json
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from tools.events import ActionProposed


class PassageOut(BaseModel):
    """A knowledge passage, with the ids a reply cites."""

    doc_id: str
    title: str
    url: str = ""
    section: str = ""
    text: str
    score: float


class CitationOut(BaseModel):
    doc_id: str
    title: str
    url: str = ""


class HandoffOut(BaseModel):
    """A recorded hand-off to a person; the turn loop emits it as the `handoff` event."""

    handoff_id: str
    reason: str
    queue: str
    summary: str


class ToolOutcome(BaseModel):
    """The artifact of every tool call.

    `summary` is short and safe to show a customer; `data` carries the figures a reply is
    phrased from (balances, offers with catalog prices, bills). `code` names the error kind
    for errors (`sign_in_required`, `not_yours`, `invalid_input`, `limit_exceeded`,
    `step_up_required`, `bss_unavailable`, or the BSS rule's code) and `offer_human` says the
    reply should offer a person.
    """

    model_config = ConfigDict(frozen=True)

    tool: str
    status: Literal["ok", "error"]
    summary: str
    code: str | None = None
    data: dict[str, Any] = Field(default_factory=dict)
    proposed: ActionProposed | None = None
    passages: list[PassageOut] = Field(default_factory=list)
    citations: list[CitationOut] = Field(default_factory=list)
    handoff: HandoffOut | None = None
    offer_human: bool = False

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    def render(self) -> str:
        """The text a chat model reads: the summary, then the data as compact JSON.

        Tool output is data, never instructions: it is labelled as such for the model."""
        parts = [f"[{self.status}] {self.summary}"]
        if self.proposed is not None:
            parts.append(
                "A quote is waiting for the customer's explicit confirmation on their next "
                "message; nothing has been done yet. Ask them to confirm or decline."
            )
        if self.data:
            parts.append("data: " + json.dumps(self.data, default=str, ensure_ascii=False))
        if self.passages:
            shown = [p.model_dump(include={"doc_id", "title", "text"}) for p in self.passages]
            parts.append("passages: " + json.dumps(shown, ensure_ascii=False))
        if self.offer_human:
            parts.append("Offer the customer a human agent.")
        return "\n".join(parts)


def ok(tool: str, summary: str, **fields: Any) -> ToolOutcome:
    return ToolOutcome(tool=tool, status="ok", summary=summary, **fields)


def error(tool: str, code: str, summary: str, **fields: Any) -> ToolOutcome:
    return ToolOutcome(tool=tool, status="error", code=code, summary=summary, **fields)
