"""get_request_status against the real simulator: open items, one by ref, never someone else's."""

from __future__ import annotations

from datetime import timedelta

import pytest

from switchboard import clock
from tests.tools.conftest import CustomerContext
from tools.registry import invoke_tool

pytestmark = pytest.mark.dated  # the demo world seeded at the clock's today

ALICE, HARRY, ISLA, JACK = "+447700900001", "+447700900010", "+447700900011", "+447700900012"
NOAH = "+447700900016"


async def test_open_items_of_each_kind(customer: CustomerContext) -> None:
    harry = await invoke_tool(await customer(HARRY), "get_request_status", {})
    assert any(i["type"] == "fault" for i in harry.data["items"])
    isla = await invoke_tool(
        await customer(ISLA), "get_request_status", {"kind": "service_request"}
    )
    assert [i["type"] for i in isla.data["items"]] == ["esim"]
    assert isla.data["items"][0]["current_step"]
    jack = await invoke_tool(await customer(JACK), "get_request_status", {"kind": "order"})
    assert len(jack.data["items"]) == 1 and jack.data["items"][0]["type"] == "order"
    alice = await invoke_tool(await customer(ALICE), "get_request_status", {})
    assert alice.ok and alice.data["items"] == [] and "no open" in alice.summary


async def test_one_by_ref_and_never_someone_elses(customer: CustomerContext) -> None:
    harry = await customer(HARRY)
    ticket = next(
        i
        for i in (await invoke_tool(harry, "get_request_status", {})).data["items"]
        if i["type"] == "fault"
    )
    mine = await invoke_tool(harry, "get_request_status", {"ref": ticket["ref"]})
    assert mine.ok and mine.data["items"][0]["ref"] == ticket["ref"]
    theirs = await invoke_tool(await customer(ALICE), "get_request_status", {"ref": ticket["ref"]})
    assert theirs.code == "not_found" and ticket["about"] not in theirs.render()


async def test_the_summary_carries_the_latest_note_and_the_appointment(
    customer: CustomerContext,
) -> None:
    jack = await invoke_tool(await customer(JACK), "get_request_status", {"kind": "order"})
    assert "ORD-2001" in jack.summary and "in progress" in jack.summary
    assert "Latest: New handset dispatched with Royal Mail, tracking RM123456785GB." in jack.summary
    noah = await invoke_tool(
        await customer(NOAH), "get_request_status", {"kind": "service_request"}
    )
    slot = clock.today() + timedelta(days=6)  # seeded six days ahead, at 08:00 (world.yaml)
    assert f"appointment {slot:%-d %B %Y} at 08:00" in noah.summary, noah.summary


async def test_an_installation_says_its_appointment(customer: CustomerContext) -> None:
    noah = await invoke_tool(await customer(NOAH), "get_request_status", {})
    install = next(i for i in noah.data["items"] if i["type"] == "broadband_installation")
    assert install["appointment"] and f"appointment {install['appointment']}" in noah.summary
