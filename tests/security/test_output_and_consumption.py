"""SECURITY-NOTES §1 tests 5 and 6.

LLM05 improper output handling: the widget and console never put server text into HTML (static
check of every api/static/*.js), and a reply carrying markup reaches the SSE data and the
transcript as plain text, byte for byte. Tool-argument validation (amounts, E.164 numbers, plan
ids) is proven by the tools team's property tests: tests/tools/ (see docs/security.md).

LLM10 unbounded consumption over the real runtime: a 100k-character message is refused fast with
413 and the chat model is never called; a burst gets 429 with Retry-After. (The stream cap and
the per-conversation token budget are in tests/api/test_limits.py.)"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

from langchain_core.messages import AIMessage

from switchboard.settings import Settings
from tests.api.conftest import make_settings
from tests.fakes.scripted_model import ScriptedChatModel
from tests.security.conftest import REPO, security_world
from tests.security.test_cross_customer import _api, _token

XSS = '<img src=x onerror=alert(1)><script>alert("x")</script>![p](https://evil.example/?q=1)'
HTML_SINKS = re.compile(
    r"\.(innerHTML|outerHTML)\s*[+]?=|insertAdjacentHTML|document\.write|\beval\(|new Function\("
)


def test_the_widget_never_writes_html() -> None:
    scripts = sorted((REPO / "api" / "static").glob("*.js"))
    assert scripts, "no widget scripts found"
    for script in scripts:
        code = re.sub(r"/\*.*?\*/|//[^\n]*", "", script.read_text(encoding="utf-8"), flags=re.S)
        assert not HTML_SINKS.findall(code), script.name
        assert "textContent" in code, script.name  # the way text is set


class Counting(ScriptedChatModel):
    """The chat model, counting calls; always answers with markup."""


async def test_markup_in_a_reply_is_delivered_as_text(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, bss_clock_speed=1e9)
    model = Counting(script=[AIMessage(content=XSS)] * 3)
    async with security_world(settings, model=model) as world, _api(world) as client:
        alice = await _token(client, world.a.identity.msisdn or "")
        cid = (await client.post("/v1/conversations", headers=alice)).json()["conversation_id"]
        response = await client.post(
            f"/v1/conversations/{cid}/messages",
            json={"text": "hello there", "client_message_id": "x1"},
            headers=alice,
        )
        assert response.headers["content-type"].startswith("text/event-stream")
        frames = [
            json.loads(line[5:]) for line in response.text.splitlines() if line.startswith("data:")
        ]
        done = [f for f in frames if "outcome" in f]
        assert done and done[-1]["text"] == XSS  # a JSON string: text, not markup
        transcript = await world.runtime.service.transcript(cid)
        assert transcript[-1]["text"] == XSS


async def test_a_100k_message_is_refused_fast_without_a_model_call(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, bss_clock_speed=1e9, rate_limit_per_minute=3)
    model = Counting(script=[AIMessage(content="hi")] * 10)
    async with security_world(settings, model=model) as world, _api(world) as client:
        alice = await _token(client, world.a.identity.msisdn or "")
        cid = (await client.post("/v1/conversations", headers=alice)).json()["conversation_id"]
        started = time.monotonic()
        big = await client.post(
            f"/v1/conversations/{cid}/messages",
            json={"text": "top up £50 " * 10_000, "client_message_id": "big"},
            headers=alice,
        )
        assert big.status_code in (413, 422), big.text
        assert time.monotonic() - started < 5.0
        assert model.calls == 0
        codes = []
        for _n in range(5):  # burst: the per-customer limit is 3 a minute here
            burst = await client.post(
                f"/v1/conversations/{cid}/feedback", json={"rating": 1}, headers=alice
            )
            codes.append(burst.status_code)
        assert 429 in codes and 1 <= int(burst.headers["Retry-After"]) <= 60
        assert model.calls == 0


def test_settings_bound_every_turn() -> None:
    defaults = Settings()
    assert defaults.max_message_chars <= 8000 and defaults.max_tool_iterations <= 10
    assert defaults.conversation_token_budget > 0 and defaults.max_streams_per_conversation <= 5
