"""The agent desk end to end in two real headless Chromium sessions (a customer's and an
agent's): the customer asks for a person in the widget → the conversation is pushed into the
desk's queue → the agent signs in, claims it, sees the account beside it and replies → the
customer sees the reply live → the agent hands back → the assistant answers the next question.
Also the sign-in state before and after sign-in (the console's `[hidden]` bug). Screenshots of
both sides go to artifacts/browser/."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest

from switchboard import clock
from tests.api.channels.conftest import AGENT_PASSWORD, CONSOLE_TOKEN, MakeChannels, make_channels
from tests.api.conftest import ALICE, free_port, live_server
from tests.api.server import subprocess_server
from tests.api.test_gaps import turn
from tests.api.test_widget_browser import CHROMIUM, FLAGS, _shot
from tests.fakes.scripted_model import say

pytestmark = pytest.mark.browser
__all__ = ["make_channels"]  # the fixture
ANSWER = "You have £7.50 of credit."
KATIE = "+447700900013"  # prepaid, £15.00


@pytest.fixture
async def two_browsers() -> AsyncIterator[tuple[Any, Any]]:
    """Two separate Chromium processes: nothing shared between the customer and the agent."""
    if not shutil.which(CHROMIUM):
        pytest.skip(f"no browser: {CHROMIUM} is not installed (apt-get install -y chromium)")
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        customer = await playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        agent = await playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            yield customer, agent
        finally:
            await customer.close()
            await agent.close()


def _errors(page: Any) -> list[str]:
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    return errors


async def _sign_in_to_the_desk(page: Any, base: str, agent: str) -> None:
    await page.goto(base + "/console")
    await page.wait_for_selector("#cs-login", state="visible")
    # before sign-in: the form only — no queue, no "Nobody is waiting"
    assert await page.is_hidden("#cs-main")
    assert await page.is_hidden("#cs-empty")
    assert await page.is_hidden("#cs-signout")
    await _shot(page, "desk-0-sign-in")
    await page.fill("#cs-agent", agent)
    await page.fill("#cs-password", AGENT_PASSWORD)
    await page.keyboard.press("Enter")
    await page.wait_for_selector("#cs-main[data-live]")
    # after sign-in: the form is gone (console.css's [hidden] rule), the live queue is there
    assert await page.is_hidden("#cs-login")
    assert await page.is_visible("#cs-main")


async def test_the_desk_sign_in_state_before_and_after(
    two_browsers: tuple[Any, Any], make_channels: MakeChannels
) -> None:
    _, browser = two_browsers
    async with make_channels() as ch, live_server(ch.app) as base:
        sam = await ch.desk("sam")
        for n in range(5):  # one customer, five contacts about one thing within the week
            at = clock.now() - timedelta(days=2, hours=n)
            await turn(ch.hub.sessionmaker, f"my voicemail pin fails ({n})", at=at)
        flagged = (await ch.client.get("/v1/console/attention", headers=sam)).json()
        assert [c["customer"] for c in flagged["customers"]] == ["c1"]
        page = await browser.new_page(viewport={"width": 1280, "height": 800})
        errors = _errors(page)
        await _sign_in_to_the_desk(page, base, "sam")
        assert await page.is_visible("#cs-empty")  # now, and only now, nobody is waiting
        # issue #20: the customers who need attention, shown to agents in the console
        row = page.locator("#cs-attention li", has_text="c1")
        await row.wait_for()
        assert "5 contacts about faq within 7 days" in await row.text_content()
        assert "Signed in as Sam (agent)." in await page.text_content("#cs-status")
        assert await page.is_hidden("#cs-supervisor")  # an agent has no supervisor panel
        await page.click("#cs-signout")
        await page.wait_for_selector("#cs-login", state="visible")
        assert await page.is_hidden("#cs-main")
        await page.reload()  # the cookie is gone: the form again, not the queue
        await page.wait_for_selector("#cs-login", state="visible")
        assert await page.is_hidden("#cs-main")
        await page.close()
    assert [e for e in errors if "401" not in e] == []


async def test_customer_and_agent_end_to_end(
    two_browsers: tuple[Any, Any], make_channels: MakeChannels
) -> None:
    customer_browser, agent_browser = two_browsers
    async with make_channels([say(ANSWER)]) as ch, live_server(ch.app) as base:
        await ch.desk("sam")
        desk = await agent_browser.new_page(viewport={"width": 1280, "height": 900})
        widget = await customer_browser.new_page(viewport={"width": 390, "height": 844})
        desk_errors, widget_errors = _errors(desk), _errors(widget)
        try:
            await _journey(desk, widget, base)
        except BaseException:
            await _shot(desk, "desk-failure-agent")
            await _shot(widget, "desk-failure-customer")
            raise
        finally:  # close the pages' event streams before the server goes away
            await desk.close()
            await widget.close()
    assert [e for e in desk_errors if "401" not in e] == []
    assert widget_errors == []


async def _journey(desk: Any, widget: Any, base: str) -> None:
    await _sign_in_to_the_desk(desk, base, "sam")
    assert await desk.is_visible("#cs-empty")

    # the customer asks for a person in the widget
    await widget.goto(base + "/")
    await widget.wait_for_selector(f"#sb-customer option[value='{ALICE}']", state="attached")
    await widget.select_option("#sb-customer", ALICE)
    await widget.click("#sb-signin-go")
    await widget.wait_for_selector("#sb-compose:not([hidden])")
    await widget.fill("#sb-input", "let me talk to a person")
    await widget.keyboard.press("Enter")
    await widget.locator(".sb-notice", has_text="connected to a person").wait_for()
    await _shot(widget, "desk-1-customer-asks")

    # pushed into the desk's queue: no reload, no polling
    row = desk.locator("#cs-queue button", has_text="Alice Morgan")
    await row.wait_for()
    assert "let me talk to a person" in await row.text_content()
    assert await desk.is_hidden("#cs-empty")
    await row.click()
    await desk.click("#cs-take")
    await desk.locator("#cs-owner", has_text="sam").wait_for()
    overview = desk.locator("#cs-account .cs-tool-get_account_overview")
    await overview.wait_for()
    assert "£7.50" in await overview.text_content()  # the account beside the transcript
    await desk.locator("#cs-log .cs-customer", has_text="let me talk to a person").wait_for()
    await desk.fill("#cs-text", "Hi Alice, Sam here. How can I help?")
    await desk.click("#cs-reply button[type=submit]")
    await desk.locator("#cs-log .cs-agent", has_text="Sam here").wait_for()
    await _shot(desk, "desk-2-agent-replied")

    # the customer sees it live
    reply = widget.locator(".sb-agent", has_text="Sam here. How can I help?")
    await reply.wait_for()
    assert "Sam" in await widget.locator(".sb-agent .sb-agent-name").first.text_content()
    await _shot(widget, "desk-3-customer-sees-reply")

    # hand back; the assistant answers the next question
    await desk.click("#cs-return")
    await desk.locator("#cs-empty").wait_for()  # the queue emptied, pushed
    await widget.locator(".sb-notice", has_text="back with the assistant").wait_for()
    await widget.fill("#sb-input", "how much credit do I have?")
    await widget.keyboard.press("Enter")
    await widget.locator(".sb-assistant", has_text=ANSWER).wait_for()
    await desk.locator("#cs-log .cs-assistant", has_text=ANSWER).wait_for()
    await _shot(widget, "desk-4-assistant-again")
    await _shot(desk, "desk-5-agent-sees-assistant")


@pytest.fixture(scope="module")
def real_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The whole product in a process of its own: the local engine, the BSS simulator and the
    knowledge base (the fast test embedder), as `switchboard serve` would run it."""
    env = {
        "SWITCHBOARD_DATA_DIR": str(tmp_path_factory.mktemp("desk-real")),
        "SWITCHBOARD_TOKEN_SECRET": "d" * 40,
        "SWITCHBOARD_CONSOLE_TOKEN": CONSOLE_TOKEN,
        "SWITCHBOARD_BSS_CLOCK_SPEED": "1000000000",
        "SWITCHBOARD_RATE_LIMIT_PER_MINUTE": "1000",
    }
    factory = "tests.api.real_app:create_real_app"
    with subprocess_server(env, port=free_port(), factory=factory, start_timeout_s=240) as base:
        yield base


