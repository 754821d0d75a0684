"""Acceptance (issue 19): an outage at some districts reaches exactly the customers there who
have not opted out and are not in their quiet hours; those in quiet hours get it when their
quiet hours end (deferred, not dropped); the dry run's counts are the real run's."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from api.notices.triggers import notify_outage
from tests.api.channels.conftest import ALICE, Channels, MakeChannels

# 19:30 in London (and in UTC): outside the default quiet hours 21:00-08:00 there, but 04:30 the
# next morning in Tokyo — the instant is injected, never today's date
AT = datetime(2026, 11, 26, 19, 30, tzinfo=UTC)
TOKYO_MORNING = datetime(2026, 11, 26, 23, 0, tzinfo=UTC)  # 08:00 in Tokyo
DISTRICTS = ["M1", "M14", "M20", "B1", "B15"]  # Alice, Farid, Harry, Ben, Noah (not B5, not LS)
BEN, NOAH = "+447700900002", "+447700900016"


async def prefer(ch: Channels, customer_id: str, **body: Any) -> None:
    response = await ch.client.put(
        f"/v1/admin/customers/{customer_id}/notice-preferences", json=body, headers=ch.staff
    )
    assert response.status_code == 204, response.text


async def publish(ch: Channels, **extra: Any) -> dict[str, Any]:
    summary = await notify_outage(
        ch.hub.sessionmaker,
        ch.hub.bss,
        ch.settings,
        outage_id="OUT-9001",
        districts=DISTRICTS,
        title="No mobile data",
        now=AT,
        **extra,
    )
    return summary.model_dump()


async def notice_rows(ch: Channels) -> dict[str, dict[str, Any]]:
    response = await ch.client.get("/v1/admin/notices?ref=OUT-9001", headers=ch.staff)
    assert response.status_code == 200, response.text
    return {n["customer_id"]: n for n in response.json()}


async def test_outage_reaches_exactly_the_customers_there(make_channels: MakeChannels) -> None:
    async with make_channels() as ch:
        await prefer(ch, "cust-006", consents={"service": False})  # Farid said no
        await prefer(ch, "cust-010", time_zone="Asia/Tokyo")  # Harry: 04:30 for him
        await prefer(ch, "cust-002", channel="whatsapp")  # Ben
        await prefer(ch, "cust-016", channel="web")  # Noah: the widget, and an SMS copy

        dry = await publish(ch, dry_run=True)
        assert await notice_rows(ch) == {}  # a dry run writes nothing
        real = await publish(ch)
        expected = {"audience": 5, "send_now": 3, "deferred": 1, "suppressed": {"opted_out": 1}}
        for summary in (dry, real):
            assert {k: summary[k] for k in expected} == expected, summary
        assert {k: v for k, v in dry.items() if k != "dry_run"} == {
            k: v for k, v in real.items() if k != "dry_run"
        }

        assert await ch.hub.notices.dispatch_due(now=AT) == 3
        await ch.hub.worker.deliver_due()
        rows = [r for r in await ch.outbox() if r["kind"] == "notification"]
        assert sorted((r["channel"], r["recipient"]) for r in rows) == [
            ("sms", ALICE),
            ("sms", NOAH),
            ("whatsapp", BEN.lstrip("+")),
        ]
        assert all("No mobile data" in r["payload"]["text"] for r in rows)

        notices = await notice_rows(ch)
        assert {c: (n["status"], n["reason"]) for c, n in notices.items()} == {
            "cust-001": ("sent", None),
            "cust-002": ("sent", None),
            "cust-016": ("sent", None),
            "cust-006": ("suppressed", "opted_out"),
            "cust-010": ("deferred", "quiet_hours"),
        }
        assert notices["cust-010"]["due_at"].startswith("2026-11-26T23:00")

        # Harry's quiet hours have not ended at 07:59 Tokyo time; at 08:00 he gets it
        assert await ch.hub.notices.dispatch_due(now=TOKYO_MORNING - timedelta(minutes=1)) == 0
        assert await ch.hub.notices.dispatch_due(now=TOKYO_MORNING) == 1
        harry = [r for r in await ch.outbox() if r["recipient"] == "+447700900010"]
        assert len(harry) == 1 and "No mobile data" in harry[0]["payload"]["text"]

        again = await publish(ch)  # the same outage published twice reaches nobody twice
        assert again["already"] == 5 and again["send_now"] == 0
        assert await ch.hub.notices.dispatch_due(now=TOKYO_MORNING) == 0
        assert len([r for r in await ch.outbox() if r["kind"] == "notification"]) == 4
        assert (await notice_rows(ch))["cust-006"]["status"] == "suppressed"


async def test_console_page_lists_notices(make_channels: MakeChannels) -> None:
    async with make_channels() as ch:
        page = await ch.client.get("/notices")
        assert (
            page.status_code == 200
            and "default-src 'self'" in page.headers["content-security-policy"]
        )
        assert 'id="nt-rows"' in page.text and "/static/notices.js" in page.text
        script = await ch.client.get("/static/notices.js")
        assert "/v1/admin/notices" in script.text and "innerHTML" not in script.text
        assert (await ch.client.get("/v1/admin/notices")).status_code == 401
