"""The estimated model cost in the analytics report: tokens × the price per model (one table,
switchboard/pricing.py), overridable by a setting; an unknown model has no cost, not a guess."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker

from api.analytics import report
from switchboard.pricing import cost_usd
from switchboard.settings import load_settings
from tests.api.channels.conftest import MakeChannels, make_channels
from tests.api.test_analytics import PERIOD, conversation

__all__ = ["make_channels"]  # the fixture


async def test_tokens_are_priced_per_model(sessionmaker: async_sessionmaker[Any]) -> None:
    # three turns of 10 prompt and 5 completion tokens each
    await conversation(sessionmaker, turns=[("faq", "answered")] * 3)
    local = await report(sessionmaker, **PERIOD)
    mini = await report(sessionmaker, **PERIOD, model="openai:gpt-4.1-mini")
    unknown = await report(sessionmaker, **PERIOD, model="openai:gpt-9")
    own = await report(sessionmaker, **PERIOD, model="openai:gpt-9", prices={"gpt-9": (100, 1000)})
    assert local.tokens == {"prompt": 30, "completion": 15}
    assert local.cost.usd == 0.0
    assert mini.cost.usd == pytest.approx((30 * 0.40 + 15 * 1.60) / 1e6)
    assert unknown.cost.usd is None and unknown.cost.model == "openai:gpt-9"
    assert own.cost.usd == pytest.approx((30 * 100 + 15 * 1000) / 1e6)


def test_a_price_setting_overrides_the_shipped_table() -> None:
    settings = load_settings(model_prices={"gpt-4.1-mini": [1.0, 2.0]})
    assert settings.model_prices == {"gpt-4.1-mini": (1.0, 2.0)}
    priced = cost_usd(
        "openai:gpt-4.1-mini",
        prompt_tokens=1_000_000,
        completion_tokens=0,
        prices=settings.model_prices,
    )
    assert priced == pytest.approx(1.0)
    assert cost_usd("openai:gpt-4.1-mini", prompt_tokens=1_000_000, completion_tokens=0) == 0.40


async def test_the_admin_api_prices_at_the_configured_model(make_channels: MakeChannels) -> None:
    async with make_channels() as ch:
        response = await ch.client.get("/v1/admin/analytics", headers=ch.staff)
    assert response.status_code == 200, response.text
    assert ch.settings.llm == "local"  # the scripted model stands in for the local engine
    assert response.json()["cost"] == {
        "model": "local",
        "usd": 0.0,
        "prices_as_of": "2026-11",
        "by_model": {},  # no turns yet
    }
