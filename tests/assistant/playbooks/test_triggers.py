"""Which message starts a journey: a request, with its trigger words close together; never a
question about how things work, in any clause of the message."""

from __future__ import annotations

import pytest

from assistant.playbooks.loader import load_for


@pytest.mark.parametrize(
    ("text", "journey"),
    [
        ("somebody nicked my phone on the train", "lost_phone"),
        ("lost phone, please block it", "lost_phone"),
        ("book me a broadband install for the new flat next week", "broadband_install"),
    ],
)
def test_a_request_starts_its_journey(text: str, journey: str) -> None:
    assert load_for(None).match(text) == journey


@pytest.mark.parametrize(
    "text",
    [
        # the words of a phrase scattered over a sentence about something else
        "block adult sites and premium numbers on my son's new phone",
        "install the app on my old phone, the broadband router needs it",
        # a question in a later clause asks how things work
        "my phone got stolen last night, what should I do",
        "the fibre install engineer never turned up, do I get anything for that",
    ],
)
def test_a_question_or_a_passing_mention_starts_none(text: str) -> None:
    assert load_for(None).match(text) is None
