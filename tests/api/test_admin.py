"""The admin API: the audit trail (tools.audit.query filters) and the outbox, behind the
console token."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from knowledge.embedding import get_embedder
from knowledge.factory import ingest, open_store
from switchboard.db.models import utcnow
from switchboard.settings import Settings
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


ARTICLE = """---
id: kb-{slug}
title: {title}
url: https://help.example/{slug}
---
# {title}

{body}
"""


async def test_one_article_is_added_replaced_and_removed_through_the_admin_api(
    make_channels: MakeChannels, tmp_path: Path
) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "keep.md").write_text(
        ARTICLE.format(slug="keep", title="Voicemail", body="Dial 1571 to hear voicemail.")
    )
    async with make_channels(knowledge_dir=folder) as ch:
        await ingest(ch.settings)  # what start-up does (this runtime is built without retrieval)
        url = "/v1/admin/knowledge/articles/esim.md"
        body = ARTICLE.format(slug="esim", title="eSIM", body="An eSIM arrives as a QR code.")
        assert (await ch.client.put(url, content=body)).status_code == 401
        added = await ch.client.put(url, content=body, headers=ch.staff)
        assert added.status_code == 200, added.text
        assert added.json()["added"] == ["kb-esim"] and added.json()["chunks_embedded"] >= 1
        assert await indexed(ch.settings) == {"kb-keep", "kb-esim"}

        broken = await ch.client.put(url, content="---\nid: [oops\n---\n", headers=ch.staff)
        assert broken.status_code == 422 and (folder / "esim.md").read_text() == body

        gone = await ch.client.delete(url, headers=ch.staff)
        assert gone.status_code == 200 and gone.json()["removed"] == ["kb-esim"]
        assert not (folder / "esim.md").exists() and await indexed(ch.settings) == {"kb-keep"}
        again = await ch.client.delete(url, headers=ch.staff)
        assert again.status_code == 404
        sneaky = await ch.client.put(
            "/v1/admin/knowledge/articles/..%2Fevil.md", content=body, headers=ch.staff
        )
        assert sneaky.status_code in (404, 422) and not (tmp_path / "evil.md").exists()


async def test_article_edits_need_a_knowledge_folder(make_channels: MakeChannels) -> None:
    async with make_channels() as ch:
        response = await ch.client.put(
            "/v1/admin/knowledge/articles/x.md", content="x", headers=ch.staff
        )
        assert response.status_code == 409
        assert response.json()["error"]["code"] == "knowledge_dir_not_set"


async def indexed(settings: Settings) -> set[str]:
    store = open_store(settings, get_embedder(settings))
    return {str(m["doc_id"]) for m in (await store.metadata_by_id()).values()}
