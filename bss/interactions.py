"""TMF683 party interactions: the operator's record of each contact with a customer (a
conversation, a notice). Created `ongoing` or `completed`; a client moves the status, adds notes
and interaction items by PATCH. Events: create, status change, attribute value change."""

from __future__ import annotations

from typing import Any

from bss.clock import iso
from bss.context import Ctx
from bss.errors import bad_request, not_found
from bss.events import emit
from bss.shapes import href

Doc = dict[str, Any]
REQUIRED = ("interactionDate", "reason", "status", "direction", "channel")


def _customer(doc: Doc) -> str | None:
    for party in doc.get("relatedParty") or []:
        if isinstance(party, dict) and party.get("@referredType") == "Customer":
            return str(party.get("id"))
    return None


def _check_refs(body: Doc) -> None:
    """TMF683's own reference rules: a RelatedChannel needs id and href; a RelatedParty id,
    href and @referredType."""
    channels = body.get("channel")
    if not isinstance(channels, list) or not channels:
        raise bad_request("channel must be a non-empty list of RelatedChannel")
    for channel in channels:
        if not isinstance(channel, dict) or not channel.get("id") or not channel.get("href"):
            raise bad_request("each channel needs id and href")
    for party in body.get("relatedParty") or []:
        if not isinstance(party, dict) or not all(
            party.get(k) for k in ("id", "href", "@referredType")
        ):
            raise bad_request("each relatedParty needs id, href and @referredType")
    when = body.get("interactionDate")
    if not isinstance(when, dict) or not when.get("startDateTime"):
        raise bad_request("interactionDate needs startDateTime")


async def create_interaction(ctx: Ctx, body: Doc) -> Doc:
    for key in REQUIRED:
        if not body.get(key):
            raise bad_request(f"{key} is required")
    _check_refs(body)
    customer_id = _customer(body)
    if customer_id and await ctx.repo.get("customer", customer_id) is None:
        raise not_found("Customer", customer_id)
    number = await ctx.repo.next_number("partyInteraction")
    iid = f"PI-{5100 + number}"
    now = iso()
    doc: Doc = dict(body)
    doc.update(
        {
            "id": iid,
            "href": href("partyInteraction", iid),
            "@type": "PartyInteraction",
            "creationDate": now,
            "statusChangeDate": now,
        }
    )
    await ctx.repo.put("partyInteraction", doc, customer_id=customer_id)
    await emit(ctx, "partyInteraction", "PartyInteractionCreateEvent", doc)
    return doc


async def update_interaction(ctx: Ctx, iid: str, body: Doc) -> Doc:
    doc = await ctx.repo.get("partyInteraction", iid)
    if doc is None:
        raise not_found("PartyInteraction", iid)
    if "channel" in body or "relatedParty" in body:
        _check_refs({**doc, **body})
    for key in ("note", "interactionItem", "attachment"):
        for item in body.get(key) or []:
            doc.setdefault(key, []).append(item)
    for key in ("description", "reason", "interactionDate", "channel", "relatedParty"):
        if key in body:
            doc[key] = body[key]
    status = body.get("status")
    changed = status is not None and status != doc.get("status")
    if changed:
        doc["status"], doc["statusChangeDate"] = status, iso()
    await ctx.repo.save("partyInteraction", doc)
    event = "StatusChange" if changed else "AttributeValueChange"
    await emit(ctx, "partyInteraction", f"PartyInteraction{event}Event", doc)
    return doc
