"""Every endpoint the client uses, walked once: responses validate against the official TMF
schemas and request bodies against `_Create`/`_Update` (checked by the transport)."""

from __future__ import annotations

from decimal import Decimal

import httpx
import pytest

from tests.bss.conformance import Report, classify, specs_available
from tools.bss.client import BssClient
from tools.bss.errors import BssBusinessError
from tools.bss.models import LineFeatures

pytestmark = pytest.mark.skipif(
    not specs_available(), reason="TMF specs not found at ../shared/specs/tmf"
)

COLLECTIONS = [
    "/tmf-api/customerManagement/v4/customer",
    "/tmf-api/productInventory/v4/product",
    "/tmf-api/productCatalogManagement/v4/productOffering",
    "/tmf-api/productCatalogManagement/v4/productOfferingPrice",
    "/tmf-api/prepayBalanceManagement/v4/bucket",
    "/tmf-api/prepayBalanceManagement/v4/accumulatedBalance",
    "/tmf-api/prepayBalanceManagement/v4/topupBalance",
    "/tmf-api/productOrderingManagement/v4/productOrder",
    "/tmf-api/productOrderingManagement/v4/cancelProductOrder",
    "/tmf-api/customerBillManagement/v4/customerBill",
    "/tmf-api/customerBillManagement/v4/appliedCustomerBillingRate",
    "/tmf-api/troubleTicket/v4/troubleTicket",
    "/tmf-api/processFlowManagement/v4/processFlow",
    "/tmf-api/communicationManagement/v4/communicationMessage",
]


async def test_every_collection_and_item_validates(http: httpx.AsyncClient, report: Report) -> None:
    for path in COLLECTIONS:
        listing = await http.get(path)
        assert listing.status_code == 200, path
        assert listing.headers["X-Total-Count"] == str(len(listing.json()))
        for item in listing.json()[:5]:
            assert (await http.get(f"{path}/{item['id']}")).status_code == 200
    flows = (await http.get(COLLECTIONS[12])).json()
    tasks = await http.get(f"{COLLECTIONS[12]}/{flows[0]['id']}/taskFlow")
    assert (
        await http.get(f"{COLLECTIONS[12]}/{flows[0]['id']}/taskFlow/{tasks.json()[0]['id']}")
    ).status_code == 200
    assert report.checked_responses > 40


async def test_unknown_ids_answer_tmf_errors(http: httpx.AsyncClient, report: Report) -> None:
    for path in COLLECTIONS:
        if path.endswith("accumulatedBalance"):
            continue
        response = await http.get(f"{path}/does-not-exist")
        assert response.status_code == 404
        assert response.json()["code"] == "NOT_FOUND"
    assert report.checked_responses >= len(COLLECTIONS) - 1


async def test_every_client_write_validates(http: httpx.AsyncClient, report: Report) -> None:
    """The client's write bodies are checked against `_Create`/`_Update` by the transport."""
    bss = BssClient(http)
    alice, line = "cust-001", "line-900001"
    await bss.top_up(customer_id=alice, product_id=line, amount=Decimal(50), idempotency_key="w1")
    await bss.buy_addon(
        customer_id=alice, product_id=line, offering_id="data-1gb", idempotency_key="w2"
    )
    await bss.renew_plan(customer_id=alice, product_id=line, idempotency_key="w3")
    await bss.change_plan(
        customer_id=alice, product_id=line, offering_id="bundle-20", idempotency_key="w4"
    )
    await bss.set_line_features(
        customer_id="cust-003",
        product_id="line-900003",
        features=LineFeatures(
            roaming=False,
            call_waiting=False,
            call_forwarding="+447700900111",
            spending_cap=Decimal(30),
        ),
        idempotency_key="w5",
    )
    await bss.set_autopay(customer_id="cust-003", enabled=True, day=3, idempotency_key="w6")
    await bss.block_line(customer_id="cust-002", product_id="line-900002", idempotency_key="w7")
    ticket = await bss.open_ticket(
        customer_id="cust-003",
        ticket_type="billingDispute",
        description="Out-of-bundle data charge looks wrong",
        bill_id=(await bss.list_bills(customer_id="cust-003"))[0].id,
        disputed_amount=Decimal("6.40"),
        idempotency_key="w8",
    )
    await bss.update_ticket(
        customer_id="cust-003", ticket_id=ticket.id, note="Called twice", idempotency_key="w9"
    )
    request = await bss.start_service_request(
        customer_id="cust-013", kind="esim", product_id="line-900013", idempotency_key="w10"
    )
    assert request.state in ("active", "completed")
    await bss.start_service_request(
        customer_id="cust-012",
        kind="port_in",
        details={"pacCode": "ABC123456", "portingMsisdn": "+447700900555"},
        idempotency_key="w11",
    )
    flow = await bss.start_service_request(
        customer_id="cust-014", kind="sim_swap", product_id="line-900014", idempotency_key="w12"
    )
    try:
        await bss.cancel_service_request(
            customer_id="cust-014", request_id=flow.id, idempotency_key="w13"
        )
    except BssBusinessError as exc:  # already completed on the instant clock
        assert exc.code == "INVALID_STATE_TRANSITION"
    await bss.register_listener(api="ordering", callback="http://listener.test/tmf")
    await bss.send_message(
        customer_id="cust-001",
        content="Your order is complete",
        idempotency_key="w14",
        msisdn="+447700900001",
    )
    writes = {e.split(" ")[0] for e in report.endpoints} & {"POST", "PATCH"}
    assert writes == {"POST", "PATCH"}
    assert report.checked_requests >= 14


def test_classify_maps_paths_to_definitions() -> None:
    assert classify("POST", "/tmf-api/productOrderingManagement/v4/productOrder") == (
        "TMF622",
        "ProductOrder",
        "ProductOrder_Create",
    )
    assert classify("PATCH", "/tmf-api/processFlowManagement/v4/processFlow/PF-1/taskFlow/T1") == (
        "TMF701",
        "TaskFlow",
        "TaskFlow_Update",
    )
    assert classify("GET", "/ext/v1/coverage") is None
