"""Only a plain yes or no decides a pending action; anything else goes to the model."""

from __future__ import annotations

import pytest

from assistant.confirmation import detect_decision

YES = ["yes", "Yes please!", "go ahead", "do it", "confirm", "ok do it", "yep", "sure", "👍",
       "yes, go ahead", "OK", "yeah thanks", "Sure."]  # fmt: skip
NO = ["no", "cancel", "don't", "stop", "no thanks", "No, cancel it", "never mind", "nope", "👎"]
OTHER = ["make it £20 instead", "yes but make it 20", "what would it cost?", "sure, why not?",
         "hmm", "", "   ", "yes no", "no, the other number", "top up 10", "can you do it tomorrow",
         "yes I want to cancel my contract and leave"]  # fmt: skip


@pytest.mark.parametrize("text", YES)
def test_explicit_yes(text: str) -> None:
    assert detect_decision(text) == "confirm"


@pytest.mark.parametrize("text", NO)
def test_explicit_no(text: str) -> None:
    assert detect_decision(text) == "cancel"


@pytest.mark.parametrize("text", OTHER)
def test_anything_else_goes_to_the_model(text: str) -> None:
    assert detect_decision(text) is None
