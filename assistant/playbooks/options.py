"""What a step's answer is read against, and where a template's `{name.path}` points: a slot,
a saved tool result, or the entry an `option` slot picked from a saved list (`options`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from assistant.playbooks.format import Ask
from assistant.playbooks.slot_types import extract
from assistant.playbooks.state import JourneyState
from switchboard.currency import money


def lookup(value: Any, path: list[str]) -> Any:
    """`bills.0.bill_id`: a key of a mapping, an index of a list."""
    for part in path:
        if isinstance(value, dict):
            value = value.get(part)
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return None
    return value


def resolve(state: JourneyState, dotted: str) -> Any:
    """A slot, or a path into a saved result; `charge.name` reads the entry an `option` slot
    picked (kept in `saved` under the slot's name) while `charge` is the slot's value."""
    head, *path = dotted.split(".")
    if path and isinstance(state.saved.get(head), dict | list):
        return lookup(state.saved[head], path)
    return lookup(state.slots.get(head, state.saved.get(head)), path)


def options_of(step: Ask, state: JourneyState) -> list[dict[str, Any]]:
    """The entries an `option` step offers, from the saved list its `options` name."""
    if step.options is None:
        return []
    found = resolve(state, step.options.from_)
    return [e for e in found if isinstance(e, dict)] if isinstance(found, list) else []


def choices_of(step: Ask, state: JourneyState) -> Mapping[str, Sequence[str]] | None:
    """What the step's extractor reads an answer against: its `choices`, or its options as
    value -> [label, amount] in list order."""
    if step.options is None:
        return step.choices
    o = step.options
    return {
        str(e.get(o.value)): [str(e.get(o.label, "")), str(e.get(o.amount, "")) if o.amount else ""]
        for e in options_of(step, state)
    }


def options_text(step: Ask, state: JourneyState) -> str:
    """'1. Bundle 20 (20.00); 2. Data outside your bundle (6.40)', each amount in the operator's
    currency: the `{options}` of a prompt."""
    o = step.options
    if o is None:
        return ""
    shown = []
    for number, entry in enumerate(options_of(step, state), start=1):
        price = entry.get(o.amount) if o.amount else None
        shown.append(f"{number}. {entry.get(o.label)}" + (f" ({money(price)})" if price else ""))
    return "; ".join(shown) + "." if shown else ""


def answers(step: object, text: str, state: JourneyState) -> bool:
    """Whether `text` is an answer to `step` (an `ask` whose extractor reads a value in it)."""
    return isinstance(step, Ask) and extract(step.type, text, choices_of(step, state)) is not None
