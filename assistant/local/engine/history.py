"""Small readings of the conversation so far and of a planned step, shared by every situation."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage

from assistant.local.bills import BillItem
from assistant.local.dialogue import (
    State,
    last_human,
)
from assistant.local.engine.rules import READ_TOOLS
from assistant.local.planner import Step
from assistant.local.recognizer import Recognition


def previous_turn_tools(messages: Sequence[BaseMessage]) -> set[str]:
    """Tools the engine called between the previous customer message and this one."""
    humans = [i for i, m in enumerate(messages) if isinstance(m, HumanMessage)]
    if len(humans) < 2:
        return set()
    window = messages[humans[-2] + 1 : humans[-1]]
    return {c["name"] for m in window if isinstance(m, AIMessage) for c in m.tool_calls}


def previous_reply(messages: Sequence[BaseMessage]) -> str:
    """The assistant's reply before the customer's latest message ('' if there is none)."""
    humans = [i for i, m in enumerate(messages) if isinstance(m, HumanMessage)]
    if not humans:
        return ""
    for message in reversed(messages[: humans[-1]]):
        if isinstance(message, AIMessage) and not message.tool_calls:
            return str(message.content)
    return ""


def line_active(data: Any) -> bool:
    return isinstance(data, dict) and str(data.get("status") or "active") == "active"


def as_status(rec: Recognition) -> Recognition:
    if rec.capability == "request_status":
        return rec
    return replace(rec, capability="request_status", intent="status", also=())


def follow_up_query(previous: str, rest: str) -> str:
    """'how much is roaming in spain' + 'america' -> 'how much is roaming in america'."""
    tail = re.search(r"\b(in|to|for|on|at|with|about) [\w' -]+$", previous)
    if tail and len(rest.split()) <= 3:
        return f"{previous[: tail.start()]}{tail.group(1)} {rest}"
    return f"{previous} {rest}".strip()


def changes_a_slot(new_slots: dict[str, Any], state: State) -> bool:
    """The message gives a new value for a slot the request already had or was waiting for."""
    keys = {*state.slots, *([state.awaiting] if state.awaiting else [])} - {"currency", "query"}
    return any(k in keys and new_slots[k] != state.slots.get(k) for k in new_slots)


def starts_no(text: str) -> bool:
    return bool(re.match(r"\s*(no|nope|nah|sorry|oops|wait)\b", text, re.IGNORECASE))


def charge_slots(charge: BillItem) -> dict[str, Any]:
    slots: dict[str, Any] = {"bill_id": charge.bill_id}
    if charge.item_id:
        slots["item_id"] = charge.item_id
    return slots


def dedupe(step: Step) -> None:
    seen: list[tuple[str, dict[str, Any]]] = []
    for call in step.calls:
        if call not in seen:
            seen.append(call)
    step.calls = seen


def remember_query(step: Step, slots: dict[str, Any]) -> None:
    for name, args in step.calls:
        if name == "search_knowledge":
            query = next((v for v in args.values() if isinstance(v, str)), None)
            if query:
                slots["query"] = query


def one_write(step: Step) -> bool:
    return len(step.calls) == 1 and step.calls[0][0] not in READ_TOOLS and not step.awaiting


def read_only(step: Step) -> bool:
    return bool(step.calls) and all(name in READ_TOOLS for name, _ in step.calls)


def question_asked(meta: dict[str, Any], messages: Sequence[BaseMessage]) -> str:
    slots = meta.get("slots") or {}
    return str(slots.get("query") or last_human(messages))


def call_id(messages: Sequence[BaseMessage], index: int, name: str, args: dict[str, Any]) -> str:
    seed = (
        f"{len(messages)}|{last_human(messages)}|{index}|{name}|{json.dumps(args, sort_keys=True)}"
    )
    return "call_" + hashlib.sha1(seed.encode()).hexdigest()[:16]


def jsonable(slots: dict[str, Any]) -> dict[str, Any]:
    clean: dict[str, Any] = json.loads(json.dumps(slots, default=str))
    return clean
