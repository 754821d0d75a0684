"""TMF678 customer bills and line items; TMF676-style payments (see ADR 0002)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from bss import billing
from bss.routes.common import get_resource, list_resources, write
from bss.shapes import API

bills = APIRouter(prefix=API["bill"], tags=["TMF678 customer bill"])
payments = APIRouter(prefix=API["payment"], tags=["TMF676 payment (extension)"])


@bills.get("/customerBill")
async def list_bills(request: Request) -> Response:
    return await list_resources(request, "customerBill")


@bills.get("/customerBill/{bid}")
async def get_bill(request: Request, bid: str) -> Response:
    return await get_resource(request, "customerBill", bid, "CustomerBill")


@bills.get("/appliedCustomerBillingRate")
async def list_rates(request: Request) -> Response:
    return await list_resources(request, "appliedCustomerBillingRate")


@bills.get("/appliedCustomerBillingRate/{rid}")
async def get_rate(request: Request, rid: str) -> Response:
    return await get_resource(
        request, "appliedCustomerBillingRate", rid, "AppliedCustomerBillingRate"
    )


@payments.post("/payment")
async def create_payment(request: Request) -> Response:
    return await write(request, billing.create_payment)


@payments.get("/payment")
async def list_payments(request: Request) -> Response:
    return await list_resources(request, "payment")


@payments.get("/payment/{pid}")
async def get_payment(request: Request, pid: str) -> Response:
    return await get_resource(request, "payment", pid, "Payment")
