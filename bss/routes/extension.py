"""Brightwave extensions that are not TMF APIs: coverage and outages by postcode, and the
simulator's own controls (fast-forward the clock). Documented in docs/bss.md."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from bss.errors import bad_request, not_found
from bss.routes.common import json_body, sim

Doc = dict[str, Any]
router = APIRouter(prefix="/ext/v1", tags=["Operator extensions (coverage, outages)"])


async def _outage_times(request: Request) -> dict[str, tuple[str, str]]:
    """Each outage's start and expected fix, as seeded (relative to the seed's clock)."""
    times: dict[str, tuple[str, str]] = {}
    async with sim(request).reading() as ctx:
        for outage in ctx.world.outages:
            ticket = await ctx.repo.get("troubleTicket", outage.id) or {}
            times[outage.id] = (
                str(ticket.get("creationDate", "")),
                str(ticket.get("expectedResolutionDate", "")),
            )
    return times


@router.get("/coverage")
async def coverage(request: Request, postcode: str) -> Response:
    world = sim(request).world
    area = world.area(postcode)
    if area is None:
        raise not_found("CoverageArea", postcode)
    district = postcode.strip().upper().split(" ")[0]
    times = await _outage_times(request)
    outages = [
        {
            "id": o.id,
            "title": o.title,
            "service": o.service,
            "districts": o.districts,
            "since": times[o.id][0],
            "expectedFix": times[o.id][1],
            "affectsPostcode": district in o.districts,
        }
        for o in world.outages
        if o.area == area.area
    ]
    return JSONResponse(
        {
            "postcode": postcode.strip().upper(),
            "area": area.area,
            "place": area.place,
            "mobile": area.mobile,
            "fibre": area.fibre,
            "outages": outages,
        }
    )


@router.get("/outage")
async def outages(request: Request) -> Response:
    world = sim(request).world
    times = await _outage_times(request)
    return JSONResponse(
        [
            {
                "id": o.id,
                "area": o.area,
                "title": o.title,
                "service": o.service,
                "districts": o.districts,
                "since": times[o.id][0],
                "expectedFix": times[o.id][1],
            }
            for o in world.outages
        ]
    )


@router.post("/simulator/advance")
async def advance(request: Request) -> Response:
    """Fast-forward the simulated clock by `seconds` and take every transition now due."""
    _, body = await json_body(request)
    seconds = body.get("seconds")
    if not isinstance(seconds, int | float) or seconds < 0:
        raise bad_request("seconds must be a non-negative number")
    taken = await sim(request).advance(float(seconds))
    return JSONResponse({"advancedSeconds": seconds, "transitions": taken})


@router.post("/simulator/reset")
async def reset(request: Request) -> Response:
    """Drop every change and seed the demo world again (demo mode only)."""
    simulator = sim(request)
    if not simulator.allow_reset:
        raise not_found("Operation", "reset")
    await simulator.reset()
    return JSONResponse({"reset": True})
