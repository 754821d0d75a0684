"""TMF683 party interactions in the simulator, through the typed client: requests and responses
validate against the official v4 spec (the conformance transport), writes are idempotent, the
spec's reference rules are enforced, and the hub announces changes."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import httpx
import pytest

from tests.bss.conformance import Report, specs_available
from tests.bss.fixtures import Listener
from tools.bss.client import BssClient
from tools.bss.errors import BssNotFoundError

pytestmark = pytest.mark.skipif(
    not specs_available(), reason="TMF specs not found at ../shared/specs/tmf"
)
WHEN = datetime(2026, 11, 26, 9, 30, tzinfo=UTC)
BASE = "/tmf-api/partyInteraction/v4/partyInteraction"


async def test_record_read_patch_and_replay(
    http: httpx.AsyncClient, report: Report, listener: Listener, bss_app: object
) -> None:
    bss = BssClient(http)
    await bss.register_listener(api="partyInteraction", callback="http://listener.test/tmf")
    args = {
        "customer_id": "cust-001",
        "channel": "sms",
        "reason": "outage notice",
        "description": "We know about a problem in your area.",
        "direction": "outbound",
        "started": WHEN,
        "idempotency_key": "pi-1",
    }
    first = await bss.record_interaction(**args)  # type: ignore[arg-type]
    again = await bss.record_interaction(**args)  # type: ignore[arg-type]
    assert first == again and first.id.startswith("PI-")
    assert (first.status, first.direction, first.channel) == ("completed", "outbound", "sms")
    listed = (await http.get(BASE, params={"relatedParty.id": "cust-001"})).json()
    assert [d["id"] for d in listed] == [first.id]
    assert listed[0]["interactionDate"] == {"startDateTime": "2026-11-26T09:30:00Z"}

    patched = await http.patch(
        f"{BASE}/{first.id}", json={"status": "closed", "note": [{"text": "customer replied"}]}
    )
    assert patched.status_code == 200 and patched.json()["status"] == "closed"
    assert patched.json()["note"] == [{"text": "customer replied"}]

    with pytest.raises(BssNotFoundError):
        await bss.record_interaction(**{**args, "customer_id": "cust-404", "idempotency_key": "x"})  # type: ignore[arg-type]
    raw = httpx.AsyncClient(  # what a careless client sends (past the conformance checks)
        transport=httpx.ASGITransport(app=bss_app),
        base_url="http://bss",  # type: ignore[arg-type]
    )
    bad = await raw.post(BASE, json={"reason": "r", "status": "s", "direction": "d"})
    assert bad.status_code == 400
    no_href = await raw.post(
        BASE,
        json={
            "interactionDate": {"startDateTime": "2026-11-26T09:30:00Z"},
            "reason": "r",
            "status": "completed",
            "direction": "outbound",
            "channel": [{"id": "sms"}],
        },
    )
    assert no_href.status_code == 400 and "href" in no_href.json()["reason"]
    await raw.aclose()
    for _ in range(100):  # the simulator's worker delivers hub events (at least once)
        if listener.of_type("PartyInteractionStatusChangeEvent"):
            break
        await asyncio.sleep(0.05)
    created = {
        e["event"]["partyInteraction"]["id"]
        for e in listener.of_type("PartyInteractionCreateEvent")
    }
    assert created == {first.id}
    changed = listener.of_type("PartyInteractionStatusChangeEvent")
    assert {e["event"]["partyInteraction"]["status"] for e in changed} == {"closed"}
    assert report.checked_responses >= 4
