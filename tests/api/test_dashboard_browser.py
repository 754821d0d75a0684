"""The operator dashboard in a real headless Chromium: after a scripted batch of conversations
it shows the same numbers as its JSON export and the analytics API (artifacts/browser/)."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from switchboard import clock
from tests.api.channels.conftest import AGENT_PASSWORD, MakeChannels, make_channels
from tests.api.conftest import live_server
from tests.api.test_gaps import turn
from tests.api.test_widget_browser import _shot, browser
from tests.fakes.scripted_model import call, say

pytestmark = pytest.mark.browser
__all__ = ["browser", "make_channels"]  # the fixtures


async def _sign_in(page: Any, base: str, agent: str = "lee") -> None:
    """The dashboard is behind the desk's sign-in: a supervisor's name and password."""
    await page.goto(base + "/dashboard")
    await page.wait_for_selector("#db-login", state="visible")
    assert await page.is_hidden("#db-main")
    await page.fill("#db-agent", agent)
    await page.fill("#db-password", AGENT_PASSWORD)
    await page.click("#db-login button[type=submit]")


async def test_the_dashboard_is_for_supervisors_only(
    browser: Any, make_channels: MakeChannels
) -> None:
    async with make_channels() as ch:
        sam = await ch.desk("sam")  # an agent, not a supervisor
        lee = await ch.desk("lee", role="supervisor")
        for path in ("/v1/admin/analytics", "/v1/admin/gaps", "/v1/admin/attention"):
            assert (await ch.client.get(path, headers=sam)).status_code == 403
            assert (await ch.client.get(path, headers=lee)).status_code == 200
            assert (await ch.client.get(path, headers=ch.staff)).status_code == 200
            assert (await ch.client.get(path)).status_code == 401
        # the rest of the admin API stays automation's (the console token)
        assert (await ch.client.get("/v1/admin/outbox", headers=lee)).status_code == 401
        async with live_server(ch.app) as base:
            page = await browser.new_page(viewport={"width": 1280, "height": 900})
            await _sign_in(page, base, "sam")
            await page.locator("#db-status", has_text="for supervisors").wait_for()
            assert await page.is_hidden("#db-main")
            await page.close()


async def test_the_dashboard_shows_what_the_api_and_the_export_say(
    browser: Any, make_channels: MakeChannels, tmp_path: Path
) -> None:
    script = [call("top_up", amount=10), say("£10 from your card. Shall I go ahead?")]
    async with make_channels(script) as ch:
        await ch.whatsapp("top up £10", wamid="wamid.D1")
        await ch.settle()
        await ch.whatsapp("yes", wamid="wamid.D2")
        await ch.settle()
        [alice] = [r["conversation_id"] for r in await ch.outbox(channel="whatsapp")][:1]
        assert await ch.app.state.api.surveys.ask(alice)  # the top-up resolved it
        await ch.whatsapp("9", wamid="wamid.D5")
        await ch.settle()
        await ch.whatsapp("agent", wamid="wamid.D3", sender="+447700900002")
        await ch.settle()
        expected = (await ch.client.get("/v1/admin/analytics", headers=ch.staff)).json()
        await ch.desk("lee", role="supervisor")
        async with live_server(ch.app) as base:
            page = await browser.new_page(
                viewport={"width": 1280, "height": 900}, accept_downloads=True
            )
            errors: list[str] = []
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            await _sign_in(page, base)
            await page.wait_for_selector("#db-main[data-loaded]")
            shown = {
                key: await page.text_content(f"#db-{key}")
                for key in (
                    "automation",
                    "conversations",
                    "containment",
                    "nps",
                    "csat",
                    "handoff-rate",
                )
            }
            async with page.expect_download() as download_info:
                await page.click("#db-json")
            saved = tmp_path / "export.json"
            await (await download_info.value).save_as(saved)
            exported = json.loads(await asyncio.to_thread(saved.read_text))
            await _shot(page, "dashboard")
    assert errors == []
    assert expected["conversations"] == 2 and expected["automation"]["counted"] == 2
    assert expected["automation"]["automated"] == 1 and expected["handoffs"] == {
        "customer_request": 1
    }
    assert expected["satisfaction"]["nps"] == 100.0  # one answer, a promoter
    assert shown == {
        "automation": "50.0%",
        "conversations": "2",
        "containment": "50.0%",
        "nps": "100",
        "csat": "n/a",
        "handoff-rate": "50.0%",
    }
    # the page asked a moment later for the same default period (the last 30 days)
    period = ("since", "until")
    assert {k: v[:10] for k, v in exported.items() if k in period} == {
        k: v[:10] for k, v in expected.items() if k in period
    }
    assert {k: v for k, v in exported.items() if k not in period} == {
        k: v for k, v in expected.items() if k not in period
    }


async def test_the_dashboard_lists_knowledge_gaps_and_customers_needing_attention(
    browser: Any, make_channels: MakeChannels
) -> None:
    async with make_channels() as ch:
        at = clock.now() - timedelta(days=2)
        questions = [
            "how do i reset my voicemail pin",
            "i forgot my voicemail pin",
            "reset the voicemail password please",
            "can i use wifi calling",
            "<b>is wifi calling free</b>",
        ]
        for text in questions:
            await turn(ch.hub.sessionmaker, text, confidence=0.1, at=at)
        expected = (await ch.client.get("/v1/admin/gaps", headers=ch.staff)).json()
        flagged = (await ch.client.get("/v1/admin/attention", headers=ch.staff)).json()
        await ch.desk("lee", role="supervisor")
        async with live_server(ch.app) as base:
            page = await browser.new_page(viewport={"width": 1280, "height": 1400})
            errors: list[str] = []
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            await _sign_in(page, base)
            await page.wait_for_selector("#db-gaps tbody tr")
            rows = await page.eval_on_selector_all(
                "#db-gaps tbody tr",
                "rows => rows.map(r => [...r.cells].map(c => c.textContent))",
            )
            bold = await page.eval_on_selector_all("#db-gaps b", "nodes => nodes.length")
            await page.wait_for_selector("#db-attention tbody tr")
            attention = await page.eval_on_selector_all(
                "#db-attention tbody tr",
                "rows => rows.map(r => [...r.cells].map(c => c.textContent))",
            )
            await _shot(page, "dashboard-gaps")
    assert errors == []
    assert [t["count"] for t in expected["topics"]] == [3, 2]
    assert [(r[0], r[2], r[3]) for r in rows] == [
        (t["label"], str(t["count"]), str(t["conversations"])) for t in expected["topics"]
    ]
    assert rows[0][4] == "low confidence 3"
    assert bold == 0  # a customer's text is shown as text, never as markup
    # the five questions came from one customer within the week: a repeat contact
    assert [(c["customer"], c["recent_contacts"]) for c in flagged["customers"]] == [("c1", 5)]
    assert [row[:4] for row in attention] == [
        ["c1", "5 contacts about faq within 7 days", "5", "no norm yet"]
    ]
