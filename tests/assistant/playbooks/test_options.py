"""An `option` slot: the customer picks one entry of a saved list (a bill's line items) by its
number, its name's words or its amount, and the journey carries the picked entry on."""

from __future__ import annotations

from typing import Any

import pytest

from assistant.playbooks.format import Ask, Options
from assistant.playbooks.options import choices_of, options_text, resolve
from assistant.playbooks.slot_types import extract
from assistant.playbooks.state import JourneyState

ITEMS: list[dict[str, Any]] = [
    {"item_id": "bi-1", "name": "Unlimited Plus plan", "amount": "20.00"},
    {"item_id": "bi-2", "name": "Data outside your bundle", "amount": "6.40"},
    {"item_id": "bi-3", "name": "Calls to international numbers", "amount": "2.15"},
]
STEP = Ask(
    id="charge",
    slot="charge",
    type="option",
    prompt="Which charge? {options}",
    options=Options.model_validate(
        {"from": "bill.bills.0.items", "value": "item_id", "label": "name", "amount": "amount"}
    ),
)


def _state() -> JourneyState:
    return JourneyState("bill_dispute", "charge", saved={"bill": {"bills": [{"items": ITEMS}]}})


@pytest.mark.parametrize(
    ("answer", "picked"),
    [
        ("the second one", "bi-2"),
        ("2", "bi-2"),
        ("number 3", "bi-3"),
        ("the first", "bi-1"),
        ("the out of bundle data charge", "bi-2"),
        ("the international calls", "bi-3"),
        ("the £6.40 one", "bi-2"),
        ("6.40", "bi-2"),
        ("that 2.15 for calls", "bi-3"),
    ],
)
def test_an_entry_is_picked_by_number_words_or_amount(answer: str, picked: str) -> None:
    assert extract("option", answer, choices_of(STEP, _state())) == picked


@pytest.mark.parametrize(
    "answer", ["banana", "the fifth one", "7", "the charge", "£9.99", "the plan and the data"]
)
def test_no_entry_or_two_is_not_an_answer(answer: str) -> None:
    assert extract("option", answer, choices_of(STEP, _state())) is None


def test_the_prompt_lists_the_entries_with_their_amounts() -> None:
    listed = options_text(STEP, _state())
    assert listed.startswith("1. Unlimited Plus plan (")
    assert "2. Data outside your bundle (" in listed and "6.40" in listed


def test_the_picked_entry_is_read_under_the_slot_name() -> None:
    state = _state()
    state.slots["charge"] = "bi-2"
    state.saved["charge"] = ITEMS[1]
    assert resolve(state, "charge") == "bi-2"
    assert resolve(state, "charge.name") == "Data outside your bundle"
