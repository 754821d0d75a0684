"""The decision for one notice: consent per category and channel, marketing only after a yes,
the daily cap on alerts and marketing, quiet hours in the customer's own zone — at injected
instants."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from api.notices.policy import Decision, Standing, decide
from switchboard.hours import quiet_until

LONDON = ZoneInfo("Europe/London")
NOON = datetime(2027, 6, 7, 11, 0, tzinfo=UTC)  # 12:00 in London (BST)


def _decide(
    category: str, standing: Standing, *, at: datetime = NOON, channel: str = "sms"
) -> Decision:
    return decide(
        category=category,
        channel=channel,
        standing=standing,
        now=at,
        quiet_hours="21:00-08:00",
        default_zone=LONDON,
        daily_cap=3,
    )


def test_consent_by_category_and_channel() -> None:
    nobody_said = Standing(consents={})
    assert _decide("service", nobody_said).status == "pending"
    assert _decide("alerts", nobody_said).status == "pending"
    assert _decide("marketing", nobody_said) == Decision("suppressed", "no_marketing_consent")
    yes_everywhere_but_sms = Standing(
        consents={("marketing", "*"): True, ("marketing", "sms"): False}
    )
    assert _decide("marketing", yes_everywhere_but_sms) == Decision("suppressed", "opted_out")
    assert _decide("marketing", yes_everywhere_but_sms, channel="whatsapp").status == "pending"
    no_service = Standing(consents={("service", "*"): False})
    assert _decide("service", no_service) == Decision("suppressed", "opted_out")


def test_daily_cap_counts_alerts_and_marketing_only() -> None:
    busy = Standing(consents={("marketing", "*"): True}, sent_last_day=3)
    assert _decide("alerts", busy) == Decision("suppressed", "frequency_cap")
    assert _decide("marketing", busy) == Decision("suppressed", "frequency_cap")
    assert _decide("service", busy).status == "pending"
    assert _decide("alerts", Standing(consents={}, sent_last_day=2)).status == "pending"


def test_quiet_hours_in_the_customers_zone_defer_to_their_end() -> None:
    late = datetime(2027, 6, 7, 21, 30, tzinfo=UTC)  # 22:30 in London
    deferred = _decide("service", Standing(consents={}), at=late)
    assert deferred == Decision("deferred", "quiet_hours", datetime(2027, 6, 8, 7, 0, tzinfo=UTC))
    # the same instant is 14:30 in Los Angeles: no quiet hours for a customer there
    west = Standing(consents={}, time_zone="America/Los_Angeles")
    assert _decide("service", west, at=late).status == "pending"
    nonsense = Standing(consents={}, time_zone="Mars/Olympus")  # falls back to the operator's
    assert _decide("service", nonsense, at=late).status == "deferred"


def test_quiet_until_across_midnight_and_within_a_day() -> None:
    early = datetime(2027, 1, 31, 6, 0, tzinfo=UTC)  # 06:00 in London (GMT)
    assert quiet_until("21:00-08:00", early, LONDON) == datetime(2027, 1, 31, 8, 0, tzinfo=UTC)
    assert quiet_until("21:00-08:00", early.replace(hour=8), LONDON) is None
    assert quiet_until("21:00-08:00", early.replace(hour=20, minute=59), LONDON) is None
    assert quiet_until("13:00-14:00", early.replace(hour=13, minute=30), LONDON) == datetime(
        2027, 1, 31, 14, 0, tzinfo=UTC
    )
    assert quiet_until("", early, LONDON) is None
    # the UK's spring change: 22:00 BST on 27 March -> 08:00 BST the next day (07:00 UTC)
    spring = datetime(2027, 3, 27, 21, 0, tzinfo=UTC)  # 21:00 GMT, still winter time
    assert quiet_until("21:00-08:00", spring, LONDON) == datetime(2027, 3, 28, 7, 0, tzinfo=UTC)
