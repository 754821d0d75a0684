"""The web widget in a real headless Chromium (Debian's), driven by Playwright.

Sign in as a demo customer, ask a question and see a citation, top up with confirmation and see
the new balance, reload mid-stream and get the whole transcript back — once. Screenshots go to
artifacts/browser/."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from switchboard.db.models import Survey, Turn
from tests.api.conftest import ALICE, Api, live_server, make_settings, running_api
from tests.api.fakes import ANSWER

pytestmark = pytest.mark.browser
CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "browser"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
async def browser() -> AsyncIterator[Any]:
    if not shutil.which(CHROMIUM):
        pytest.skip(f"no browser: {CHROMIUM} is not installed (apt-get install -y chromium)")
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield launched
        await launched.close()


@pytest.fixture
async def served(tmp_path: Path) -> AsyncIterator[tuple[Api, str]]:
    async with running_api(make_settings(tmp_path)) as api, live_server(api.app) as url:
        yield api, url


async def _shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


async def _ask(page: Any, text: str) -> None:
    await page.fill("#sb-input", text)
    await page.keyboard.press("Enter")


async def test_widget_end_to_end(browser: Any, served: tuple[Api, str]) -> None:
    page = await browser.new_page(viewport={"width": 375, "height": 740})  # a phone
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    try:
        await _journey(page, *served)
    except BaseException:
        await _shot(page, "failure")
        print("LOG", await page.locator("#sb-log > li").all_text_contents())
        print("STATE", await page.evaluate("sessionStorage.getItem('switchboard.widget.v1')"))
        raise
    assert errors == []


async def _journey(page: Any, api: Api, base: str) -> None:
    await page.goto(base + "/")

    # sign in with the keyboard only
    await page.wait_for_selector(f"#sb-customer option[value='{ALICE}']", state="attached")
    await page.select_option("#sb-customer", ALICE)
    await page.focus("#sb-customer")
    await page.keyboard.press("Tab")
    await page.keyboard.press("Enter")
    await page.wait_for_selector("#sb-compose:not([hidden])")
    assert "+447700900001" in await page.text_content("#sb-who")

    # a question, answered with a citation link
    await _ask(page, "How can I top up?")
    link = page.locator(".sb-cites a", has_text="Ways to top up")
    await link.wait_for()
    assert (await link.get_attribute("href")).endswith("/kb/kb-top-up-methods")
    await _shot(page, "1-citation")

    # a top-up: quote card, confirm, new balance
    await _ask(page, "top up £10")
    card = page.locator(".sb-card")
    await card.wait_for()
    assert "£10.00" in await card.text_content()
    await card.get_by_role("button", name="Confirm").click()
    await page.locator(".sb-card-state", has_text="Done.").wait_for()
    await page.locator(".sb-assistant", has_text="new balance is £17.50").wait_for()
    await _shot(page, "2-topped-up")

    # reload in the middle of a streamed reply
    api.service.token_delay_s = 0.12
    await _ask(page, "And where can I top up?")
    partial = page.locator(".sb-assistant").nth(3)
    await page.wait_for_function(
        "() => { const m = document.querySelectorAll('.sb-assistant'); "
        "return m.length >= 4 && m[3].textContent.split(' ').length >= 4; }",
        timeout=10_000,
    )
    await page.reload()
    await page.locator(".sb-cites a").nth(1).wait_for()  # the reloaded page finished the reply
    text = await partial.evaluate("el => el.firstChild.textContent")
    assert text == ANSWER  # every token once: nothing lost, nothing repeated
    bubbles = await page.locator("#sb-log > li").evaluate_all(
        "els => els.map(e => e.className.split(' ').pop())"
    )
    question, quote, confirmed = ["sb-customer", "sb-assistant"], ["sb-card"], ["sb-assistant"]
    assert bubbles == question + question + quote + confirmed + question
    await _shot(page, "3-after-reload")

    # agent text is text, never markup; the page fits a phone
    cid = await page.evaluate(
        "JSON.parse(sessionStorage.getItem('switchboard.widget.v1')).conversationId"
    )
    await api.service.post_agent_message(cid, "Sam", '<img src=x onerror="window.pwned=1">hi')
    agent = page.locator(".sb-agent")
    await agent.wait_for()
    assert '<img src=x onerror="window.pwned=1">hi' in await agent.text_content()
    assert await page.locator("#sb-log img").count() == 0
    assert await page.evaluate("window.pwned === undefined")
    assert await page.evaluate("document.documentElement.scrollWidth") <= 375
    await _shot(page, "4-agent-message")

    # a survey after the resolved conversation: pick a score, add a comment, send; once
    sessionmaker = api.app.state.api.runtime.sessionmaker
    async with sessionmaker() as session, session.begin():
        session.add(
            Turn(id=str(uuid.uuid4()), conversation_id=cid, capability="top_up", outcome="acted")
        )
    assert await api.app.state.api.surveys.ask(cid)
    survey = page.locator(".sb-survey")
    await survey.wait_for()
    assert "recommend Brightwave" in await survey.text_content()
    send = survey.get_by_role("button", name="Send")
    assert await send.is_disabled()  # no score chosen yet
    await survey.get_by_role("button", name="8", exact=True).click()
    await survey.locator("textarea").fill("quick top-up")
    await survey.get_by_role("button", name="Send").click()
    await survey.locator(".sb-card-state", has_text="you gave 8").wait_for()
    async with sessionmaker() as session:
        row = await session.scalar(select(Survey).where(Survey.conversation_id == cid))
    assert row is not None and (row.status, row.score, row.comment) == (
        "answered",
        8,
        "quick top-up",
    )
    await page.reload()  # the answered card stays answered
    await page.locator(".sb-survey .sb-card-state", has_text="you gave 8").wait_for()
    assert await page.evaluate("document.documentElement.scrollWidth") <= 375
    await _shot(page, "5-survey")
