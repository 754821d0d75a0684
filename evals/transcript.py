"""Stored turn events (CONTRACT §3: a type and a JSON data object) folded into a `TurnRecord`."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from evals.result import ToolCallRecord, TurnRecord

Event = tuple[str, Mapping[str, Any]]


def fold(
    index: int, user: str, events: Iterable[Event], *, confirm_action: bool = False
) -> TurnRecord:
    """Everything one customer input produced, in the order the assistant emitted it."""
    from evals.scoring import is_confirmation

    record = TurnRecord(
        index=index,
        user=user,
        confirm_action=confirm_action,
        confirmation=confirm_action or is_confirmation(user),
    )
    calls: dict[str, ToolCallRecord] = {}
    tokens: list[str] = []
    for kind, data in events:
        if kind == "tool.call":
            call = ToolCallRecord(tool=str(data.get("tool")), args=dict(data.get("args") or {}))
            calls[str(data.get("call_id"))] = call
            record.tools.append(call)
        elif kind == "tool.result":
            call_id = str(data.get("call_id"))
            if call_id in calls:
                calls[call_id].status = str(data.get("status"))
        elif kind == "action.proposed":
            record.proposed.append(dict(data))
        elif kind == "action.executed":
            record.executed.append(dict(data))
        elif kind == "handoff":
            record.handoff = record.handoff or dict(data)
        elif kind == "retrieval":
            record.retrieved += [str(p.get("doc_id")) for p in data.get("passages") or []]
        elif kind == "citation":
            if data.get("doc_id") not in record.citations:
                record.citations.append(str(data.get("doc_id")))
        elif kind == "error":
            record.errors.append(dict(data))
        elif kind == "token":
            tokens.append(str(data.get("text", "")))
        elif kind == "turn.completed":
            _completed(record, data)
    if not record.text:
        record.text = "".join(tokens)
    return record


def _completed(record: TurnRecord, data: Mapping[str, Any]) -> None:
    record.text = str(data.get("text") or "")
    record.capability = data.get("capability")
    record.outcome = data.get("outcome")
    confidence = data.get("confidence")
    record.confidence = float(confidence) if confidence is not None else None
    for doc in data.get("citations") or []:
        if doc not in record.citations:
            record.citations.append(str(doc))
    known = {c.tool for c in record.tools}
    record.tools += [ToolCallRecord(tool=str(t)) for t in data.get("tools") or [] if t not in known]
    usage = data.get("usage") or {}
    record.prompt_tokens = int(usage.get("prompt_tokens") or 0)
    record.completion_tokens = int(usage.get("completion_tokens") or 0)
    latency = data.get("latency_ms")
    record.latency_ms = int(latency) if latency is not None else None
