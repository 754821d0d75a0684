"""The simulator's clock: lifecycle delays are written in simulated seconds and scaled by
`Settings.bss_clock_speed` (simulated seconds per real second). `inf` or any huge value makes
every transition due at once, which is what tests use; 60 turns a 2-minute step into 2 s.

Dates in documents (bills, orders, tickets, the seed) come from the project's one clock
(`switchboard.clock`), which tests and evals start at a fixed instant. Timers are durations:
they are stored as real epoch seconds, so they survive a restart; `advance()` moves every
pending timer earlier, which is how a demo (or a test over a socket) fast-forwards."""

from __future__ import annotations

import math
import time
from datetime import UTC, datetime

from switchboard import clock


class SimClock:
    def __init__(self, speed: float) -> None:
        if not speed > 0:
            raise ValueError("clock speed must be positive")
        self.speed = speed

    @property
    def instant(self) -> bool:
        return math.isinf(self.speed) or self.speed >= 1e6

    def now(self) -> float:
        """Real epoch seconds (timers compare against this)."""
        return time.time()

    def due_after(self, sim_seconds: float) -> float:
        """The real epoch time at which something `sim_seconds` away becomes due."""
        if self.instant:
            return self.now()
        return self.now() + sim_seconds / self.speed

    def real_seconds(self, sim_seconds: float) -> float:
        return 0.0 if self.instant else sim_seconds / self.speed


def utcnow() -> datetime:
    """The business's now: the project's one clock (switchboard/clock.py), not the timers'."""
    return clock.now()


def iso(moment: datetime | None = None) -> str:
    """TMF date-time: ISO 8601 UTC with a `Z`, second precision."""
    value = (moment or utcnow()).astimezone(UTC).replace(microsecond=0)
    return value.isoformat().replace("+00:00", "Z")


def parse_iso(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))
