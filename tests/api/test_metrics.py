"""GET /metrics: Prometheus text that its own parser reads, counting what the event log holds."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families

from tests.api.channels.conftest import Channels, MakeChannels, make_channels
from tests.fakes.scripted_model import call, say

__all__ = ["make_channels"]  # the fixture


async def _scrape(
    ch: Channels, headers: dict[str, str] | None = None
) -> dict[tuple[str, str], float]:
    response = await ch.client.get("/metrics", headers=headers if headers is not None else ch.staff)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    samples: dict[tuple[str, str], float] = {}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            labels = ",".join(f"{k}={v}" for k, v in sorted(sample.labels.items()))
            samples[(sample.name, labels)] = sample.value
    return samples


def _delta(
    after: dict[tuple[str, str], float], before: dict[tuple[str, str], float], key: tuple[str, str]
) -> float:
    return after.get(key, 0.0) - before.get(key, 0.0)


async def test_metrics_count_turns_quotes_actions_and_handoffs(make_channels: MakeChannels) -> None:
    script = [call("top_up", amount=10), say("£10 from your card. Shall I go ahead?")]
    async with make_channels(script) as ch:
        assert (await ch.client.get("/metrics")).status_code == 401  # the console token guards it
        before = await _scrape(ch)
        await ch.whatsapp("top up £10", wamid="wamid.M1")
        await ch.settle()
        await ch.whatsapp("yes", wamid="wamid.M2")
        await ch.settle()
        await ch.whatsapp("agent", wamid="wamid.M3")
        await ch.settle()
        after = await _scrape(ch)
    assert _delta(after, before, ("switchboard_customer_messages_total", "")) == 3
    assert _delta(after, before, ("switchboard_actions_proposed_total", "tool=top_up")) == 1
    assert _delta(after, before, ("switchboard_actions_total", "status=ok,tool=top_up")) == 1
    assert (
        _delta(
            after, before, ("switchboard_handoffs_total", "queue=general,reason=customer_request")
        )
        == 1
    )
    turns = sum(
        v - before.get(k, 0.0) for k, v in after.items() if k[0] == "switchboard_turns_total"
    )
    latencies = _delta(after, before, ("switchboard_turn_latency_seconds_count", ""))
    assert turns == latencies == 3
    assert ("switchboard_sse_streams_open", "") in after
    assert after[("switchboard_outbox_messages", "status=pending")] >= 3  # the replies wait there


async def test_an_open_metrics_port_needs_no_token(make_channels: MakeChannels) -> None:
    async with make_channels(metrics_open=True) as ch:
        samples = await _scrape(ch, headers={})
    assert ("switchboard_sse_streams_open", "") in samples
