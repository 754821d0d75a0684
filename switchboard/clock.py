"""The project's one clock for the time of the business: what "now" and "today" are for the demo
world's seed, bills and renewals, quotes' expiry, tickets and orders, and the assistant's
"today".

It is real time, optionally moved so that the world runs *as if* it had started at a chosen
instant (`Settings.clock_start`, or `use_clock` in a test); it keeps running from there at real
speed, so timers and expiries still pass. Tests and evals run the demo world at
`REFERENCE_INSTANT` by default; the demo server, with nothing set, runs on the real today.

Security and plumbing durations (JWT expiry, rate-limit windows, stream leases, the simulator's
timers) stay on real time: they measure elapsed seconds and must agree with other processes
and libraries that read the system clock (ADR 0013)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta

# The instant tests and evals run the demo world at unless told otherwise; chosen here only.
REFERENCE_INSTANT = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


class Clock:
    """Real time shifted so that it read `start` when the clock was made (no shift: real)."""

    def __init__(self, start: datetime | None = None) -> None:
        if start is not None and start.tzinfo is None:
            raise ValueError("a clock's start must carry a time zone (UTC)")
        self.start = start
        self._offset = timedelta(0) if start is None else start - datetime.now(UTC)

    @property
    def shifted(self) -> bool:
        return self.start is not None

    def now(self) -> datetime:
        """The business's current instant, aware and in UTC."""
        return datetime.now(UTC) + self._offset

    def today(self) -> date:
        """The business's date (UTC: the demo operator's day is the UTC day)."""
        return self.now().date()

    def timestamp(self) -> float:
        """`now()` as epoch seconds."""
        return time.time() + self._offset.total_seconds()

    def __repr__(self) -> str:
        return f"Clock(start={self.start.isoformat() if self.start else 'real time'})"


_current = Clock()


def current() -> Clock:
    return _current


def now() -> datetime:
    return _current.now()


def today() -> date:
    return _current.today()


def install(clock: Clock) -> Clock:
    """Make `clock` the process's clock; returns the one it replaces."""
    global _current
    previous, _current = _current, clock
    return previous


def install_start(start: datetime | None) -> Clock:
    """Install a clock that starts at `start` (None: real time), unless the current clock already
    started there: re-installing would move "now" back to `start` under running timers."""
    if _current.start != start:
        install(Clock(start))
    return _current


def configure(start: datetime | None) -> Clock:
    """What an app factory does with `Settings.clock_start`: a start moves the process's clock
    there; none leaves the clock as it is (real time, unless a test or eval harness set it)."""
    return install_start(start) if start is not None else _current


@contextmanager
def use_clock(start: datetime | None) -> Iterator[Clock]:
    """Run a block with the world's clock started at `start` (a test's explicit "now")."""
    previous = install(Clock(start))
    try:
        yield _current
    finally:
        install(previous)


def parse_start(value: str) -> datetime | None:
    """A clock start as written in settings or on a command line: an ISO date or date-time
    (UTC if no zone is given), or "now"/"" for real time."""
    text = value.strip()
    if text.lower() in {"", "now", "real", "today"}:
        return None
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if len(text) == 10:  # a bare date: the reference time of day on that date
        moment = datetime.combine(moment.date(), REFERENCE_INSTANT.timetz())
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
