"""Service requests as process flows (TMF701)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

from tools.bss.errors import (
    BssBusinessError,
)
from tools.bss.inventory import ProductApi
from tools.bss.models import ServiceRequest, Task
from tools.bss.transport import (
    FLOW,
    Doc,
    _party,
)


class ServiceRequestApi(ProductApi):
    """Service requests, run by the BSS as process flows (TMF701)."""

    async def start_service_request(
        self,
        *,
        customer_id: str,
        kind: Literal["sim_swap", "esim", "port_in", "device_activation", "broadband_installation"],
        idempotency_key: str,
        product_id: str | None = None,
        details: Mapping[str, str | int | bool] | None = None,
        channel: str | None = None,
    ) -> ServiceRequest:
        """Start a process flow. Details: port_in needs `pacCode` and `portingMsisdn`;
        device_activation `imei`; broadband_installation `postcode` and `offering`."""
        body: Doc = {
            "processFlowSpecification": kind,
            "relatedParty": _party(customer_id),
            "characteristic": [{"name": k, "value": v} for k, v in (details or {}).items()],
        }
        if product_id:
            await self.get_product(customer_id=customer_id, product_id=product_id)
            body["relatedEntity"] = [{"id": product_id, "role": "line", "@referredType": "Product"}]
        if channel:
            body["channel"] = [{"id": channel, "name": channel}]
        doc = await self._call(
            "POST", f"{FLOW}/processFlow", json=body, idempotency_key=idempotency_key
        )
        return await self.get_service_request(customer_id=customer_id, request_id=doc["id"])

    async def get_service_request(self, *, customer_id: str, request_id: str) -> ServiceRequest:
        doc = await self._call("GET", f"{FLOW}/processFlow/{request_id}")
        owner = ServiceRequest.from_tmf(doc).customer_id
        self._own(owner, customer_id, "ProcessFlow", request_id)
        tasks = await self._list(f"{FLOW}/processFlow/{request_id}/taskFlow")
        return ServiceRequest.from_tmf(doc, tasks=[Task.from_tmf(t) for t in tasks])

    async def list_service_requests(
        self, *, customer_id: str, open_only: bool = False
    ) -> list[ServiceRequest]:
        requests = await self._list_owned(
            ServiceRequest, f"{FLOW}/processFlow", customer_id=customer_id
        )
        return [
            await self.get_service_request(customer_id=customer_id, request_id=request.id)
            for request in requests
            if request.is_open or not open_only
        ]

    async def cancel_service_request(
        self, *, customer_id: str, request_id: str, idempotency_key: str
    ) -> ServiceRequest:
        request = await self.get_service_request(customer_id=customer_id, request_id=request_id)
        task = next((t for t in request.tasks if t.state in ("new", "active")), None)
        if task is None:
            raise BssBusinessError(
                "INVALID_STATE_TRANSITION", f"{request_id} is already {request.state}", status=409
            )
        await self._call(
            "PATCH",
            f"{FLOW}/processFlow/{request_id}/taskFlow/{task.id}",
            json={"state": "cancelled"},
            idempotency_key=idempotency_key,
        )
        return await self.get_service_request(customer_id=customer_id, request_id=request_id)
