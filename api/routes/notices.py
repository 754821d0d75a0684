"""Operator controls for proactive notices (bearer: the console token): publish an outage or a
campaign (with a dry run that only counts), list notices with their delivery state, and set a
customer's channel, time zone and consents."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fastapi import APIRouter, Depends, Query
from fastapi import Path as PathParam
from pydantic import BaseModel, Field, field_validator

from api.deps import require_staff
from api.errors import ERROR_RESPONSES
from api.hub import ChannelHub, Hub
from api.notices.listing import NoticeOut, list_notices
from api.notices.policy import CATEGORIES
from api.notices.publish import Summary
from api.notices.standing import set_consent, set_preference
from api.notices.triggers import notify_campaign, notify_outage
from switchboard.errors import InvalidInputError

router = APIRouter(
    prefix="/v1/admin",
    tags=["admin", "notices"],
    dependencies=[Depends(require_staff)],
    responses=ERROR_RESPONSES,
)
Text = Annotated[str | None, Query(max_length=64)]


class OutageIn(BaseModel):
    outage_id: str = Field(min_length=1, max_length=48)
    state: Literal["opened", "updated", "resolved"] = "opened"
    districts: list[Annotated[str, Field(min_length=1, max_length=10)]] = Field(
        default_factory=list, max_length=200
    )
    title: str | None = Field(default=None, max_length=200)
    text: str | None = Field(default=None, max_length=1000)
    dry_run: bool = False


class CampaignIn(BaseModel):
    campaign_id: str = Field(min_length=1, max_length=48)
    text: str = Field(min_length=1, max_length=1000)
    segment: Literal["prepaid", "postpaid", "business"] | None = None
    dry_run: bool = False


class PreferencesIn(BaseModel):
    channel: Literal["web", "sms", "whatsapp", "telegram"] | None = None
    time_zone: str | None = Field(default=None, max_length=64)
    consents: dict[str, bool] = Field(default_factory=dict)  # category -> yes/no, every channel

    @field_validator("time_zone")
    @classmethod
    def _zone(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                ZoneInfo(value)
            except (ZoneInfoNotFoundError, ValueError):
                raise ValueError(f"unknown time zone {value!r}") from None
        return value


@router.post("/notices/outage")
async def publish_outage(body: OutageIn, hub: Hub) -> Summary:
    """Tell the customers in an outage's districts (the BSS's own record of it unless districts
    and title are given). `dry_run` counts without sending; the counts then match a real run."""
    publishing = notify_outage(
        hub.sessionmaker,
        hub.bss,
        hub.settings,
        outage_id=body.outage_id,
        state=body.state,
        districts=body.districts or None,
        title=body.title,
        text=body.text,
        dry_run=body.dry_run,
    )
    return await _published(hub, publishing, dry_run=body.dry_run)


@router.post("/notices/campaign")
async def publish_campaign(body: CampaignIn, hub: Hub) -> Summary:
    """An offer or survey to a segment: only customers who said yes to marketing get it."""
    publishing = notify_campaign(
        hub.sessionmaker,
        hub.bss,
        hub.settings,
        campaign_id=body.campaign_id,
        text=body.text,
        segment=body.segment,
        dry_run=body.dry_run,
    )
    return await _published(hub, publishing, dry_run=body.dry_run)


async def _published(hub: ChannelHub, publishing: Awaitable[Summary], *, dry_run: bool) -> Summary:
    """A publication's summary; a real one (not a dry run) wakes the dispatcher to send now."""
    summary = await publishing
    if not dry_run:
        hub.wake_notices()
    return summary


@router.get("/notices")
async def notices(
    hub: Hub,
    status: Text = None,
    kind: Text = None,
    ref: Text = None,
    customer: Text = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[NoticeOut]:
    """Notices newest first, each with its state and its channel delivery."""
    return await list_notices(
        hub.sessionmaker, status=status, kind=kind, ref=ref, customer_id=customer, limit=limit
    )


@router.put("/customers/{customer_id}/notice-preferences", status_code=204)
async def put_preferences(
    customer_id: Annotated[str, PathParam(max_length=64)], body: PreferencesIn, hub: Hub
) -> None:
    """A customer's channel and time zone for notices, and yes/no per category."""
    unknown = set(body.consents) - set(CATEGORIES)
    if unknown:
        raise InvalidInputError(f"unknown categories {sorted(unknown)}; use {list(CATEGORIES)}")
    async with hub.sessionmaker() as session, session.begin():
        await set_preference(
            session, customer_id=customer_id, channel=body.channel, time_zone=body.time_zone
        )
        for category, granted in body.consents.items():
            await set_consent(
                session,
                subject=customer_id,
                category=category,
                channel="*",
                granted=granted,
                source="admin",
            )
