"""Dialogue state, read back from the message history (the engine keeps nothing in memory).

Every AIMessage the engine writes carries `response_metadata` with the capability, intent,
slots and what it is waiting for; the next turn reads the latest one. Tool results in the
history add the live catalog and the customer's lines. Corrections ("make it 20 instead",
"no, the other number") and follow-ups ("and roaming?") are recognised here.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from langchain_core.messages import (
    AIMessage,
    BaseMessage,
    HumanMessage,
    SystemMessage,
    ToolMessage,
)

from assistant.local.acts import classify_act
from assistant.local.bills import BillItem, bill_items
from assistant.local.catalog import CatalogItem, items_from_payload
from assistant.local.slots import extract_phone_numbers
from assistant.local.text import normalise

ENGINE = "switchboard-local"

_CORRECTION = re.compile(
    r"^\s*(no[,.!]?\s+)?(actually|make (it|that)|change (it|that) to|instead|rather|"
    r"sorry,? i meant|"
    r"i meant|not that|the other|other one|no,? (the|use|to|for|on|make|i said|it'?s))\b|"
    r"\binstead\s*[.!?]*$",
    re.IGNORECASE,
)
_CANCEL = re.compile(
    r"\b(don'?t bother|forget (it|that|about it)|never ?mind|cancel (that|it)|scrap (that|it)|"
    r"leave it|don'?t (do|want) (it|that)|changed my mind|no thanks|no thank you)\b"
    # "don't block", "no need to report it": the action in progress, negated
    r"|\b(don'?t|do not|no need to|please don'?t) (bother|block|top|pay|change|renew|buy|add|"
    r"report|log|send|order|switch|turn|set|start|go ahead|proceed)\b"
    # the reason for it went away: "found it", "it's come back now", "no longer need it"
    r"|\b(found it|it'?s (come )?back( on)?( now)?|(it'?s|it is) working (again|now|fine)|"
    r"sorted itself|no longer need|don'?t need (it|that|to) ?)\b"
    # later, some other way: "I'll do it on payday", "I'll pay it myself"
    r"|\bi'?ll (do|pay|sort|handle) (it|that|this)? ?(myself|later|another time|tomorrow|"
    r"next week|on \w+)\b",
    re.IGNORECASE,
)
# Thanks or praise in front of a new request: "thanks, and how much credit do I have left?"
_COURTESY = re.compile(
    r"^\W*(thanks|thank you|thankyou|cheers|ta|great|perfect|lovely|brilliant|nice one|"
    r"awesome|cool)( (so much|very much|a lot|mate))?[\s,.!-]+(and |also |now |but )?",
    re.IGNORECASE,
)
_OTHER_LINE = re.compile(r"\b(the )?other (number|line|phone|mobile|one)\b", re.IGNORECASE)
_FOLLOW_UP = re.compile(
    r"^\s*(and|what about|how about|also|plus|same for|and for)\b\s*(?P<rest>.*)$", re.IGNORECASE
)


@dataclass(frozen=True, slots=True)
class State:
    """What the previous engine turn was doing."""

    capability: str | None = None
    intent: str | None = None
    slots: dict[str, Any] = field(default_factory=dict)
    awaiting: str | None = None  # the slot the engine asked for
    offer: dict[str, Any] | None = None  # a non-money action offered with a yes/no question
    queued: tuple[tuple[str, str], ...] = ()  # other requests of a multi-intent message


@dataclass(frozen=True, slots=True)
class Facts:
    """What tool results in the conversation tell the engine."""

    catalog: tuple[CatalogItem, ...] = ()
    lines: tuple[str, ...] = ()  # the customer's own numbers, E.164
    bills: tuple[BillItem, ...] = ()


@dataclass(frozen=True, slots=True)
class Who:
    """Who the turn loop says is signed in (from its system prompt), when it says so."""

    signed_in: bool | None = None
    segment: str | None = None  # prepaid | postpaid | business


_SIGNED_IN = re.compile(r"customer is signed in \((\w+) customer", re.IGNORECASE)


_OPERATOR = re.compile(r"customer-service assistant of (.+?), a ")
# The turn loop's note on the open quote (assistant/turn/prompts.py `pending_note`).
_OPEN_QUOTE = re.compile(
    r"Open quote awaiting the customer's yes or no \(action [^,]*, tool (\w+)\)"
)


def operator_name(messages: Sequence[BaseMessage]) -> str:
    """The operator's name from the system prompt (assistant/turn/prompts.py: "... the
    customer-service assistant of <brand>, a ..."); "us" where there is none."""
    for message in messages:
        if isinstance(message, SystemMessage) and (m := _OPERATOR.search(str(message.content))):
            return m.group(1)
    return "us"


