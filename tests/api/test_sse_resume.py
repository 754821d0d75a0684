"""SSE over real sockets: resume after a dropped connection, live events, keep-alive, retry hint."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from tests.api.conftest import (
    Api,
    Frame,
    FrameReader,
    live_server,
    make_settings,
    read_frames,
    running_api,
)


@pytest.fixture
async def served(tmp_path: Path) -> AsyncIterator[tuple[Api, str]]:
    async with running_api(make_settings(tmp_path), ping_s=0.3) as api, live_server(api.app) as url:
        yield api, url


async def _turn(api: Api, cid: str, headers: dict[str, str], text: str, cmid: str) -> None:
    response = await api.client.post(
        f"/v1/conversations/{cid}/messages",
        json={"text": text, "client_message_id": cmid},
        headers=headers,
    )
    assert response.status_code == 200


def _completed(count: int):  # type: ignore[no-untyped-def]
    return lambda frames: sum(f.event == "turn.completed" for f in frames) >= count


async def test_resume_with_last_event_id_gives_every_later_event_exactly_once(
    served: tuple[Api, str],
) -> None:
    api, base = served
    headers = await api.sign_in()
    cid = await api.conversation(headers)
    await _turn(api, cid, headers, "how do I top up?", "r1")
    url = f"{base}/v1/conversations/{cid}/events"
    async with httpx.AsyncClient(timeout=10) as client:
        async with client.stream("GET", url, headers=headers) as stream:
            first = await read_frames(stream, until=lambda frames: len(frames) >= 5)
        # dropped after 5 events; a second turn runs while nobody listens
        await _turn(api, cid, headers, "what's my balance", "r2")
        last_id = first[-1].id
        assert last_id == 5
        resumed_headers = {**headers, "Last-Event-ID": str(last_id)}
        async with client.stream("GET", url, headers=resumed_headers) as stream:
            rest = await read_frames(stream, until=_completed(2))
    total = (await api.client.get(f"/v1/conversations/{cid}", headers=headers)).json()
    ids = [f.id for f in first + rest]
    assert ids == list(range(1, total["last_event_id"] + 1))  # each id once, none missing


async def test_after_query_resumes_and_live_events_follow(served: tuple[Api, str]) -> None:
    api, base = served
    headers = await api.sign_in()
    cid = await api.conversation(headers)
    await _turn(api, cid, headers, "how do I top up?", "q1")
    async with httpx.AsyncClient(timeout=10) as client:
        url = f"{base}/v1/conversations/{cid}/events?after=3"
        async with client.stream("GET", url, headers=headers) as stream:
            reader = FrameReader(stream)
            replayed = await reader.until(_completed(1))
            assert replayed[0].id == 4
            agent = asyncio.create_task(
                _later(api.service.post_agent_message(cid, "Sam", "Hi, Sam here."))
            )
            live = await reader.until(lambda fs: any(f.event == "agent.message" for f in fs))
            await agent
    expected = Frame(replayed[-1].id, "agent.message", {"agent": "Sam", "text": "Hi, Sam here."})
    assert live == [Frame(expected.id + 1, expected.event, expected.data)]  # type: ignore[operator]


async def _later(coro):  # type: ignore[no-untyped-def]
    await asyncio.sleep(0.2)
    return await coro


async def test_streams_send_keep_alive_comments_and_a_retry_hint(served: tuple[Api, str]) -> None:
    api, base = served
    headers = await api.sign_in()
    cid = await api.conversation(headers)
    seen = ""
    async with httpx.AsyncClient(timeout=10) as client:
        url = f"{base}/v1/conversations/{cid}/events"
        async with client.stream("GET", url, headers=headers) as stream:
            assert stream.headers["cache-control"].startswith("no-cache")
            async for chunk in stream.aiter_text():
                seen += chunk
                if seen.count(": ping") >= 2:
                    break
    assert "retry: 2000" in seen


async def test_a_turn_continues_when_its_client_drops(served: tuple[Api, str]) -> None:
    api, base = served
    api.service.token_delay_s = 0.05
    headers = await api.sign_in()
    cid = await api.conversation(headers)
    async with httpx.AsyncClient(timeout=10) as client:
        url = f"{base}/v1/conversations/{cid}/messages"
        body = {"text": "how do I top up?", "client_message_id": "d1"}
        async with client.stream("POST", url, json=body, headers=headers) as stream:
            await read_frames(stream, until=lambda frames: len(frames) >= 3)
        # the client is gone mid-reply; the turn still completes and lands in the log
        stream_url = f"{base}/v1/conversations/{cid}/events"
        async with client.stream("GET", stream_url, headers=headers) as replay:
            frames = await read_frames(replay, until=_completed(1))
    assert frames[-1].event == "turn.completed"
    assert "".join(f.data["text"] for f in frames if f.event == "token") == frames[-1].data["text"]
