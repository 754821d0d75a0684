"""The admin API: the audit trail (tools.audit.query filters) and the outbox, behind the
console token."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from switchboard.db.models import utcnow
from tests.api.channels.conftest import Channels, MakeChannels, make_channels
from tools import audit

__all__ = ["make_channels"]  # the fixture


async def _seed(ch: Channels) -> None:
    async with ch.runtime.sessionmaker() as session, session.begin():
        for customer, tool, event in (
            ("cust-001", "top_up", "proposed"),
            ("cust-001", "top_up", "executed"),
            ("cust-002", "set_roaming", "proposed"),
        ):
            audit.record(
                session,
                actor=f"customer:{customer}",
                event=event,  # type: ignore[arg-type]
                action_id=f"act-{customer}-{tool}",
                tool=tool,
                customer_id=customer,
                conversation_id="c-1",
                amount=Decimal("10.00") if tool == "top_up" else None,
                currency="GBP" if tool == "top_up" else None,
            )


async def test_audit_query_filters(make_channels: MakeChannels) -> None:
    async with make_channels() as ch:
        await _seed(ch)

        async def get(**params: object) -> list[dict[str, object]]:
            response = await ch.client.get("/v1/admin/audit", params=params, headers=ch.staff)
            assert response.status_code == 200, response.text
            rows: list[dict[str, object]] = response.json()
            return rows

        assert len(await get()) == 3
        assert [r["event"] for r in await get(customer="cust-001")] == ["proposed", "executed"]
        assert [r["customer_id"] for r in await get(action="set_roaming")] == ["cust-002"]
        assert [r["tool"] for r in await get(action="act-cust-001-top_up", event="executed")] == [
            "top_up"
        ]
        assert len(await get(limit=1)) == 1 and (await get(limit=1))[0]["tool"] == "set_roaming"
        future = (utcnow() + timedelta(hours=1)).isoformat()
        assert await get(since=future) == []
        assert (await get(customer="cust-001"))[0]["amount"] in ("10.00", "10.0", 10.0)
        bad = await ch.client.get("/v1/admin/audit", params={"limit": 0}, headers=ch.staff)
        assert bad.status_code == 422


async def test_admin_needs_the_console_token(make_channels: MakeChannels) -> None:
    async with make_channels() as ch:
        for path in ("/v1/admin/audit", "/v1/admin/outbox"):
            assert (await ch.client.get(path)).status_code == 401
            wrong = {"Authorization": "Bearer " + "x" * 40}
            assert (await ch.client.get(path, headers=wrong)).status_code == 401


async def test_outbox_listing_filters(make_channels: MakeChannels) -> None:
    async with make_channels() as ch:
        await ch.whatsapp("agent", wamid="wamid.AD1")
        await ch.settle()
        everything = await ch.outbox()
        assert everything and {r["channel"] for r in everything} == {"whatsapp"}
        assert await ch.outbox(channel="sms") == []
        assert await ch.outbox(status="sent") == []
        cid = everything[0]["conversation_id"]
        assert await ch.outbox(conversation=cid) == everything


async def test_non_ascii_token_is_refused_not_a_crash(make_channels: MakeChannels) -> None:
    async with make_channels() as ch:
        headers = {"Authorization": "Bearer ccccé".encode("latin-1")}
        response = await ch.client.get("/v1/admin/audit", headers=headers)  # type: ignore[arg-type]
        assert response.status_code == 401
