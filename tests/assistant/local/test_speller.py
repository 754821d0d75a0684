"""Misspellings are read against the exemplars' own vocabulary, one edit away, nothing else."""

from __future__ import annotations

import pytest

from assistant.local.speller import Speller

VOCABULARY = [
    "no signal at home",
    "how many minutes have i got left",
    "put me through to a manager",
    "is my bill overdue",
    "check my credit",
    "my signal keeps dropping, signal is bad",
]


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("singal", "signal"),  # two letters swapped
        ("minuts", "minutes"),  # one dropped (six letters: the shortest corrected)
        ("manageer", "manager"),  # one added
        ("overdie", "overdue"),  # one changed
    ],
)
def test_one_edit_from_a_known_word_is_read_as_it(typed: str, read: str) -> None:
    assert Speller(VOCABULARY).word(typed) == read


@pytest.mark.parametrize(
    "word",
    [
        "cell",  # short words have real neighbours ("call")
        "minits",  # six letters, but two edits from "minutes"
        "xignal",  # a different first letter is a different word
        "sgnial",  # two edits away
        "through",  # known
        "holiday",  # unknown and near nothing
    ],
)
def test_other_words_are_left_alone(word: str) -> None:
    assert Speller(VOCABULARY).word(word) == word


def test_a_message_keeps_its_shape() -> None:
    speller = Speller(VOCABULARY)
    assert speller.correct("no singal, put me thru to a manger") == (
        "no signal, put me thru to a manager"
    )
