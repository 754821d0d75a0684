"""Nobody can read, stream or act on a conversation that is not theirs: 404 on every endpoint."""

from __future__ import annotations

import pytest

from tests.api.conftest import ALICE, BEN, Api

# Every route under /v1/conversations/{conversation_id}; the last test keeps this list complete.
ENDPOINTS = [
    ("GET", "/v1/conversations/{cid}", None),
    ("GET", "/v1/conversations/{cid}/events", None),
    ("POST", "/v1/conversations/{cid}/messages", {"text": "balance", "client_message_id": "x1"}),
    ("POST", "/v1/conversations/{cid}/actions/{aid}/confirm", None),
    ("POST", "/v1/conversations/{cid}/actions/{aid}/cancel", None),
    ("POST", "/v1/conversations/{cid}/feedback", {"rating": 1}),
    ("POST", "/v1/conversations/{cid}/surveys/1", {"score": 5}),
]


async def _alices_conversation_with_action(api: Api) -> tuple[str, str]:
    alice = await api.sign_in(ALICE)
    cid = await api.conversation(alice)
    response = await api.client.post(
        f"/v1/conversations/{cid}/messages",
        json={"text": "top up 10", "client_message_id": "own-1"},
        headers=alice,
    )
    action_id = (
        next(line for line in response.text.splitlines() if '"action_id"' in line)
        .split('"action_id":"')[1]
        .split('"')[0]
    )
    return cid, action_id


@pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS)
async def test_another_customer_gets_404(
    api: Api, method: str, path: str, body: dict[str, object] | None
) -> None:
    cid, aid = await _alices_conversation_with_action(api)
    ben = await api.sign_in(BEN)
    url = path.format(cid=cid, aid=aid)
    response = await api.client.request(method, url, json=body, headers=ben)
    assert response.status_code == 404, response.text
    assert response.json()["error"]["code"] == "not_found"
    calls = api.service.model_calls
    assert calls == 1 and api.service.balances.get("cust-001") is None


@pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS)
async def test_an_anonymous_session_gets_404(
    api: Api, method: str, path: str, body: dict[str, object] | None
) -> None:
    cid, aid = await _alices_conversation_with_action(api)
    anon = (await api.client.post("/v1/conversations")).json()["token"]
    api.client.cookies.clear()
    response = await api.client.request(
        method,
        path.format(cid=cid, aid=aid),
        json=body,
        headers={"Authorization": f"Bearer {anon}"},
    )
    assert response.status_code == 404


@pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS)
async def test_no_credentials_is_401(
    api: Api, method: str, path: str, body: dict[str, object] | None
) -> None:
    cid, aid = await _alices_conversation_with_action(api)
    response = await api.client.request(method, path.format(cid=cid, aid=aid), json=body)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthorized"


async def test_anonymous_conversations_belong_to_their_session(api: Api) -> None:
    first = (await api.client.post("/v1/conversations")).json()
    api.client.cookies.clear()
    second = (await api.client.post("/v1/conversations")).json()
    api.client.cookies.clear()
    url = f"/v1/conversations/{first['conversation_id']}"
    mine = await api.client.get(url, headers={"Authorization": f"Bearer {first['token']}"})
    theirs = await api.client.get(url, headers={"Authorization": f"Bearer {second['token']}"})
    assert (mine.status_code, theirs.status_code) == (200, 404)


async def test_the_endpoint_list_covers_every_conversation_route(api: Api) -> None:
    routes = {
        (method.upper(), path)
        for path, operations in api.app.openapi()["paths"].items()
        if path.startswith("/v1/conversations/{conversation_id}")  # the customer's routes
        for method in operations
    }
    listed = {
        (
            m,
            p.replace("{cid}", "{conversation_id}")
            .replace("{aid}", "{action_id}")
            .replace("/surveys/1", "/surveys/{survey_id}"),
        )
        for m, p, _ in ENDPOINTS
    }
    assert routes == listed
