"""The open cases the demo world starts with: network outages, customers' trouble tickets,
handset orders waiting on the courier, and service requests part-way through."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from bss.clock import iso
from bss.context import Ctx
from bss.flows import flow_doc
from bss.shapes import characteristic, href, party, price, ref

Doc = dict[str, Any]


async def seed_outages(ctx: Ctx, now: datetime) -> None:
    """The world's network outages, as open networkOutage tickets."""
    for outage in ctx.world.outages:
        since = iso(now - timedelta(hours=outage.since_hours_ago))
        fix = iso(now + timedelta(hours=outage.fixed_in_hours))
        await ctx.repo.put(
            "troubleTicket",
            {
                "id": outage.id,
                "href": href("troubleTicket", outage.id),
                "@type": "TroubleTicket",
                "name": outage.title,
                "ticketType": "networkOutage",
                "severity": "Major",
                "priority": "High",
                "status": "inProgress",
                "creationDate": since,
                "lastUpdate": since,
                "expectedResolutionDate": fix,
                "description": f"{outage.title} in {', '.join(outage.districts)}",
                "statusChange": [{"status": "inProgress", "changeDate": since}],
            },
        )


async def seed_ticket(ctx: Ctx, cid: str, t: Doc, now: datetime) -> None:
    opened = now - timedelta(days=float(t.get("opened_days_ago", 1)))
    doc: Doc = {
        "id": t["id"],
        "href": href("troubleTicket", t["id"]),
        "@type": "TroubleTicket",
        "name": t["name"],
        "description": t["description"],
        "ticketType": t["type"],
        "severity": t["severity"],
        "priority": t["priority"],
        "status": t["status"],
        "creationDate": iso(opened),
        "lastUpdate": iso(opened + timedelta(hours=2)),
        "expectedResolutionDate": iso(now + timedelta(days=2)),
        "statusChange": [
            {"status": "acknowledged", "changeDate": iso(opened)},
            {"status": t["status"], "changeDate": iso(opened + timedelta(hours=2))},
        ],
        "relatedParty": [party(cid)],
        "relatedEntity": [
            {
                "id": t["product"],
                "href": href("product", t["product"]),
                "role": "affectedProduct",
                "@referredType": "Product",
            }
        ],
    }
    await ctx.repo.put("troubleTicket", doc, customer_id=cid)


async def seed_order(ctx: Ctx, cid: str, o: Doc, now: datetime) -> None:
    opened = now - timedelta(days=float(o.get("opened_days_ago", 1)))
    device = ctx.world.device(o["offering"])
    assert device is not None
    doc: Doc = {
        "id": o["id"],
        "href": href("productOrder", o["id"]),
        "@type": "ProductOrder",
        "state": o["state"],
        "orderDate": iso(opened),
        "category": "device",
        "description": f"New handset: {device.name}",
        "expectedCompletionDate": iso(now + timedelta(days=2)),
        "relatedParty": [party(cid)],
        "note": [{"text": o["note"], "date": iso(opened)}],
        "orderTotalPrice": [{"priceType": "oneTime", "price": price(device.price)}],
        "productOrderItem": [
            {
                "id": "1",
                "action": "add",
                "state": o["state"],
                "productOffering": ref("productOffering", device.id, name=device.name),
                "product": {
                    "productRelationship": [
                        {"relationshipType": "usedBy", "product": {"id": o["product"]}}
                    ]
                },
            }
        ],
        "_kind": "default",
        "_charges": [],
    }
    await ctx.repo.put("productOrder", doc, customer_id=cid)  # no timer: waits on the courier


def _appointment(now: datetime, sr: Doc) -> str:
    """An installation slot `appointment_in_days` after the seed's day, at `appointment_time`."""
    hour, minute = (int(part) for part in str(sr.get("appointment_time", "08:00")).split(":"))
    day = now.date() + timedelta(days=int(sr["appointment_in_days"]))
    return iso(datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC))


async def seed_flow(ctx: Ctx, customer: Doc, sr: Doc, now: datetime) -> None:
    cid = customer["id"]
    opened = now - timedelta(
        hours=float(sr.get("opened_hours_ago", 0)), days=float(sr.get("opened_days_ago", 0))
    )
    chars: list[Doc] = []
    entities: list[Doc] = []
    if sr.get("product"):
        entities.append(
            {
                "id": sr["product"],
                "href": href("product", sr["product"]),
                "role": "line",
                "@referredType": "Product",
            }
        )
    if sr["kind"] == "broadband_installation":
        postcode = next(
            c["characteristic"]["postCode"]
            for c in customer["contactMedium"]
            if c["mediumType"] == "postalAddress"
        )
        chars = [
            characteristic("offering", sr["offering"]),
            characteristic("postcode", postcode),
            characteristic("appointment", _appointment(now, sr)),
        ]
    doc = flow_doc(
        flow_id=sr["id"],
        spec=sr["kind"],
        customer_id=cid,
        when=opened,
        chars=chars,
        entities=entities,
    )
    # seeded requests are mid-way and wait on the outside world (no timer)
    done = 1 if sr["kind"] == "esim" else 2
    for i, task in enumerate(doc["_tasks"]):
        task["state"] = "completed" if i < done else ("active" if i == done else "new")
    await ctx.repo.put("processFlow", doc, customer_id=cid)
