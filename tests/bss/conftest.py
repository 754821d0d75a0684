"""Simulator fixtures (see tests/bss/fixtures.py)."""

from tests.bss.fixtures import bss, bss_app, bss_server, http, listener, report

__all__ = ["bss", "bss_app", "bss_server", "http", "listener", "report"]
