"""Service requests the BSS runs as TMF701 process flows, with their task flows."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar, Literal

from pydantic import Field

from tools.bss.models.tmf import (
    FieldMap,
    TmfModel,
    at,
    characteristic_values,
    date_at,
    owner,
)

ServiceRequestKind = Literal[
    "sim_swap", "esim", "port_in", "device_activation", "broadband_installation"
]


class Task(TmfModel):
    """One TMF701 task flow of a process flow."""

    id: str
    name: str
    state: str

    tmf: ClassVar[FieldMap] = {
        "id": at("id"),
        "name": at("taskFlowSpecification", default=""),
        "state": at("state", default=""),
    }


class ServiceRequest(TmfModel):
    """A TMF701 process flow (SIM swap, eSIM, port-in, device activation, installation);
    its tasks come from a second read (`ServiceRequest.from_tmf(doc, tasks=[...])`)."""

    id: str
    kind: str
    state: str
    customer_id: str | None = None
    product_id: str | None = None
    created: datetime | None = None
    characteristics: dict[str, Any] = Field(default_factory=dict)
    tasks: list[Task] = Field(default_factory=list)

    tmf: ClassVar[FieldMap] = {
        "id": at("id"),
        "kind": at("processFlowSpecification", default=""),
        "state": at("state", default=""),
        "customer_id": owner,
        "product_id": at("relatedEntity", {"@referredType": "Product"}, "id"),
        "created": date_at("processFlowDate"),
        "characteristics": lambda d: characteristic_values(d, "characteristic"),
    }

    @property
    def is_open(self) -> bool:
        return self.state in {"active", "hold"}
