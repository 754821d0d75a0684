"""check_coverage against the real simulator, signed in or not."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker

from switchboard import clock
from switchboard.settings import Settings
from tests.tools.helpers import make_context
from tools.bss import BssClient
from tools.registry import invoke_tool

pytestmark = pytest.mark.dated  # the demo world seeded at the clock's today


async def test_coverage_and_the_leeds_outage_for_an_anonymous_visitor(
    settings: Settings,
    sessionmaker: async_sessionmaker[Any],
    bss: BssClient,
    make_conversation: Any,
) -> None:
    ctx = make_context(
        settings, sessionmaker, await make_conversation(None), bss=bss, customer_id=None
    )
    leeds = await invoke_tool(ctx, "check_coverage", {"postcode": "ls2 7hy"})
    assert leeds.ok and leeds.summary.startswith(
        "Leeds (LS2 7HY): mobile 4G, home fibre available."
    )
    fix = clock.now() + timedelta(hours=33)  # seeded 33 hours ahead (bss/data/world.yaml)
    assert "OUT-4101" in leeds.summary and f"{fix:%-d %B}" in leeds.summary
    inverness = await invoke_tool(ctx, "check_coverage", {"postcode": "IV1 1AA"})
    assert "fibre not available" in inverness.summary and inverness.data["outages"] == []
    manchester = await invoke_tool(ctx, "check_coverage", {"postcode": "M1"})
    assert "5G" in manchester.summary and "Known issue" not in manchester.summary


async def test_unknown_areas_and_bad_postcodes(
    settings: Settings,
    sessionmaker: async_sessionmaker[Any],
    bss: BssClient,
    conversation_id: str,
) -> None:
    ctx = make_context(settings, sessionmaker, conversation_id, bss=bss)
    unknown = await invoke_tool(ctx, "check_coverage", {"postcode": "ZE1 0AA"})
    assert unknown.code == "unknown_area"
    bad = await invoke_tool(ctx, "check_coverage", {"postcode": "not a postcode"})
    assert bad.code == "invalid_input"
