"""TMF621 trouble tickets, TMF701 process flows, TMF681 communication messages and TMF683 party
interactions."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from bss import communication, flows, interactions, tickets
from bss.context import Ctx
from bss.errors import bad_request, not_found
from bss.order_rules import customer_of
from bss.routes.common import get_resource, list_resources, sim, write
from bss.shapes import API

Doc = dict[str, Any]
ticket_router = APIRouter(prefix=API["ticket"], tags=["TMF621 trouble ticket"])
flow_router = APIRouter(prefix=API["processFlow"], tags=["TMF701 process flow"])
message_router = APIRouter(prefix=API["communication"], tags=["TMF681 communication"])


def _optional_customer(body: Doc) -> str | None:
    try:
        return customer_of(body)
    except Exception:
        return None


@ticket_router.post("/troubleTicket")
async def create_ticket(request: Request) -> Response:
    async def handler(ctx: Ctx, body: Doc) -> Doc:
        return await tickets.create_ticket(ctx, body, _optional_customer(body))

    return await write(request, handler)


@ticket_router.get("/troubleTicket")
async def list_tickets(request: Request) -> Response:
    return await list_resources(request, "troubleTicket")


@ticket_router.get("/troubleTicket/{tid}")
async def get_ticket(request: Request, tid: str) -> Response:
    return await get_resource(request, "troubleTicket", tid, "TroubleTicket")


@ticket_router.patch("/troubleTicket/{tid}")
async def patch_ticket(request: Request, tid: str) -> Response:
    async def handler(ctx: Ctx, body: Doc) -> Doc:
        return await tickets.update_ticket(ctx, tid, body, None)

    return await write(request, handler, status=200)


@flow_router.post("/processFlow")
async def create_flow(request: Request) -> Response:
    async def handler(ctx: Ctx, body: Doc) -> Doc:
        customer_id = _optional_customer(body)
        if customer_id is None:
            raise bad_request("relatedParty must name the Customer the request is for")
        customer = await ctx.repo.get("customer", customer_id)
        if customer is None:
            raise not_found("Customer", customer_id)
        return await flows.create_flow(ctx, body, customer)

    return await write(request, handler)


@flow_router.get("/processFlow")
async def list_flows(request: Request) -> Response:
    return await list_resources(request, "processFlow")


@flow_router.get("/processFlow/{fid}")
async def get_flow(request: Request, fid: str) -> Response:
    return await get_resource(request, "processFlow", fid, "ProcessFlow")


@flow_router.get("/processFlow/{fid}/taskFlow")
async def list_tasks(request: Request, fid: str) -> Response:
    async with sim(request).reading() as ctx:
        doc = await ctx.repo.get("processFlow", fid)
    if doc is None:
        raise not_found("ProcessFlow", fid)
    tasks = [dict(t) for t in doc.get("_tasks", [])]
    return JSONResponse(
        tasks, headers={"X-Total-Count": str(len(tasks)), "X-Result-Count": str(len(tasks))}
    )


@flow_router.get("/processFlow/{fid}/taskFlow/{tid}")
async def get_task(request: Request, fid: str, tid: str) -> Response:
    async with sim(request).reading() as ctx:
        doc = await ctx.repo.get("processFlow", fid)
    task = flows.public_task(doc, tid) if doc else None
    if task is None:
        raise not_found("TaskFlow", tid)
    return JSONResponse(task)


@flow_router.patch("/processFlow/{fid}/taskFlow/{tid}")
async def patch_task(request: Request, fid: str, tid: str) -> Response:
    async def handler(ctx: Ctx, body: Doc) -> Doc:
        return await flows.update_task(ctx, fid, tid, body, None)

    return await write(request, handler, status=200)


@message_router.post("/communicationMessage")
async def create_message(request: Request) -> Response:
    return await write(request, communication.create_message)


@message_router.get("/communicationMessage")
async def list_messages(request: Request) -> Response:
    return await list_resources(request, "communicationMessage")


@message_router.get("/communicationMessage/{mid}")
async def get_message(request: Request, mid: str) -> Response:
    return await get_resource(request, "communicationMessage", mid, "CommunicationMessage")


interaction_router = APIRouter(prefix=API["partyInteraction"], tags=["TMF683 party interaction"])


@interaction_router.post("/partyInteraction")
async def create_interaction(request: Request) -> Response:
    return await write(request, interactions.create_interaction)


@interaction_router.get("/partyInteraction")
async def list_interactions(request: Request) -> Response:
    return await list_resources(request, "partyInteraction")


@interaction_router.get("/partyInteraction/{iid}")
async def get_interaction(request: Request, iid: str) -> Response:
    return await get_resource(request, "partyInteraction", iid, "PartyInteraction")


@interaction_router.patch("/partyInteraction/{iid}")
async def patch_interaction(request: Request, iid: str) -> Response:
    async def handler(ctx: Ctx, body: Doc) -> Doc:
        return await interactions.update_interaction(ctx, iid, body)

    return await write(request, handler, status=200)
