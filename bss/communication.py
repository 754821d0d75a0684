"""TMF681 communication messages: the simulator "sends" them (state `initial → inProgress →
completed`) and keeps them inspectable; v4 defines no events for them."""

from __future__ import annotations

from typing import Any

from bss.clock import iso
from bss.context import Ctx
from bss.errors import bad_request

Doc = dict[str, Any]


async def create_message(ctx: Ctx, body: Doc) -> Doc:
    for key in ("content", "messageType", "sender", "receiver"):
        if not body.get(key):
            raise bad_request(f"{key} is required")
    number = await ctx.repo.next_number("communicationMessage")
    mid = f"MSG-{8100 + number}"
    doc: Doc = {k: v for k, v in body.items() if k not in ("state", "sendTime", "sendTimeComplete")}
    doc.update(
        {
            "id": mid,
            "href": f"/tmf-api/communicationManagement/v4/communicationMessage/{mid}",
            "@type": "CommunicationMessage",
            "state": "initial",
        }
    )
    customer = next(
        (r.get("party", {}).get("id") for r in body["receiver"] if r.get("party")), None
    ) or next(
        (r.get("id") for r in body["receiver"] if str(r.get("id", "")).startswith("cust-")), None
    )
    await ctx.repo.put(
        "communicationMessage", doc, customer_id=customer, due_at=ctx.clock.due_after(1)
    )
    return doc


async def step_message(ctx: Ctx, doc: Doc) -> None:
    if doc["state"] == "initial":
        doc["state"] = "inProgress"
        doc["sendTime"] = iso()
        await ctx.repo.save("communicationMessage", doc, due_at=ctx.clock.due_after(2))
    else:
        doc["state"] = "completed"
        doc["sendTimeComplete"] = iso()
        await ctx.repo.save("communicationMessage", doc, due_at=None)