def quoted_tool(messages: Sequence[BaseMessage]) -> str | None:
    """The tool of the quote still open for the customer's yes or no, as the turn loop's system
    note states it; None when nothing is waiting."""
    for message in messages:
        if isinstance(message, SystemMessage) and (m := _OPEN_QUOTE.search(str(message.content))):
            return m.group(1)
    return None


def who_is_signed_in(messages: Sequence[BaseMessage]) -> Who:
    for message in messages:
        if isinstance(message, SystemMessage):
            text = str(message.content)
            if "not signed in" in text:
                return Who(signed_in=False)
            if m := _SIGNED_IN.search(text):
                segment = m.group(1).lower()
                return Who(
                    True, segment if segment in {"prepaid", "postpaid", "business"} else None
                )
    return Who()


def previous_state(messages: Sequence[BaseMessage]) -> State:
    """The state stamped on the latest engine AIMessage before the last human message."""
    for message in reversed(messages[:-1]):
        if isinstance(message, AIMessage):
            meta = message.response_metadata or {}
            if meta.get("engine") == ENGINE and meta.get("capability"):
                return State(
                    capability=meta.get("capability"),
                    intent=meta.get("intent"),
                    slots=dict(meta.get("slots") or {}),
                    awaiting=meta.get("awaiting"),
                    offer=meta.get("offer"),
                    queued=tuple(tuple(q) for q in meta.get("queued") or ()),  # type: ignore[misc]
                )
    return State()


def conversation_facts(messages: Sequence[BaseMessage]) -> Facts:
    catalog: list[CatalogItem] = []
    lines: list[str] = []
    bills: list[BillItem] = []
    for message in messages:
        if not isinstance(message, ToolMessage):
            continue
        payload = message.artifact if message.artifact is not None else message.content
        if message.name == "list_offers" or "offer" in str(message.name or ""):
            catalog.extend(items_from_payload(payload))
        if message.name == "get_bills":
            bills.extend(bill_items(_data(payload)))
        if message.name in {"get_account_overview", "get_usage"}:
            for number in extract_phone_numbers(_text(payload)):
                if number not in lines:
                    lines.append(number)
    return Facts(catalog=tuple(dict.fromkeys(catalog)), lines=tuple(lines), bills=tuple(bills))


def last_human(messages: Sequence[BaseMessage]) -> str:
    for message in reversed(messages):
        if isinstance(message, HumanMessage):
            return message.text if hasattr(message, "text") else str(message.content)
    return ""


def is_correction(text: str) -> bool:
    return bool(_CORRECTION.search(text))


def is_cancel(text: str) -> bool:
    """'no actually don't bother', 'forget it', 'never mind'."""
    return bool(_CANCEL.search(text))


def without_courtesy(text: str) -> str:
    """'thanks, and is there anything else outstanding?' -> 'is there anything else
    outstanding?'; a message that is only thanks, or thanks and a short yes, stays as it is."""
    m = _COURTESY.match(text)
    if m is None or classify_act(normalise(text)) is not None:  # "cheers mate, bye for now"
        return text
    rest = text[m.end() :].strip()
    return (
        rest if len(rest.split()) >= 4 or (rest.endswith("?") and len(rest.split()) > 1) else text
    )


def wants_other_line(text: str) -> bool:
    return bool(_OTHER_LINE.search(text))


def follow_up_rest(text: str) -> str | None:
    """'and roaming?' -> 'roaming'; None when the message is not a short follow-up."""
    m = _FOLLOW_UP.match(text)
    if not m:
        return None
    rest = m.group("rest").strip(" ?!.")
    return rest if rest and len(rest.split()) <= 5 else None


def _data(payload: Any) -> Any:
    if hasattr(payload, "data"):
        return payload.data
    return payload


def _text(payload: Any) -> str:
    if hasattr(payload, "model_dump_json"):
        return str(payload.model_dump_json())
    return payload if isinstance(payload, str) else repr(payload)
