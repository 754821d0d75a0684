"""The API and the widget over the real runtime: local engine, BSS simulator, knowledge base
(with the fast test embedder), served by uvicorn on loopback."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import httpx
import pytest

from tests.api.conftest import ALICE, free_port, parse_frames
from tests.api.server import subprocess_server
from tests.api.test_widget_browser import CHROMIUM, FLAGS, _shot

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def real_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    env = {
        "SWITCHBOARD_DATA_DIR": str(tmp_path_factory.mktemp("real")),
        "SWITCHBOARD_TOKEN_SECRET": "r" * 40,
        "SWITCHBOARD_BSS_CLOCK_SPEED": "1000000000",
        "SWITCHBOARD_RATE_LIMIT_PER_MINUTE": "1000",
    }
    factory = "tests.api.real_app:create_real_app"
    with subprocess_server(env, port=free_port(), factory=factory, start_timeout_s=240) as base:
        yield base


def _signed_in(base: str, msisdn: str = ALICE) -> dict[str, str]:
    token = httpx.post(f"{base}/v1/demo/session", json={"msisdn": msisdn}).json()["token"]
    return {"Authorization": f"Bearer {token}"}


def test_question_top_up_confirm_over_the_real_turn_loop(real_server: str) -> None:
    headers = _signed_in(real_server)
    with httpx.Client(base_url=real_server, headers=headers, timeout=60) as client:
        assert client.get("/readyz").json()["checks"] == {
            "bss": "ok",
            "database": "ok",
            "vector_store": "ok",
        }
        cid = client.post("/v1/conversations").json()["conversation_id"]
        answer = client.post(
            f"/v1/conversations/{cid}/messages",
            json={"text": "what does the unlimited plan include?", "client_message_id": "q1"},
        )
        frames = parse_frames(answer.text)
        assert any(f.event == "citation" for f in frames)
        assert frames[-1].event == "turn.completed" and frames[-1].data["capability"] == "faq"
        quote = client.post(
            f"/v1/conversations/{cid}/messages",
            json={"text": "top up £10", "client_message_id": "q2"},
        )
        proposed = next(f for f in parse_frames(quote.text) if f.event == "action.proposed")
        url = f"/v1/conversations/{cid}/actions/{proposed.data['action_id']}/confirm"
        done = client.post(url).json()
        again = client.post(url).json()
        assert done["status"] == "ok" and done["receipt"]["balance_after"] == "17.50"
        assert again["receipt"]["bss_ref"] == done["receipt"]["bss_ref"]  # one top-up, not two
        other = _signed_in(real_server, "+447700900002")
        assert client.get(f"/v1/conversations/{cid}", headers=other).status_code == 404


@pytest.mark.browser
async def test_widget_over_the_real_turn_loop(real_server: str) -> None:
    if not shutil.which(CHROMIUM):
        pytest.skip(f"no browser: {CHROMIUM} is not installed (apt-get install -y chromium)")
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = await browser.new_page(viewport={"width": 390, "height": 844})
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        try:
            await page.goto(real_server + "/")
            await page.wait_for_selector(
                "#sb-customer option[value='+447700900013']", state="attached"
            )
            await page.select_option("#sb-customer", "+447700900013")  # Katie, prepaid, £15.00
            await page.click("#sb-signin-go")
            await page.fill("#sb-input", "what does the unlimited plan include?")
            await page.keyboard.press("Enter")
            await page.locator(".sb-cites a").first.wait_for()
            await page.fill("#sb-input", "top up £10")
            await page.keyboard.press("Enter")
            await page.locator(".sb-card").get_by_role("button", name="Confirm").click()
            await page.locator(".sb-card-state", has_text="Done.").wait_for()
            await page.locator(".sb-assistant", has_text="credit is now £25").wait_for()
            before = await page.locator("#sb-log > li").all_text_contents()
            await _shot(page, "real-1-topped-up")
            await page.reload()
            await page.locator(".sb-card-state", has_text="Done.").wait_for()
            after = await page.locator("#sb-log > li").all_text_contents()
            assert after == before  # the whole transcript back, once
            await _shot(page, "real-2-after-reload")
        except BaseException:
            await _shot(page, "real-failure")
            print("LOG", await page.locator("#sb-log > li").all_text_contents())
            raise
        finally:
            await browser.close()
    assert errors == []
