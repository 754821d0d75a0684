"""TMF654 prepay balance: buckets, accumulated balance and `topupBalance`.

A top-up credits the line's monetary bucket at once (status `completed`) from the stored
payment method; the rules are the BSS's: £5-£50 per top-up, £100 per line per day."""

from __future__ import annotations

from typing import Any

from bss.clock import iso, utcnow
from bss.context import Ctx
from bss.errors import bad_request, not_found, rule
from bss.events import emit
from bss.inventory import require_active, set_remaining
from bss.shapes import gbp, href, quantity

Doc = dict[str, Any]


async def topup(ctx: Ctx, body: Doc) -> Doc:
    amount_q = body.get("amount") or {}
    try:
        amount = round(float(amount_q.get("amount")), 2)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise bad_request("amount.amount must be a number") from None
    if amount_q.get("units", "GBP") != "GBP":
        raise bad_request("Top-ups are in GBP (amount.units = GBP)", code="INVALID_CURRENCY")
    if body.get("usageType", "monetary") != "monetary":
        raise bad_request("Only monetary top-ups are supported (usageType = monetary)")
    bucket_id = str((body.get("bucket") or {}).get("id", ""))
    bucket = await ctx.repo.get("bucket", bucket_id)
    if bucket is None or bucket.get("usageType") != "monetary":
        raise not_found("Bucket", bucket_id)
    account = (body.get("partyAccount") or {}).get("id")
    if account and account != bucket["partyAccount"]["id"]:
        raise not_found("Bucket", bucket_id)
    requestor = (body.get("requestor") or {}).get("id")
    customer_id = bucket["relatedParty"][0]["id"]
    if requestor and requestor != customer_id:
        raise not_found("Bucket", bucket_id)
    line_id = bucket["product"][0]["id"]
    line = await ctx.repo.get("product", line_id)
    if line is None:
        raise not_found("Product", line_id)
    require_active(line)
    rules = ctx.world.rules
    if not rules.topup_min <= amount <= rules.topup_max:
        raise rule(
            "TOPUP_LIMIT",
            f"A top-up must be between {gbp(rules.topup_min)} and {gbp(rules.topup_max)}",
        )
    day = utcnow().date().isoformat()
    done_today = await ctx.repo.topped_up_on(line_id, day)
    if done_today + amount > rules.topup_daily_max + 1e-9:
        left = max(0.0, rules.topup_daily_max - done_today)
        raise rule(
            "TOPUP_DAILY_LIMIT",
            f"The daily top-up limit of {gbp(rules.topup_daily_max)} "
            f"per line would be exceeded; {gbp(left)} can still be added today",
        )
    number = await ctx.repo.next_number("topupBalance")
    tid = f"TOP-{6100 + number}"
    before = float(bucket["remainingValue"]["amount"])
    set_remaining(bucket, before + amount)
    await ctx.repo.save("bucket", bucket)
    await ctx.repo.record_topup(line_id, day, amount, tid)
    now = iso()
    doc: Doc = {
        "id": tid,
        "href": href("topupBalance", tid),
        "@type": "TopupBalance",
        "status": "completed",
        "requestedDate": now,
        "confirmationDate": now,
        "amount": quantity(amount),
        "usageType": "monetary",
        "bucket": {"id": bucket_id, "href": bucket["href"], "@referredType": "Bucket"},
        "partyAccount": {"id": bucket["partyAccount"]["id"], "@referredType": "PartyAccount"},
        "product": [{"id": line_id, "href": line["href"], "@referredType": "Product"}],
        "logicalResource": bucket["logicalResource"],
        "relatedParty": bucket["relatedParty"],
        # v4.1.0's impactedBucket, so a reply can say "from £2.10 to £12.10"
        "impactedBucket": [
            {
                "bucket": {"id": bucket_id},
                "amountBefore": quantity(before),
                "amountAfter": quantity(before + amount),
                "item": [{"itemType": "credit", "name": "topup", "amount": quantity(amount)}],
            }
        ],
    }
    for key in ("channel", "paymentMethod", "requestor", "description", "reason"):
        if key in body:
            doc[key] = body[key]
    await ctx.repo.put("topupBalance", doc, customer_id=customer_id)
    await emit(ctx, "topupBalance", "TopupBalanceCreateEvent", doc)
    return doc


async def accumulated(ctx: Ctx, customer_id: str | None) -> list[Doc]:
    """One AccumulatedBalance per line: its monetary buckets totalled."""
    buckets = await ctx.repo.list_docs("bucket", customer_id=customer_id)
    by_line: dict[str, list[Doc]] = {}
    for b in buckets:
        if b.get("usageType") == "monetary" and b.get("status") == "active":
            by_line.setdefault(b["product"][0]["id"], []).append(b)
    docs = []
    for line_id, items in by_line.items():
        total = sum(float(b["remainingValue"]["amount"]) for b in items)
        aid = f"acb-{line_id}"
        docs.append(
            {
                "id": aid,
                "href": href("bucket", aid).replace("/bucket/", "/accumulatedBalance/"),
                "@type": "AccumulatedBalance",
                "name": "Credit",
                "description": f"Credit on {items[0]['logicalResource'][0]['id']}",
                "totalBalance": quantity(total),
                "bucket": [{"id": b["id"], "href": b["href"]} for b in items],
                "product": [{"id": line_id, "href": href("product", line_id)}],
                "logicalResource": items[0]["logicalResource"][0],
                "partyAccount": items[0]["partyAccount"],
                "relatedParty": items[0]["relatedParty"],
            }
        )
    return docs
