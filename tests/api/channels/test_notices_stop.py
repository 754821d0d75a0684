"""Acceptance (issue 19): "STOP" by SMS stops every later marketing notice to that customer on
SMS — those published afterwards and one already waiting for the end of their quiet hours —
and is confirmed once; their other channel and service notices are not affected."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from twilio.request_validator import RequestValidator

from api.notices.triggers import notify_campaign, notify_outage
from switchboard.db.models import Turn
from tests.api.channels.conftest import ALICE, TWILIO_TOKEN, Channels, MakeChannels
from tests.api.channels.test_notices_outage import prefer
from tests.api.channels.test_sms import URL, form, post

NOON = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)  # an injected instant, never today
LATE = datetime(2026, 11, 26, 22, 0, tzinfo=UTC)  # in Alice's quiet hours (London)
NEXT_NOON = NOON + timedelta(days=1)


async def campaign(ch: Channels, campaign_id: str, at: datetime) -> dict[str, Any]:
    summary = await notify_campaign(
        ch.hub.sessionmaker,
        ch.hub.bss,
        ch.settings,
        campaign_id=campaign_id,
        text=f"Offer {campaign_id}: 5GB extra for £3.",
        segment="prepaid",
        now=at,
    )
    return summary.model_dump()


async def sms_from_alice(ch: Channels, text: str, sid: str) -> None:
    data = form(text, sid=sid)
    response = await post(ch, data, RequestValidator(TWILIO_TOKEN).compute_signature(URL, data))
    assert response.status_code == 200
    await ch.settle()


async def texts_to(ch: Channels, recipient: str) -> list[str]:
    return [r["payload"]["text"] for r in await ch.outbox() if r["recipient"] == recipient]


async def test_stop_ends_marketing_on_that_channel_and_is_confirmed_once(
    make_channels: MakeChannels,
) -> None:
    async with make_channels() as ch:
        await prefer(ch, "cust-001", consents={"marketing": True})
        first = await campaign(ch, "C1", NOON)
        # only Alice of the five prepaid customers said yes to marketing
        assert first["send_now"] == 1 and first["suppressed"] == {"no_marketing_consent": 4}
        await ch.hub.notices.dispatch_due(now=NOON)
        waiting = await campaign(ch, "C3", LATE)  # waits for 08:00 in London
        assert waiting["deferred"] == 1

        await sms_from_alice(ch, "STOP", "SM" + "a" * 32)
        await sms_from_alice(ch, "stop", "SM" + "b" * 32)  # a second STOP: no second answer
        texts = await texts_to(ch, ALICE)
        assert texts[0] == "Offer C1: 5GB extra for £3."
        confirmations = [t for t in texts if "unsubscribed" in t]
        assert len(confirmations) == 1 and "Reply START" in confirmations[0]
        async with ch.runtime.sessionmaker() as session:  # STOP is not a turn for the assistant
            assert await session.scalar(select(func.count()).select_from(Turn)) == 0

        later = await campaign(ch, "C2", NEXT_NOON)
        assert later["send_now"] == 0 and later["suppressed"] == {
            "opted_out": 1,
            "no_marketing_consent": 4,
        }
        assert await ch.hub.notices.dispatch_due(now=NEXT_NOON) == 0  # C3 is dropped too
        notices = await ch.client.get("/v1/admin/notices?customer=cust-001", headers=ch.staff)
        states = {n["ref"]: (n["status"], n["reason"]) for n in notices.json()}
        assert states == {
            "C1": ("sent", None),
            "C2": ("suppressed", "opted_out"),
            "C3": ("suppressed", "opted_out"),
        }
        assert await texts_to(ch, ALICE) == texts  # nothing more reached her by SMS

        # a service notice still reaches her by SMS; marketing still reaches her on WhatsApp
        outage = await notify_outage(
            ch.hub.sessionmaker,
            ch.hub.bss,
            ch.settings,
            outage_id="OUT-1",
            districts=["M1"],
            title="No signal",
            now=NEXT_NOON,
        )
        assert outage.send_now == 1
        await prefer(ch, "cust-001", channel="whatsapp", consents={"marketing": True})
        assert (await campaign(ch, "C4", NEXT_NOON))["send_now"] == 1
        assert await ch.hub.notices.dispatch_due(now=NEXT_NOON) == 2
        await ch.settle()
        assert len(await texts_to(ch, ALICE)) == len(texts) + 1
        assert await texts_to(ch, ALICE.lstrip("+")) == ["Offer C4: 5GB extra for £3."]

        await sms_from_alice(ch, "START", "SM" + "c" * 32)
        assert "subscribed again" in (await texts_to(ch, ALICE))[-1]
