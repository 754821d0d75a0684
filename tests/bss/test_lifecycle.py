"""Orders, tickets and process flows move through the TMF state machines on the clock,
emitting an event at every transition to a registered listener (redelivered after failure)."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from tests.bss.conformance import event_errors, specs_available
from tests.bss.fixtures import Listener

pytestmark = pytest.mark.dated  # the demo world seeded at the clock's today

ORDERING = "/tmf-api/productOrderingManagement/v4"
TICKET = "/tmf-api/troubleTicket/v4"
FLOW = "/tmf-api/processFlowManagement/v4"
BALANCE = "/tmf-api/prepayBalanceManagement/v4"
INVENTORY = "/tmf-api/productInventory/v4"
ALICE = [{"id": "cust-001", "role": "customer", "@referredType": "Customer"}]


async def advance(http: httpx.AsyncClient, seconds: float) -> None:
    response = await http.post("/ext/v1/simulator/advance", json={"seconds": seconds})
    response.raise_for_status()


async def subscribe(http: httpx.AsyncClient, base: str) -> str:
    response = await http.post(f"{base}/hub", json={"callback": "http://listener.test/tmf"})
    assert response.status_code == 201
    return str(response.json()["id"])


async def events_of(listener: Listener, event_type: str, count: int) -> list[dict[str, Any]]:
    for _ in range(250):
        found = listener.of_type(event_type)
        if len(found) >= count:
            return found
        await asyncio.sleep(0.02)
    raise AssertionError(f"only {len(listener.of_type(event_type))} {event_type} delivered")


def check_events(listener: Listener) -> None:
    if specs_available():
        problems = [
            p
            for e in listener.events
            for p in event_errors({k: v for k, v in e.items() if k != "_listener"})
        ]
        assert not problems, problems[:5]
    for event in listener.events:
        assert event["_listener"] == event["eventType"][0].lower() + event["eventType"][1:]


async def credit(http: httpx.AsyncClient) -> float:
    bucket = await http.get(f"{BALANCE}/bucket/bkt-line-900001-credit")
    return float(bucket.json()["remainingValue"]["amount"])


def addon_order(offering: str = "data-1gb") -> dict[str, Any]:
    return {
        "relatedParty": ALICE,
        "productOrderItem": [
            {
                "id": "1",
                "action": "add",
                "productOffering": {"id": offering},
                "product": {
                    "productRelationship": [
                        {"relationshipType": "addOnTo", "product": {"id": "line-900001"}}
                    ]
                },
            }
        ],
    }


async def test_order_acknowledged_in_progress_completed_with_events(
    slow_http: httpx.AsyncClient, listener: Listener
) -> None:
    await subscribe(slow_http, ORDERING)
    before = await credit(slow_http)
    created = await slow_http.post(f"{ORDERING}/productOrder", json=addon_order())
    order = created.json()
    assert created.status_code == 201 and order["state"] == "acknowledged"
    assert await credit(slow_http) == before - 3  # prepaid: charged at acceptance
    await advance(slow_http, 30)
    order = (await slow_http.get(f"{ORDERING}/productOrder/{order['id']}")).json()
    assert order["state"] == "inProgress"
    assert order["productOrderItem"][0]["state"] == "inProgress"
    await advance(slow_http, 120)
    order = (await slow_http.get(f"{ORDERING}/productOrder/{order['id']}")).json()
    assert order["state"] == "completed" and order["completionDate"]
    addons = (
        await slow_http.get(
            f"{INVENTORY}/product",
            params={"relatedParty.id": "cust-001", "productOffering.id": "data-1gb"},
        )
    ).json()
    assert [a["status"] for a in addons] == ["active"]
    changes = await events_of(listener, "ProductOrderStateChangeEvent", 2)
    assert [e["event"]["productOrder"]["state"] for e in changes] == ["inProgress", "completed"]
    assert len(listener.of_type("ProductOrderCreateEvent")) == 1
    check_events(listener)


async def test_order_cancellation_refunds_and_ends_cancelled(
    slow_http: httpx.AsyncClient, listener: Listener
) -> None:
    await subscribe(slow_http, ORDERING)
    before = await credit(slow_http)
    order = (await slow_http.post(f"{ORDERING}/productOrder", json=addon_order())).json()
    cancel = await slow_http.post(
        f"{ORDERING}/cancelProductOrder",
        json={"productOrder": {"id": order["id"]}, "cancellationReason": "Changed my mind"},
    )
    assert cancel.status_code == 201 and cancel.json()["state"] == "acknowledged"
    state = (await slow_http.get(f"{ORDERING}/productOrder/{order['id']}")).json()["state"]
    assert state == "assessingCancellation"
    await advance(slow_http, 10)
    assert (await slow_http.get(f"{ORDERING}/productOrder/{order['id']}")).json()[
        "state"
    ] == "pendingCancellation"
    await advance(slow_http, 10)
    assert (await slow_http.get(f"{ORDERING}/productOrder/{order['id']}")).json()[
        "state"
    ] == "cancelled"
    done = await slow_http.get(f"{ORDERING}/cancelProductOrder/{cancel.json()['id']}")
    assert done.json()["state"] == "done"
    assert await credit(slow_http) == before
    again = await slow_http.post(
        f"{ORDERING}/cancelProductOrder", json={"productOrder": {"id": order["id"]}}
    )
    assert again.status_code == 409 and again.json()["code"] == "ORDER_NOT_CANCELLABLE"
    states = [
        e["event"]["productOrder"]["state"]
        for e in await events_of(listener, "ProductOrderStateChangeEvent", 3)
    ]
    assert states == ["assessingCancellation", "pendingCancellation", "cancelled"]
    assert [
        e["event"]["cancelProductOrder"]["state"]
        for e in await events_of(listener, "CancelProductOrderStateChangeEvent", 2)
    ] == ["inProgress", "done"]
    check_events(listener)


async def test_ticket_lifecycle_resolved_closed_and_reopened(
    slow_http: httpx.AsyncClient, listener: Listener
) -> None:
    await subscribe(slow_http, TICKET)
    body = {
        "description": "No signal at home since Monday",
        "severity": "Major",
        "ticketType": "fault",
        "relatedParty": ALICE,
        "relatedEntity": [
            {"id": "line-900001", "role": "affectedProduct", "@referredType": "Product"}
        ],
    }
    ticket = (await slow_http.post(f"{TICKET}/troubleTicket", json=body)).json()
    assert ticket["status"] == "acknowledged"
    url = f"{TICKET}/troubleTicket/{ticket['id']}"
    early = await slow_http.patch(url, json={"status": "closed"})
    assert early.status_code == 409 and early.json()["code"] == "INVALID_STATE_TRANSITION"
    await advance(slow_http, 60)
    assert (await slow_http.get(url)).json()["status"] == "inProgress"
    await advance(slow_http, 4 * 3600)
    resolved = (await slow_http.get(url)).json()
    assert resolved["status"] == "resolved" and resolved["resolutionDate"]
    reopened = await slow_http.patch(
        url, json={"status": "inProgress", "statusChangeReason": "Still no signal"}
    )
    assert reopened.json()["status"] == "inProgress"
    await advance(slow_http, 4 * 3600)
    closed = await slow_http.patch(
        url, json={"status": "closed", "statusChangeReason": "Customer confirmed fix"}
    )
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    history = [c["status"] for c in closed.json()["statusChange"]]
    assert history == ["acknowledged", "inProgress", "resolved", "inProgress", "resolved", "closed"]
    statuses = [
        e["event"]["troubleTicket"]["status"]
        for e in await events_of(listener, "TroubleTicketStatusChangeEvent", 5)
    ]
    assert statuses == ["inProgress", "resolved", "inProgress", "resolved", "closed"]
    assert len(await events_of(listener, "TroubleTicketResolvedEvent", 2)) == 2
    check_events(listener)


async def test_process_flow_runs_its_tasks_then_completes(
    slow_http: httpx.AsyncClient, listener: Listener
) -> None:
    await subscribe(slow_http, FLOW)
    line = (await slow_http.get(f"{INVENTORY}/product/line-900014")).json()
    old_iccid = next(c["value"] for c in line["productCharacteristic"] if c["name"] == "iccid")
    body = {
        "processFlowSpecification": "sim_swap",
        "relatedParty": [{"id": "cust-014", "@referredType": "Customer"}],
        "relatedEntity": [{"id": "line-900014", "role": "line", "@referredType": "Product"}],
    }
    flow = (await slow_http.post(f"{FLOW}/processFlow", json=body)).json()
    assert flow["state"] == "active" and len(flow["taskFlow"]) == 3
    tasks_url = f"{FLOW}/processFlow/{flow['id']}/taskFlow"

    async def states() -> list[str]:
        return [t["state"] for t in (await slow_http.get(tasks_url)).json()]

    assert await states() == ["active", "new", "new"]
    await advance(slow_http, 60)
    assert await states() == ["completed", "active", "new"]
    await advance(slow_http, 3600)
    assert await states() == ["completed", "completed", "active"]
    await advance(slow_http, 600)
    assert (await slow_http.get(f"{FLOW}/processFlow/{flow['id']}")).json()["state"] == "completed"
    line = (await slow_http.get(f"{INVENTORY}/product/line-900014")).json()
    assert (
        next(c["value"] for c in line["productCharacteristic"] if c["name"] == "iccid") != old_iccid
    )
    assert len(await events_of(listener, "TaskFlowStateChangeEvent", 6)) == 6
    final = await events_of(listener, "ProcessFlowStateChangeEvent", 1)
    assert final[0]["event"]["processFlow"]["state"] == "completed"
    check_events(listener)


async def test_process_flow_cancelled_by_the_customer(slow_http: httpx.AsyncClient) -> None:
    body = {
        "processFlowSpecification": "esim",
        "relatedParty": [{"id": "cust-013", "@referredType": "Customer"}],
        "relatedEntity": [{"id": "line-900013", "role": "line", "@referredType": "Product"}],
    }
    flow = (await slow_http.post(f"{FLOW}/processFlow", json=body)).json()
    task = flow["taskFlow"][0]["id"]
    cancelled = await slow_http.patch(
        f"{FLOW}/processFlow/{flow['id']}/taskFlow/{task}", json={"state": "cancelled"}
    )
    assert cancelled.status_code == 200 and cancelled.json()["state"] == "cancelled"
    assert (await slow_http.get(f"{FLOW}/processFlow/{flow['id']}")).json()["state"] == "cancelled"
    await advance(slow_http, 10_000)
    assert (await slow_http.get(f"{FLOW}/processFlow/{flow['id']}")).json()["state"] == "cancelled"


async def test_events_are_redelivered_after_the_listener_failed_once(
    slow_http: httpx.AsyncClient, listener: Listener
) -> None:
    await subscribe(slow_http, BALANCE)
    listener.fail_next = 1
    body = {
        "amount": {"amount": 5, "units": "GBP"},
        "usageType": "monetary",
        "bucket": {"id": "bkt-line-900001-credit"},
        "partyAccount": {"id": "acc-001"},
    }
    topup = await slow_http.post(f"{BALANCE}/topupBalance", json=body)
    assert topup.status_code == 201
    delivered = await events_of(listener, "TopupBalanceCreateEvent", 1)
    assert delivered[0]["event"]["topupBalance"]["id"] == topup.json()["id"]
    assert listener.attempts == 2  # one refused, one acknowledged
    check_events(listener)


async def test_unsubscribed_listener_gets_nothing(
    slow_http: httpx.AsyncClient, listener: Listener
) -> None:
    sid = await subscribe(slow_http, ORDERING)
    assert (await slow_http.delete(f"{ORDERING}/hub/{sid}")).status_code == 204
    assert (await slow_http.delete(f"{ORDERING}/hub/{sid}")).status_code == 404
    await slow_http.post(f"{ORDERING}/productOrder", json=addon_order())
    await advance(slow_http, 500)
    await asyncio.sleep(0.1)
    assert listener.events == []
