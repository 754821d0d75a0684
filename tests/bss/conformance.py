"""Conformance checking against the official TMF v4 specs in ../shared/specs/tmf.

`ConformanceTransport` wraps any httpx transport: every request body is validated against the
matching `X_Create`/`X_Update` definition and every response body against `X` (or `Error`),
so every test that talks to the simulator through it is also a conformance test."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import httpx
import jsonschema

SPEC_DIR = Path(__file__).resolve().parents[2].parent / "shared" / "specs" / "tmf"
SPEC_FILES = {
    "TMF620": "TMF620-ProductCatalog-v4.1.0.swagger.json",
    "TMF621": "TMF621-TroubleTicket-v4.0.0.swagger.json",
    "TMF622": "TMF622-ProductOrdering-v4.0.0.swagger.json",
    "TMF629": "TMF629-CustomerManagement-v4.0.0.swagger.json",
    "TMF637": "TMF637-ProductInventory-v4.0.0.swagger.json",
    "TMF654": "TMF654-PrepayBalanceManagement-v4.0.0.swagger.json",
    "TMF678": "TMF678-CustomerBill-v4.0.0.swagger.json",
    "TMF681": "TMF681-CommunicationManagement-v4.0.0.swagger.json",
    "TMF701": "TMF701-ProcessFlow-v4.0.0.swagger.json",
    "TMF683": "TMF683-PartyInteraction-v4.0.0.swagger.json",
}
BASES = {
    "/tmf-api/customerManagement/v4": "TMF629",
    "/tmf-api/productInventory/v4": "TMF637",
    "/tmf-api/productCatalogManagement/v4": "TMF620",
    "/tmf-api/prepayBalanceManagement/v4": "TMF654",
    "/tmf-api/productOrderingManagement/v4": "TMF622",
    "/tmf-api/customerBillManagement/v4": "TMF678",
    "/tmf-api/troubleTicket/v4": "TMF621",
    "/tmf-api/processFlowManagement/v4": "TMF701",
    "/tmf-api/communicationManagement/v4": "TMF681",
    "/tmf-api/partyInteraction/v4": "TMF683",
}
# collection segment -> resource definition
RESOURCES = {
    "customer": "Customer",
    "product": "Product",
    "productOffering": "ProductOffering",
    "productOfferingPrice": "ProductOfferingPrice",
    "bucket": "Bucket",
    "accumulatedBalance": "AccumulatedBalance",
    "topupBalance": "TopupBalance",
    "productOrder": "ProductOrder",
    "cancelProductOrder": "CancelProductOrder",
    "customerBill": "CustomerBill",
    "appliedCustomerBillingRate": "AppliedCustomerBillingRate",
    "troubleTicket": "TroubleTicket",
    "processFlow": "ProcessFlow",
    "taskFlow": "TaskFlow",
    "communicationMessage": "CommunicationMessage",
    "partyInteraction": "PartyInteraction",
    "hub": "EventSubscription",
}
EVENT_SPECS = {
    "ProductOrder": "TMF622",
    "CancelProductOrder": "TMF622",
    "TroubleTicket": "TMF621",
    "ProcessFlow": "TMF701",
    "TaskFlow": "TMF701",
    "TopupBalance": "TMF654",
    "Product": "TMF637",
    "Customer": "TMF629",
    "PartyInteraction": "TMF683",
}


def specs_available() -> bool:
    return all((SPEC_DIR / f).exists() for f in SPEC_FILES.values())


@lru_cache(maxsize=16)
def definitions(api: str) -> dict[str, Any]:
    doc = json.loads((SPEC_DIR / SPEC_FILES[api]).read_text(encoding="utf-8"))
    defs: dict[str, Any] = doc["definitions"]
    return defs


@lru_cache(maxsize=256)
def _validator(api: str, definition: str) -> jsonschema.Draft4Validator:
    schema = {"$ref": f"#/definitions/{definition}", "definitions": definitions(api)}
    return jsonschema.Draft4Validator(schema)


def errors_for(api: str, definition: str, instance: Any) -> list[str]:
    if definition not in definitions(api):
        return [f"{api} has no definition {definition}"]
    validator = _validator(api, definition)
    return [
        f"{api}.{definition} at {'/'.join(map(str, e.absolute_path)) or '<root>'}: "
        f"{e.message[:200]}"
        for e in validator.iter_errors(instance)
    ]


def classify(method: str, path: str) -> tuple[str, str, str | None] | None:
    """(api, response definition, request definition) for a TMF path, or None."""
    for base, api in BASES.items():
        if not path.startswith(base):
            continue
        parts = [p for p in path[len(base) :].split("/") if p]
        if not parts:
            return None
        segment = parts[-1] if len(parts) in (1, 3) else parts[-2]
        if len(parts) >= 3 and parts[-2] == "taskFlow":
            segment = "taskFlow"
        elif len(parts) == 3 and parts[-1] == "taskFlow":
            segment = "taskFlow"
        resource = RESOURCES.get(segment)
        if resource is None:
            return None
        request = None
        if method == "POST":
            request = "EventSubscriptionInput" if segment == "hub" else f"{resource}_Create"
        elif method == "PATCH":
            request = f"{resource}_Update"
        return api, resource, request
    return None


@dataclass
class Report:
    checked_requests: int = 0
    checked_responses: int = 0
    endpoints: set[str] = field(default_factory=set)
    problems: list[str] = field(default_factory=list)
    unvalidated: set[str] = field(default_factory=set)


def _route(method: str, path: str) -> str:
    return (
        method
        + " "
        + re.sub(
            r"/(?!tmf-api)(?:[A-Za-z]+-[\w-]+|bill-[\w-]+|line-\d+|bkt-[\w-]+|acb-[\w-]+)"
            r"(?=/|$)",
            "/{id}",
            path,
        )
    )


class ConformanceTransport(httpx.AsyncBaseTransport):
    def __init__(self, inner: httpx.AsyncBaseTransport, report: Report) -> None:
        self.inner = inner
        self.report = report

    async def aclose(self) -> None:
        await self.inner.aclose()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        content = await request.aread()
        kind = classify(request.method, request.url.path)
        route = _route(request.method, request.url.path)
        if kind is None:
            self.report.unvalidated.add(route)
        elif kind[2] and content:
            self.report.checked_requests += 1
            self.report.problems += [
                f"request {route}: {p}" for p in errors_for(kind[0], kind[2], json.loads(content))
            ]
        response = await self.inner.handle_async_request(request)
        body = await response.aread()
        await response.aclose()  # hands the connection back to the pool
        if kind is not None and response.status_code != 204 and body:
            self.report.endpoints.add(route)
            payload = json.loads(body)
            self.report.checked_responses += 1
            definition = "Error" if response.status_code >= 400 else kind[1]
            items = payload if isinstance(payload, list) else [payload]
            for item in items:
                self.report.problems += [
                    f"response {route} {response.status_code}: {p}"
                    for p in errors_for(kind[0], definition, item)
                ]
        return httpx.Response(
            response.status_code, headers=response.headers, content=body, request=request
        )


def event_errors(event: dict[str, Any]) -> list[str]:
    """Validate a delivered event envelope against its `<Resource><Kind>Event` definition."""
    event_type = str(event.get("eventType", ""))
    match = re.match(
        r"^([A-Z][a-zA-Z]*?)(Create|StateChange|StatusChange|AttributeValueChange|"
        r"Resolved|Delete|InformationRequired|Cancel|Failure)Event$",
        event_type,
    )
    if match is None or match.group(1) not in EVENT_SPECS:
        return [f"unknown event type {event_type}"]
    return errors_for(EVENT_SPECS[match.group(1)], event_type, event)
