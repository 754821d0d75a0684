"""The operator's triggers: an outage at some districts (from the BSS, or as the operator
describes it) and a campaign to a segment. Each finds its audience, words the notice from
facts only, and publishes it (or, in a dry run, counts it)."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any, Literal

from sqlalchemy.ext.asyncio import async_sessionmaker

from api.notices.audience import CustomerSource, customers_in, customers_of, targets
from api.notices.publish import Summary, publish
from switchboard.errors import InvalidInputError, NotFoundError
from switchboard.settings import Settings

OutageState = Literal["opened", "updated", "resolved"]


def outage_text(
    *, brand: str, title: str, districts: list[str], state: OutageState, fix: datetime | None
) -> str:
    where = ", ".join(districts)
    if state == "resolved":
        return f"{brand}: the problem in your area ({where}) is fixed: {title}. Sorry for the wait."
    when = f" We expect it fixed by {fix:%H:%M on %d %b} (UTC)." if fix else ""
    lead = "Update on the problem" if state == "updated" else "We know about a problem"
    return (
        f"{brand}: {lead} in your area ({where}): {title}.{when} "
        "Reply to this message to ask about it."
    )


async def notify_outage(
    sessionmaker: async_sessionmaker[Any],
    bss: Any,
    settings: Settings,
    *,
    outage_id: str,
    state: OutageState = "opened",
    districts: list[str] | None = None,
    title: str | None = None,
    text: str | None = None,
    dry_run: bool = False,
    now: datetime | None = None,
) -> Summary:
    """Tell the customers in the outage's districts. Districts and title default to the BSS's
    own record of `outage_id`; an outage the BSS does not list needs both."""
    fix = None
    if not districts or not title:
        known = next((o for o in await bss.list_outages() if o.id == outage_id), None)
        if known is None:
            raise NotFoundError(f"the BSS lists no outage {outage_id}; give districts and title")
        districts, title, fix = (
            districts or known.districts,
            title or known.title,
            known.expected_fix,
        )
    if not districts:
        raise InvalidInputError("an outage needs at least one district or postcode")
    audience = await targets(sessionmaker, await customers_in(bss, districts))
    body = text or outage_text(
        brand=settings.brand, title=title, districts=districts, state=state, fix=fix
    )
    return await publish(
        sessionmaker,
        audience,
        kind="outage",
        ref=outage_id,
        key=f"outage:{outage_id}:{state}:{hashlib.sha256(body.encode()).hexdigest()[:12]}",
        text=body,
        settings=settings,
        dry_run=dry_run,
        now=now,
    )


async def notify_campaign(
    sessionmaker: async_sessionmaker[Any],
    bss: CustomerSource,
    settings: Settings,
    *,
    campaign_id: str,
    text: str,
    segment: str | None = None,
    dry_run: bool = False,
    now: datetime | None = None,
) -> Summary:
    """An offer or survey to a segment (None: everyone) — marketing: only to those who said yes."""
    if not text.strip():
        raise InvalidInputError("a campaign needs a text")
    audience = await targets(sessionmaker, await customers_of(bss, segment))
    return await publish(
        sessionmaker,
        audience,
        kind="campaign",
        ref=campaign_id,
        key=f"campaign:{campaign_id}",
        text=text.strip(),
        settings=settings,
        dry_run=dry_run,
        now=now,
    )
