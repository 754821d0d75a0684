"""Only a plain yes or no decides a pending action; anything else goes to the model."""

from __future__ import annotations

import pytest

from assistant.actions.confirmation import detect_decision

YES = ["yes", "Yes please!", "go ahead", "do it", "confirm", "ok do it", "yep", "sure", "👍",
       "yes, go ahead", "OK", "yeah thanks", "Sure.",
       # a yes in more words: an explicit opener and nothing but go-ahead words after it
       "yes please go ahead with that", "ok that's fine, do it", "yeah go on then",
       "sure, I'm happy with that", "yes that one please"]  # fmt: skip
NO = ["no", "cancel", "don't", "stop", "no thanks", "No, cancel it", "never mind", "nope", "👎"]
OTHER = ["make it £20 instead", "yes but make it 20", "what would it cost?", "sure, why not?",
         "hmm", "", "   ", "yes no", "no, the other number", "top up 10", "can you do it tomorrow",
         "yes I want to cancel my contract and leave",
         # a longer yes that hedges, changes the quote or does not open with a yes
         "yes go ahead but not today", "yes turn it off", "yes do it for the other number",
         "yes please go ahead with that?", "that sounds fine I guess",
         "ok do it on friday"]  # fmt: skip


@pytest.mark.parametrize("text", YES)
def test_explicit_yes(text: str) -> None:
    assert detect_decision(text) == "confirm"


@pytest.mark.parametrize("text", NO)
def test_explicit_no(text: str) -> None:
    assert detect_decision(text) == "cancel"


@pytest.mark.parametrize("text", OTHER)
def test_anything_else_goes_to_the_model(text: str) -> None:
    assert detect_decision(text) is None


@pytest.mark.parametrize(
    ("text", "tool"), [("yes block it now", "block_line"), ("yes pay it please", "pay_bill")]
)
def test_a_yes_may_name_the_open_action(text: str, tool: str) -> None:
    assert detect_decision(text, tool=tool) == "confirm"
    assert detect_decision(text) is None  # without the action, those words are not a plain yes


def test_a_yes_naming_another_action_is_not_a_yes() -> None:
    assert detect_decision("yes block it now", tool="top_up") is None
    assert detect_decision("yes set roaming off", tool="set_roaming") is None


@pytest.mark.parametrize(
    "text", ["absolutely not", "definitely not!", "certainly not", "nope, absolutely"]
)
def test_a_yes_word_with_a_negation_never_confirms(text: str) -> None:
    assert detect_decision(text) != "confirm"


def test_a_listed_idiom_with_a_negation_still_confirms() -> None:
    assert detect_decision("why not") == "confirm"


@pytest.mark.parametrize("text", ["brilliant, cheers, go ahead", "fab thanks, do it", "cool, yes"])
def test_courtesy_before_an_explicit_yes_still_confirms(text: str) -> None:
    assert detect_decision(text) == "confirm"


@pytest.mark.parametrize("text", ["brilliant, but don't go ahead", "cheers, go ahead on friday"])
def test_courtesy_before_a_hedged_yes_does_not_confirm(text: str) -> None:
    assert detect_decision(text) is None


@pytest.mark.parametrize(
    ("text", "tool"),
    [
        ("hang on, I've just found it in my coat pocket, don't block it", "block_line"),
        ("actually please don't go ahead with that one after all", "top_up"),
        ("no need to pay it, my partner sorted it this morning", "pay_bill"),
    ],
)
def test_the_open_action_negated_in_a_longer_message_cancels(text: str, tool: str) -> None:
    assert detect_decision(text, tool=tool) == "cancel"


@pytest.mark.parametrize(
    ("text", "tool"),
    [("why don't you block it now", "block_line"), ("don't top up 10, do 5", "top_up")],
)
def test_a_suggestion_or_a_new_detail_is_not_a_cancel(text: str, tool: str) -> None:
    assert detect_decision(text, tool=tool) is None
