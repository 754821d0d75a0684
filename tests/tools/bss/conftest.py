"""BSS client fixtures (see tests/bss/fixtures.py)."""

from tests.bss.fixtures import (
    bss,
    bss_app,
    bss_server,
    http,
    listener,
    report,
    seeded_template,
    settings,
    slow_http,
)

__all__ = [
    "bss",
    "bss_app",
    "bss_server",
    "http",
    "listener",
    "report",
    "seeded_template",
    "settings",
    "slow_http",
]
