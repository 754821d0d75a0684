"""Conversations over the public API, driven in-process against the fake service."""

from __future__ import annotations

from sqlalchemy import select

from switchboard.db.models import Feedback
from tests.api.conftest import ALICE, Api, parse_frames


async def test_a_turn_streams_sse_frames_with_ids_names_and_json(api: Api) -> None:
    headers = await api.sign_in()
    cid = await api.conversation(headers)
    response = await api.client.post(
        f"/v1/conversations/{cid}/messages",
        json={"text": "how can I top up?", "client_message_id": "m1"},
        headers=headers,
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    assert "retry: " in response.text
    frames = parse_frames(response.text)
    names = [f.event for f in frames]
    assert names[0] == "turn.started" and names[-1] == "turn.completed"
    assert {"retrieval", "token", "citation"} <= set(names)
    assert [f.id for f in frames] == list(range(1, len(frames) + 1))
    reply = "".join(f.data["text"] for f in frames if f.event == "token")
    assert reply == frames[-1].data["text"]
    citation = next(f for f in frames if f.event == "citation")
    assert citation.data["url"] == "/kb/kb-top-up-methods"


async def test_a_retried_message_never_runs_a_second_turn(api: Api) -> None:
    headers = await api.sign_in()
    cid = await api.conversation(headers)
    body = {"text": "how can I top up?", "client_message_id": "retry-1"}
    first = await api.client.post(f"/v1/conversations/{cid}/messages", json=body, headers=headers)
    again = await api.client.post(f"/v1/conversations/{cid}/messages", json=body, headers=headers)
    assert api.service.model_calls == 1
    assert parse_frames(again.text) == parse_frames(first.text)
    transcript = (await api.client.get(f"/v1/conversations/{cid}", headers=headers)).json()
    assert [m["role"] for m in transcript["messages"]] == ["customer", "assistant"]


async def test_anonymous_conversation_gets_a_session_and_knowledge_only(api: Api) -> None:
    created = await api.client.post("/v1/conversations")
    assert created.status_code == 201
    body = created.json()
    assert body["signed_in"] is False and body["token"]
    assert "sb_session" in created.headers["set-cookie"]
    assert "httponly" in created.headers["set-cookie"].lower()
    headers = {"Authorization": f"Bearer {body['token']}"}
    api.client.cookies.clear()
    response = await api.client.post(
        f"/v1/conversations/{body['conversation_id']}/messages",
        json={"text": "what's my balance", "client_message_id": "a1"},
        headers=headers,
    )
    done = parse_frames(response.text)[-1]
    assert done.data["outcome"] == "refused"


async def test_top_up_confirms_exactly_once(api: Api) -> None:
    headers = await api.sign_in(ALICE)
    cid = await api.conversation(headers)
    response = await api.client.post(
        f"/v1/conversations/{cid}/messages",
        json={"text": "top up £10", "client_message_id": "t1"},
        headers=headers,
    )
    proposed = next(f for f in parse_frames(response.text) if f.event == "action.proposed")
    action_id = proposed.data["action_id"]
    url = f"/v1/conversations/{cid}/actions/{action_id}/confirm"
    first = await api.client.post(url, headers=headers)
    second = await api.client.post(url, headers=headers)
    assert first.status_code == 200, first.text
    assert first.json()["status"] == "ok"
    assert first.json()["receipt"]["new_balance"] == 17.5
    assert second.json()["status"] == "ok"
    assert api.service.balances["cust-001"] == 17.5  # charged once


async def test_cancel_then_confirm_does_not_execute(api: Api) -> None:
    headers = await api.sign_in(ALICE)
    cid = await api.conversation(headers)
    response = await api.client.post(
        f"/v1/conversations/{cid}/messages",
        json={"text": "top up 20", "client_message_id": "t2"},
        headers=headers,
    )
    action_id = next(f for f in parse_frames(response.text) if f.event == "action.proposed").data[
        "action_id"
    ]
    base = f"/v1/conversations/{cid}/actions/{action_id}"
    cancelled = await api.client.post(f"{base}/cancel", headers=headers)
    assert cancelled.json()["status"] == "cancelled"
    confirmed = await api.client.post(f"{base}/confirm", headers=headers)
    assert confirmed.json()["status"] == "cancelled"
    assert api.service.balances.get("cust-001", 7.5) == 7.5


async def test_unknown_action_is_a_404_in_the_error_shape(api: Api) -> None:
    headers = await api.sign_in()
    cid = await api.conversation(headers)
    response = await api.client.post(
        f"/v1/conversations/{cid}/actions/nope/confirm", headers=headers
    )
    assert response.status_code == 404
    assert response.json() == {"error": {"code": "not_found", "message": "We couldn't find that."}}


async def test_feedback_is_stored(api: Api) -> None:
    headers = await api.sign_in()
    cid = await api.conversation(headers)
    response = await api.client.post(
        f"/v1/conversations/{cid}/feedback", json={"rating": -1, "comment": "meh"}, headers=headers
    )
    assert response.status_code == 201
    async with api.app.state.api.runtime.sessionmaker() as session:
        rows = (await session.scalars(select(Feedback))).all()
    assert [(r.conversation_id, r.rating, r.comment) for r in rows] == [(cid, -1, "meh")]


async def test_invalid_body_is_a_422_without_internals(api: Api) -> None:
    headers = await api.sign_in()
    cid = await api.conversation(headers)
    response = await api.client.post(
        f"/v1/conversations/{cid}/messages", json={"text": ""}, headers=headers
    )
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid_input"
    assert "Traceback" not in error["message"] and "pydantic" not in error["message"].lower()
