"""The over-HTTP runner reads the API's SSE stream into the records the dev-set scores read."""

from __future__ import annotations

import json

import httpx
import pytest

from evals.over_http import ApiRunner
from evals.suite import Case, Turn


def _sse(*events: tuple[str, dict[str, object]]) -> str:
    return "".join(f"event: {name}\ndata: {json.dumps(data)}\n\n" for name, data in events)


def _server(seen: list[tuple[str, str, str | None]]) -> httpx.MockTransport:
    def handle(request: httpx.Request) -> httpx.Response:
        auth = request.headers.get("authorization")
        seen.append((request.method, request.url.path, auth))
        if request.url.path == "/v1/demo/session":
            return httpx.Response(200, json={"token": "signed-in", "expires_in": 900})
        if request.url.path == "/v1/conversations":
            token = None if auth else "anon"
            return httpx.Response(201, json={"conversation_id": "c1", "token": token})
        text = json.loads(request.content)["text"]
        if text == "top up 5":
            body = _sse(
                ("turn.started", {"turn_id": "t1"}),
                ("tool.call", {"call_id": "x", "tool": "top_up", "args": {"amount": 5}}),
                ("action.proposed", {"action_id": "a1", "tool": "top_up", "amount": 5}),
                ("turn.completed", {"text": "Top up £5?", "capability": "top_up",
                                    "outcome": "proposed", "citations": []}),
            )  # fmt: skip
        else:
            body = _sse(
                ("action.executed", {"action_id": "a1", "tool": "top_up", "status": "ok"}),
                ("turn.completed", {"text": "Done.", "capability": "top_up", "outcome": "acted",
                                    "citations": ["kb-top-up"]}),
            )  # fmt: skip
        return httpx.Response(200, text=body, headers={"content-type": "text/event-stream"})

    return httpx.MockTransport(handle)


@pytest.mark.parametrize(
    ("customer", "token"), [("+447700900001", "signed-in"), ("anonymous", "anon")]
)
async def test_a_case_over_http_becomes_turn_records(
    monkeypatch: pytest.MonkeyPatch, customer: str, token: str
) -> None:
    seen: list[tuple[str, str, str | None]] = []
    transport = _server(seen)
    real_client = httpx.AsyncClient

    def client(**kwargs: object) -> httpx.AsyncClient:
        return real_client(transport=transport, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(httpx, "AsyncClient", client)
    case = Case(id="c", customer=customer, turns=[Turn(user="top up 5"), Turn(user="yes")])
    [result] = await ApiRunner("http://test").run("dev", [case])
    assert result.error is None
    first, second = result.turns
    assert (first.capability, first.outcome, first.proposed[0]["amount"]) == (
        "top_up",
        "proposed",
        5,
    )
    assert [c.tool for c in first.tools] == ["top_up"]
    assert second.executed[0]["status"] == "ok" and second.citations == ["kb-top-up"]
    messages = [auth for method, path, auth in seen if path.endswith("/messages")]
    assert messages == [f"Bearer {token}"] * 2  # every turn carries the conversation's session
