"""The facts a question asks for, read from an account tool's own data.

A tool's headline says the usual ("Bill BW-1 of 1 November: 21.40, paid."); the customer may
have asked for something in the data behind it — what the bill is made of, when it was due,
how many days until the bundle renews, whether call waiting is on, where the order is now.
Every fact here is read from the tool result; nothing is invented or remembered.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from switchboard.currency import money

_EXPLAIN = re.compile(
    r"\b(explain|why|what('?s| is| was| are) (that|this|it|the)|higher|more than|extra|charged?|"
    r"charges|breakdown|itemi[sz]ed|items?|made up|went up|gone up|expensive|random|for what)\b",
    re.IGNORECASE,
)
_DUE = re.compile(
    r"\b(due|when|pay by|deadline|owe|outstanding|overdue|unpaid|late|left to pay)\b",
    re.IGNORECASE,
)
_RENEWAL = re.compile(r"\b(renew\w*|renw|refresh\w*|reset\w*|expire\w*|next bundle)\b", re.I)
_FEATURES: tuple[tuple[str, str, re.Pattern[str]], ...] = (
    ("roaming", "Roaming", re.compile(r"\broam", re.I)),
    ("call_waiting", "Call waiting", re.compile(r"\bcall waiting|\bwaiting\b", re.I)),
    ("call_forwarding", "Call forwarding", re.compile(r"\bforward|\bdivert", re.I)),
    ("voicemail", "Voicemail", re.compile(r"\bvoice ?mail|answer ?phone", re.I)),
    ("caller_id", "Caller ID", re.compile(r"\bcaller ?id|withh[oe]ld|hid(e|den)|private", re.I)),
)
_CAP = re.compile(r"\b(spending )?(cap|limit)\b", re.I)
_CAMEL = re.compile(r"\b([a-z]+)([A-Z][a-z]+)\b")


def details(tool: str, data: Any, question: str, *, today: date) -> str:
    """Extra sentences with the facts `question` asks for from `tool`'s data ('' if none)."""
    if not isinstance(data, Mapping):
        return ""
    if tool == "get_bills":
        return _bill_details(data, question)
    if tool == "get_account_overview":
        return _overview_details(data, question, today)
    if tool == "get_request_status":
        return _status_details(data)
    return ""


def humanise_states(text: str) -> str:
    """'inProgress' -> 'in progress' (TMF states read as words)."""
    return _CAMEL.sub(lambda m: f"{m.group(1)} {m.group(2).lower()}", text)


def _bill_details(data: Mapping[str, Any], question: str) -> str:
    bills = data.get("bills") or []
    latest = bills[0] if bills and isinstance(bills[0], Mapping) else None
    if latest is None:
        return ""
    out: list[str] = []
    items = [i for i in latest.get("items") or [] if isinstance(i, Mapping)]
    if items and _EXPLAIN.search(question):
        parts = [
            f"{i.get('name')} {_money(i.get('amount'))}"
            + (" (out of bundle: outside your allowance)" if i.get("out_of_bundle") else "")
            for i in items
        ]
        out.append("It's made up of: " + "; ".join(parts) + ".")
    due = _day(latest.get("due_date"))
    if due and _DUE.search(question):
        paid = _decimal(latest.get("remaining")) == 0
        out.append(f"It was due on {due}." if paid else f"It's due on {due}.")
    return " ".join(out)


def _overview_details(data: Mapping[str, Any], question: str, today: date) -> str:
    out: list[str] = []
    renews = data.get("renewal_date")
    if renews and _RENEWAL.search(question):
        try:
            days = (date.fromisoformat(str(renews)[:10]) - today).days
        except ValueError:
            days = -1
        if days >= 0:
            out.append(f"That's in {days} day{'s' if days != 1 else ''}.")
    for key, name, pattern in _FEATURES:
        if key in data and data[key] is not None and pattern.search(question):
            out.append(f"{name} is {'on' if data[key] else 'off'} on this line.")
    if _CAP.search(question):
        cap = data.get("spending_cap")
        out.append(f"Your spending cap is {_money(cap)}." if cap else "There's no spending cap.")
    return " ".join(out)


def _status_details(data: Mapping[str, Any]) -> str:
    notes: list[str] = []
    for item in data.get("items") or []:
        if not isinstance(item, Mapping):
            continue
        latest = [str(n) for n in item.get("notes") or [] if n]
        if latest:
            notes.append(f"{item.get('ref')}: {latest[-1].rstrip('.')}.")
    return ("Latest update — " + " ".join(notes)) if notes else ""


def _money(value: Any) -> str:
    amount = _decimal(value)
    if amount is None:
        return str(value)
    return money(amount)


def _decimal(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def _day(value: Any) -> str:
    try:
        moment = date.fromisoformat(str(value)[:10])
    except ValueError:
        return ""
    return f"{moment.day} {moment:%B %Y}"
