"""The project's one clock: a chosen start, real speed, and the settings and servers that use it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import httpx
import pytest

from bss.app import create_bss_app
from switchboard import clock
from switchboard.clock import REFERENCE_INSTANT, Clock, parse_start, use_clock
from switchboard.settings import Settings, load_settings

LEAP_DAY = datetime(2028, 2, 29, 23, 30, tzinfo=UTC)


def test_a_started_clock_reads_its_start_and_keeps_running() -> None:
    started = Clock(LEAP_DAY)
    first = started.now()
    assert timedelta(0) <= first - LEAP_DAY < timedelta(seconds=2)
    assert started.today() == date(2028, 2, 29) and started.shifted
    assert started.now() >= first
    assert abs(started.timestamp() - started.now().timestamp()) < 1


def test_an_unshifted_clock_is_real_time() -> None:
    real = Clock()
    assert not real.shifted
    assert abs(real.now() - datetime.now(UTC)) < timedelta(seconds=2)


def test_a_naive_start_is_refused() -> None:
    with pytest.raises(ValueError, match="time zone"):
        Clock(datetime(2027, 1, 1))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2027-03-28T00:30:00Z", datetime(2027, 3, 28, 0, 30, tzinfo=UTC)),
        ("2027-03-28T01:30:00+01:00", datetime(2027, 3, 28, 0, 30, tzinfo=UTC)),
        ("2027-03-28T00:30:00", datetime(2027, 3, 28, 0, 30, tzinfo=UTC)),
        ("2028-02-29", datetime.combine(date(2028, 2, 29), REFERENCE_INSTANT.timetz())),
        ("now", None),
        ("", None),
    ],
)
def test_a_start_is_read_as_written(text: str, expected: datetime | None) -> None:
    assert parse_start(text) == expected


def test_the_setting_moves_the_clock_and_leaves_it_when_unset(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SWITCHBOARD_CLOCK_START", "2026-12-31T23:59:00Z")
    settings = load_settings()
    assert settings.clock_start == datetime(2026, 12, 31, 23, 59, tzinfo=UTC)
    with use_clock(None):
        clock.configure(settings.clock_start)
        assert clock.today() == date(2026, 12, 31)
        clock.configure(None)  # an app built without the setting keeps the running clock
        assert clock.current().start == settings.clock_start
    monkeypatch.setenv("SWITCHBOARD_CLOCK_START", "yesterday")
    with pytest.raises(Exception, match="SWITCHBOARD_CLOCK_START"):
        load_settings()


def test_use_clock_restores_the_previous_clock() -> None:
    before = clock.current()
    with use_clock(LEAP_DAY) as inside:
        assert clock.current() is inside and clock.today() == date(2028, 2, 29)
    assert clock.current() is before


async def test_the_demo_world_is_seeded_on_the_clocks_day(settings: Settings) -> None:
    """Bills, the outage and the installation slot follow the clock, whatever day it is."""
    start = datetime(2027, 1, 10, 8, 0, tzinfo=UTC)
    with use_clock(start):  # restored afterwards; the setting itself moves it for the app
        app = create_bss_app(settings.model_copy(update={"clock_start": start}), run_worker=False)
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://b") as http,
        ):
            bills = (
                await http.get(
                    "/tmf-api/customerBillManagement/v4/customerBill",
                    params={"relatedParty.id": "cust-004"},
                )
            ).json()
            outage = (await http.get("/ext/v1/outage")).json()[0]
    # issued on the 1st of this month and the last; before the 15th the newest is not yet due
    assert sorted(b["id"] for b in bills) == ["bill-004-202612", "bill-004-202701"]
    overdue = [b for b in bills if b["remainingAmount"]["value"] > 0 and b["id"].endswith("12")]
    assert len(overdue) == 1 and overdue[0]["paymentDueDate"] == "2026-12-15T00:00:00Z"
    assert outage["since"] == "2027-01-10T07:00:00Z"
    assert outage["expectedFix"] == "2027-01-11T17:00:00Z"
