"""The satisfaction definitions (switchboard/satisfaction.py): reading a reply as a score, NPS,
CSAT and the rules for when a survey may be asked."""

from __future__ import annotations

import dataclasses
import itertools
from datetime import UTC, datetime, timedelta

import pytest

from switchboard.satisfaction import SurveyContext, csat, nps, parse_reply, refusal

WORDS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"]


@pytest.mark.parametrize("score", range(11))
def test_every_nps_score_in_every_form_reads_back(score: int) -> None:
    forms = [
        "{n}",
        " {n} ",
        "{n}/10",
        "{n} / 10",
        "{n} out of 10",
        "{n} out of ten",
        "I'd say {n}",
        "score: {n}",
        "{n}!",
        "{n}.",
    ]
    for number, form in itertools.product([str(score), WORDS[score], WORDS[score].upper()], forms):
        text = form.format(n=number)
        assert parse_reply(text, "nps") == (score, None), text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("9 - quick and painless", (9, "quick and painless")),
        ("3, still no signal at home", (3, "still no signal at home")),
        ("10 great service", (10, "great service")),
        ("7: ok but slow", (7, "ok but slow")),
        ("two. the bot kept asking the same thing", (2, "the bot kept asking the same thing")),
    ],
)
def test_a_score_with_a_comment(text: str, expected: tuple[int, str]) -> None:
    assert parse_reply(text, "nps") == expected


@pytest.mark.parametrize(
    "text",
    [
        "10 minutes ago my phone died",
        "5 pounds top up please",
        "2 lines on my account",
        "3gb add on",
        "11",
        "-1",
        "what's my balance",
        "top up 10",
        "yes",
        "",
        "10am tomorrow",
        "8th of december",
    ],
)
def test_what_is_not_an_answer(text: str) -> None:
    assert parse_reply(text, "nps") is None


def test_csat_scale_is_one_to_five() -> None:
    assert parse_reply("5", "csat") == (5, None)
    assert parse_reply("0", "csat") is None
    assert parse_reply("6", "csat") is None


def test_nps_and_csat() -> None:
    assert nps([]) is None and csat([]) is None
    assert nps([10, 9, 8, 7, 6, 0]) == round(100 * (2 - 2) / 6, 1) == 0.0
    assert nps([10, 10, 9, 3]) == 50.0
    assert nps([0, 6]) == -100.0
    assert csat([5, 4, 3, 1]) == 0.5


NOW = datetime(2026, 11, 26, 9, tzinfo=UTC)
MONTH = timedelta(days=30)
OK = SurveyContext(
    resolved=True,
    proactive=False,
    handoff_open=False,
    open_quote=False,
    open_problem=False,
    already_asked=False,
    last_asked_at=None,
)


def test_rules() -> None:
    assert refusal(OK, now=NOW, interval=MONTH) is None
    cases = {
        "proactive": {"proactive": True},
        "unresolved": {"resolved": False},
        "handoff_open": {"handoff_open": True},
        "quote_open": {"open_quote": True},
        "problem_open": {"open_problem": True},
        "already_asked": {"already_asked": True},
        "asked_recently": {"last_asked_at": NOW - timedelta(days=29)},
    }
    for reason, change in cases.items():
        context = dataclasses.replace(OK, **change)  # type: ignore[arg-type]
        assert refusal(context, now=NOW, interval=MONTH) == reason
    later = dataclasses.replace(OK, last_asked_at=NOW - timedelta(days=31))
    assert refusal(later, now=NOW, interval=MONTH) is None