@pytest.mark.slow
async def test_the_local_engine_answers_after_the_agent_hands_back(
    two_browsers: tuple[Any, Any], real_server: str
) -> None:
    """The same journey over the real turn loop: the offline engine, not a scripted model,
    hands off and later answers from the customer's account (Katie: prepaid, £15.00)."""
    async with httpx.AsyncClient(base_url=real_server, timeout=30) as client:
        details = {"name": "Sam", "role": "agent", "password": AGENT_PASSWORD}
        headers = {"Authorization": f"Bearer {CONSOLE_TOKEN}"}
        saved = await client.put("/v1/admin/agents/sam", json=details, headers=headers)
        assert saved.status_code == 200, saved.text
    customer_browser, agent_browser = two_browsers
    desk = await agent_browser.new_page(viewport={"width": 1280, "height": 900})
    widget = await customer_browser.new_page(viewport={"width": 390, "height": 844})
    desk_errors, widget_errors = _errors(desk), _errors(widget)
    try:
        await _sign_in_to_the_desk(desk, real_server, "sam")
        await widget.goto(real_server + "/")
        await widget.wait_for_selector(f"#sb-customer option[value='{KATIE}']", state="attached")
        await widget.select_option("#sb-customer", KATIE)
        await widget.click("#sb-signin-go")
        await widget.fill("#sb-input", "I want to talk to a person please")
        await widget.keyboard.press("Enter")
        await widget.locator(".sb-notice", has_text="connected to a person").wait_for()
        row = desk.locator("#cs-queue button", has_text="Katie")
        await row.wait_for()
        await row.click()
        await desk.click("#cs-take")
        overview = desk.locator("#cs-account .cs-tool-get_account_overview")
        await overview.wait_for()
        assert "credit £15" in await overview.text_content()
        await desk.click("#cs-suggest")
        await desk.wait_for_function("() => document.getElementById('cs-text').value.length > 0")
        draft = await desk.input_value("#cs-text")
        assert draft.startswith("Hi Katie,") and "credit £15" in draft
        await desk.fill("#cs-text", "Hi Katie, Sam here. Your line looks fine.")
        await desk.click("#cs-reply button[type=submit]")
        await widget.locator(".sb-agent", has_text="Your line looks fine.").wait_for()
        await desk.click("#cs-return")
        await widget.locator(".sb-notice", has_text="back with the assistant").wait_for()
        await widget.fill("#sb-input", "how much credit do I have?")
        await widget.keyboard.press("Enter")
        answer = widget.locator(".sb-assistant", has_text="£15")
        await answer.wait_for()
        await _shot(widget, "desk-real-customer")
        await _shot(desk, "desk-real-agent")
    except BaseException:
        await _shot(desk, "desk-real-failure-agent")
        await _shot(widget, "desk-real-failure-customer")
        raise
    finally:
        await desk.close()
        await widget.close()
    assert [e for e in desk_errors if "401" not in e] == []
    assert widget_errors == []
