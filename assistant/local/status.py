"""Status questions: the customer asks how something already requested is going ("has my SIM
swap gone through?", "where's my order", "any update on TT-1001?", "what's happening with that
ticket?"). They read status with `get_request_status`; they never start a new action.

References are resolved from the message (an id such as TT-1001) or, for "that ticket" / "it",
from the ids earlier replies and tool results in the conversation mentioned, newest first.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence

from langchain_core.messages import AIMessage, BaseMessage, ToolMessage

# Ids of orders, tickets and requests ("ORD-2001", "TT-1001", "PF-3002"); not outages, bills or
# payments, which are not something a customer tracks as a request.
_REF = re.compile(r"\b(?!(?:OUT|BW|PAY|INV)-)([A-Z]{2,4}-\d{3,6})\b", re.IGNORECASE)
_THINGS = (
    "order", "orders", "delivery", "parcel", "package", "phone", "handset", "sim", "esim",
    "swap", "ticket", "fault", "repair", "request", "install", "installation", "engineer",
    "broadband", "fibre", "port", "transfer", "activation", "upgrade", "refund", "complaint",
)  # fmt: skip
_PROGRESS = re.compile(
    r"\b(gone through|go through|went through|come through|gone ahead|been (done|processed|"
    r"sorted|completed|approved|activated|shipped|dispatched|sent|posted|installed|fixed|"
    r"resolved|booked)|shipped|dispatched|arrived|processed|completed|activated yet|done yet|"
    r"ready yet|sorted yet|still (open|pending|waiting)|on (its|the) way)\b",
    re.IGNORECASE,
)
_ASKS_PROGRESS = re.compile(
    r"\b(any|an|got an?) (news|update|updates|progress)\b|\bstatus (of|on)\b|"
    r"\bwhat'?s (happening|going on) with\b|\bhow('?s| is) (my|the|that) .{1,30}"
    r"(going|coming along|progressing|getting on)\b|\b(track|tracking)\b|"
    r"^\W*(where'?s|wheres|where is|where are)\b|"
    r"\bwhen (is|will|does) (my|the|that) .{1,40}\b(arrive|come|turn up|be (here|delivered|"
    r"installed|ready|done|fixed|activated|dispatched|sent|connected)|being (installed|"
    r"delivered|fixed|sent|connected))\b",
    re.IGNORECASE,
)
_AFTER_ASKING = re.compile(
    r"\bi (ordered|requested|reported|asked for|booked|applied for|raised|logged)\b.{0,80}"
    r"\b(where|when|yet|status|update|still|hasn'?t|has it|is it|not (arrived|come|here))\b",
    re.IGNORECASE,
)
_POINTER = re.compile(
    r"\b(that|this|the|my) (ticket|order|request|fault|report|one|swap|install\w*|delivery)\b|"
    r"\b(it|that)\b",
    re.IGNORECASE,
)


def refs_in(text: str) -> list[str]:
    """Order, ticket and request ids named in `text`, upper-cased, in order."""
    return [m.group(1).upper() for m in _REF.finditer(text)]


def _names_a_thing(text: str) -> bool:
    words = re.findall(r"[a-z]+", text.lower())
    return any(
        w in _THINGS or difflib.get_close_matches(w, _THINGS, n=1, cutoff=0.8)
        for w in words
        if len(w) >= 3
    )


def is_status_question(text: str) -> bool:
    """Whether `text` asks how something already requested is going (not for a new action)."""
    if refs_in(text):
        return True
    if _AFTER_ASKING.search(text):
        return True
    if _PROGRESS.search(text) and re.search(
        r"\?|\b(has|have|did|is|are|was)\b", text, re.IGNORECASE
    ):
        return _names_a_thing(text) or bool(re.search(r"\b(it|that)\b", text, re.IGNORECASE))
    return bool(_ASKS_PROGRESS.search(text)) and _names_a_thing(text)


def referenced_ref(text: str, messages: Sequence[BaseMessage]) -> str | None:
    """The id `text` means: one it names, or for 'that ticket' / 'it' the newest id the
    conversation mentioned (one mentioned with the same noun first)."""
    named = refs_in(text)
    if named:
        return named[0]
    pointer = _POINTER.search(text)
    if pointer is None:
        return None
    noun = (pointer.group(2) or "").lower()
    earlier: list[tuple[str, str]] = []  # (ref, the message text), newest first
    for message in reversed(messages[:-1]):
        if isinstance(message, AIMessage | ToolMessage):
            content = str(message.content)
            earlier.extend((ref, content.lower()) for ref in reversed(refs_in(content)))
    if not earlier:
        return None
    if noun and noun not in {"one", "the"}:
        for ref, content in earlier:
            if noun[:5] in content:
                return ref
    return earlier[0][0]
