"""The demo world's instant in tests: `switchboard.clock.REFERENCE_INSTANT`, or the one that
`make test`'s date matrix passes in SWITCHBOARD_TEST_CLOCK ("now": the real today)."""

from __future__ import annotations

import os

from switchboard import clock
from switchboard.clock import REFERENCE_INSTANT, parse_start

TEST_CLOCK_START = parse_start(
    os.environ.get("SWITCHBOARD_TEST_CLOCK", REFERENCE_INSTANT.isoformat())
)


def clock_env() -> dict[str, str]:
    """Environment for a server a test starts: its world clock continues this process's."""
    current = clock.current()
    return {"SWITCHBOARD_CLOCK_START": current.now().isoformat()} if current.shifted else {}
