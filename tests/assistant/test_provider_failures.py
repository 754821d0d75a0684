"""The OpenAI wire path under 429, 5xx, timeouts and stalls: retries only before the first
token, fallbacks, and an apology with the offer of a person when every model fails."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from typing import Any

import pytest

from assistant.models import make_chat_model, make_http_client
from switchboard.settings import Settings
from tests.assistant.conftest import ALICE, MakeHarness, completed, reply, types
from tests.fakes.openai_server import FakeOpenAIServer

OK = {"text": "You have £7.50 of credit."}


@pytest.fixture
async def remote(
    settings: Settings, openai_server: FakeOpenAIServer
) -> AsyncIterator[tuple[Settings, Any]]:
    tuned = settings.model_copy(
        update={
            "llm": "openai:gpt-4.1-mini",
            "llm_base_url": openai_server.base_url,
            "llm_timeout_s": 1.0,
        }
    )
    client = make_http_client(tuned)
    yield tuned, client
    await client.aclose()


async def _turn(
    make_harness: MakeHarness, remote: tuple[Settings, Any], fallbacks: list[str] | None = None
) -> tuple[list[Any], float]:
    tuned, client = remote
    model = make_chat_model(tuned.llm, tuned, fallbacks=fallbacks, http_async_client=client)
    h = make_harness(model, settings=tuned)
    cid = await h.service.start_conversation(ALICE)
    started = time.monotonic()
    events = await h.say(cid, "how much credit do I have")
    return events, time.monotonic() - started


@pytest.mark.parametrize("status", [429, 500, 503])
async def test_one_transient_error_is_retried_before_the_first_token(
    make_harness: MakeHarness,
    remote: tuple[Settings, Any],
    openai_server: FakeOpenAIServer,
    status: int,
) -> None:
    openai_server.fake.load([{"status": status, "retry_after": 0}, OK])
    events, _ = await _turn(make_harness, remote)
    assert "£7.50" in reply(events)
    assert "error" not in types(events)
    assert len(openai_server.fake.requests) == 2


async def test_timeout_then_success(
    make_harness: MakeHarness, remote: tuple[Settings, Any], openai_server: FakeOpenAIServer
) -> None:
    openai_server.fake.load([{"delay_s": 3, **OK}, OK])
    events, elapsed = await _turn(make_harness, remote)
    assert "£7.50" in reply(events) and elapsed < 3


async def test_fallback_model_answers_when_the_primary_keeps_failing(
    make_harness: MakeHarness, remote: tuple[Settings, Any], openai_server: FakeOpenAIServer
) -> None:
    openai_server.fake.load([{"status": 503}, {"status": 503}, OK])
    events, _ = await _turn(make_harness, remote, fallbacks=["openai:gpt-4.1-nano"])
    assert "£7.50" in reply(events)
    assert [r["model"] for r in openai_server.fake.requests] == [
        "gpt-4.1-mini",
        "gpt-4.1-mini",
        "gpt-4.1-nano",
    ]


async def test_every_model_failing_gives_an_apology_and_the_offer_of_a_person(
    make_harness: MakeHarness, remote: tuple[Settings, Any], openai_server: FakeOpenAIServer
) -> None:
    openai_server.fake.load([{"status": 429}] * 10)
    events, elapsed = await _turn(make_harness, remote)
    error = next(e for e in events if e.type == "error")
    assert error.data["code"] == "model_unavailable"
    done = completed(events)
    assert "put you through to a person" in done["text"]
    assert done["confidence"] == 0.0
    assert elapsed < 10


async def test_a_stall_after_the_first_token_is_not_retried(
    make_harness: MakeHarness, remote: tuple[Settings, Any], openai_server: FakeOpenAIServer
) -> None:
    openai_server.fake.load([{"stall_after_first_s": 3, **OK}, OK])
    events, elapsed = await _turn(make_harness, remote)
    assert len(openai_server.fake.requests) == 1  # a retry could have repeated tokens
    assert next(e for e in events if e.type == "error").data["code"] == "model_unavailable"
    assert types(events)[-1] == "turn.completed" and elapsed < 3


async def test_yes_to_the_offer_after_a_failure_hands_off(
    make_harness: MakeHarness, remote: tuple[Settings, Any], openai_server: FakeOpenAIServer
) -> None:
    openai_server.fake.load([{"status": 500}] * 4)
    tuned, client = remote
    h = make_harness(make_chat_model(tuned.llm, tuned, http_async_client=client), settings=tuned)
    cid = await h.service.start_conversation(ALICE)
    await h.say(cid, "how much credit do I have")
    events = await h.say(cid, "yes please")
    assert completed(events)["outcome"] == "handed_off"
    assert next(e for e in events if e.type == "handoff").data["reason"] == "customer_request"
