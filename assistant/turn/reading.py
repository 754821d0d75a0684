"""Reading what tools return: `tools.outcome.ToolOutcome` (status, summary, data, proposed,
passages) as a tool message artifact, read by attribute or key so the turn loop does not
depend on the tools package's classes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from langchain_core.messages import ToolMessage

from assistant.events import ActionProposed, PassageRef
from switchboard import clock


def field(obj: Any, name: str, default: Any = None) -> Any:
    if obj is None:
        return default
    if isinstance(obj, dict):
        return obj.get(name, default)
    return getattr(obj, name, default)


@dataclass(frozen=True, slots=True)
class Passage:
    doc_id: str
    title: str
    score: float
    url: str
    text: str

    def ref(self) -> PassageRef:
        return PassageRef(doc_id=self.doc_id, title=self.title, score=round(self.score, 4))


def passage(raw: Any) -> Passage:
    doc_id = str(field(raw, "doc_id") or field(raw, "id") or "unknown")
    text = field(raw, "text") or field(raw, "content") or field(raw, "page_content") or ""
    return Passage(
        doc_id=doc_id,
        title=str(field(raw, "title") or doc_id),
        score=float(field(raw, "score", 0.0) or 0.0),
        url=str(field(raw, "url") or f"/kb/{doc_id}"),
        text=str(text),
    )


@dataclass(frozen=True, slots=True)
class ToolReading:
    tool: str
    call_id: str
    status: str  # ok | error
    summary: str
    content: str
    passages: list[Passage]
    proposed: ActionProposed | None
    data: Any
    handoff: tuple[str, str, str] | None = None  # reason, queue, summary (transfer_to_human)
    offer_human: bool = False


def read_tool_message(message: ToolMessage) -> ToolReading:
    artifact = message.artifact
    content = message.content if isinstance(message.content, str) else str(message.content)
    status = field(artifact, "status") or message.status or "ok"
    status = "error" if status not in ("ok", "success") else "ok"
    if message.status == "error":
        status = "error"
    summary = str(field(artifact, "summary") or _first_line(content))
    proposed = _proposal(field(artifact, "proposed"), message.name or "")
    raw_passages = field(artifact, "passages") or []
    raw_handoff = field(artifact, "handoff")
    handoff = None
    if raw_handoff is not None:
        handoff = (
            str(field(raw_handoff, "reason") or "model_transfer"),
            str(field(raw_handoff, "queue") or "general"),
            str(field(raw_handoff, "summary") or ""),
        )
    return ToolReading(
        tool=message.name or "",
        call_id=message.tool_call_id,
        status=status,
        summary=summary[:500],
        content=content,
        passages=[passage(p) for p in raw_passages],
        proposed=proposed,
        data=field(artifact, "data"),
        handoff=handoff,
        offer_human=bool(field(artifact, "offer_human", False)),
    )


def _first_line(content: str) -> str:
    for line in content.splitlines():
        line = line.strip()
        if line and not line.startswith(("<data", "</data", "(The block above")):
            return line
    return ""


def _proposal(raw: Any, tool: str) -> ActionProposed | None:
    if raw is None:
        return None
    if isinstance(raw, ActionProposed):
        return raw
    amount = field(raw, "amount")
    expires = field(raw, "expires_at") or clock.now() + timedelta(minutes=10)
    return ActionProposed(
        action_id=str(field(raw, "action_id") or field(raw, "id")),
        tool=str(field(raw, "tool") or tool),
        args=dict(field(raw, "args") or {}),
        summary=str(field(raw, "summary") or ""),
        amount=float(amount) if amount is not None else None,
        currency=field(raw, "currency"),
        expires_at=expires,
    )
