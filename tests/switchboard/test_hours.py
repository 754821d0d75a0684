"""Support hours (switchboard/hours.py): reading them, open or closed at a moment in the
operator's zone (DST included), and when the team is next there."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from switchboard.errors import ConfigError
from switchboard.hours import SupportHours, closed_note
from switchboard.settings import load_settings

LONDON = ZoneInfo("Europe/London")
WEEK = SupportHours.parse("Mon-Fri 08:00-20:00; Sat 09:00-13:00")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize(
    ("moment", "open_"),
    [
        ("2026-11-26T07:59", False),  # Thursday, GMT
        ("2026-11-26T08:00", True),
        ("2026-11-26T19:59", True),
        ("2026-11-26T20:00", False),
        ("2026-11-28T12:59", True),  # Saturday
        ("2026-11-28T13:00", False),
        ("2026-11-29T12:00", False),  # Sunday
        ("2027-06-07T07:30", True),  # Monday 08:30 BST
        ("2027-06-07T19:30", False),  # Monday 20:30 BST
    ],
)
def test_open_or_closed_in_the_operators_zone(moment: str, open_: bool) -> None:
    assert WEEK.is_open(at(moment), LONDON) is open_


def test_when_the_team_is_back() -> None:
    saturday_evening = at("2026-11-28T18:00")
    assert WEEK.next_open(saturday_evening, LONDON) == datetime(2026, 11, 30, 8, tzinfo=LONDON)
    assert "from 08:00 Monday" in closed_note(WEEK, saturday_evening, LONDON)
    early = at("2026-11-26T06:00")
    assert "from 08:00 today" in closed_note(WEEK, early, LONDON)
    assert "from 08:00 tomorrow" in closed_note(WEEK, at("2026-11-26T21:00"), LONDON)
    assert closed_note(WEEK, at("2026-11-26T12:00"), LONDON) == ""
    always = SupportHours.parse("24/7")
    assert always.always and closed_note(always, saturday_evening, LONDON) == ""


def test_a_span_across_the_weekend_and_to_midnight() -> None:
    late = SupportHours.parse("Fri-Mon 18:00-24:00")
    assert late.is_open(at("2026-11-29T23:30"), LONDON)  # Sunday 23:30
    assert not late.is_open(at("2026-11-25T23:30"), LONDON)  # Wednesday


@pytest.mark.parametrize(
    "text", ["", "weekdays 9-5", "Mon-Fri 20:00-08:00", "Xyz 08:00-10:00", "Mon-Fry 08:00-10:00"]
)
def test_unreadable_hours_are_refused_at_start(text: str) -> None:
    with pytest.raises(ValueError):
        SupportHours.parse(text)
    with pytest.raises(ConfigError, match="SWITCHBOARD_SUPPORT_HOURS"):
        load_settings(support_hours=text)


def test_an_unknown_time_zone_is_refused() -> None:
    with pytest.raises(ConfigError, match=r"SWITCHBOARD_TIME_ZONE: .*unknown time zone"):
        load_settings(time_zone="Mars/Olympus")
    assert load_settings(time_zone="Asia/Kolkata").zone == ZoneInfo("Asia/Kolkata")
