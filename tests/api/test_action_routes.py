"""The confirm and cancel routes over the real service (issue 16): a repeated confirm replays
the same event and adds nothing, someone else's action is 404 with nothing stored, and an
action being executed is 202 `in_progress` — never `failed`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import func, select, update

from switchboard.db.models import Event, PendingAction
from tests.api.channels.conftest import Channels, channel_settings, running_channels
from tests.api.conftest import ALICE, BEN, parse_frames
from tests.fakes.scripted_model import call, say


async def _session(ch: Channels, msisdn: str) -> tuple[dict[str, str], str]:
    token = (await ch.client.post("/v1/demo/session", json={"msisdn": msisdn})).json()["token"]
    ch.client.cookies.clear()
    headers = {"Authorization": f"Bearer {token}"}
    cid = (await ch.client.post("/v1/conversations", headers=headers)).json()["conversation_id"]
    return headers, str(cid)


async def _events(ch: Channels, cid: str) -> int:
    async with ch.runtime.sessionmaker() as session:
        count = await session.scalar(
            select(func.count()).select_from(Event).where(Event.conversation_id == cid)
        )
    return int(count or 0)


async def _quote(ch: Channels, headers: dict[str, str], cid: str) -> str:
    response = await ch.client.post(
        f"/v1/conversations/{cid}/messages",
        json={"text": "top up £10", "client_message_id": "q"},
        headers=headers,
    )
    frames = parse_frames(response.text)
    return str(next(f.data["action_id"] for f in frames if f.event == "action.proposed"))


async def test_confirm_routes(tmp_path: Path) -> None:
    script: list[Any] = [call("top_up", amount=10), say("£10?")] * 2
    async with running_channels(channel_settings(tmp_path), script) as ch:
        alice, cid = await _session(ch, ALICE)
        action_id = await _quote(ch, alice, cid)
        url = f"/v1/conversations/{cid}/actions/{action_id}"
        first = await ch.client.post(f"{url}/confirm", headers=alice)
        assert first.status_code == 200 and first.json()["status"] == "ok"
        await ch.app.state.api.turns.drain(10)  # the follow-up of the turn has been stored
        stored = await _events(ch, cid)
        again = await ch.client.post(f"{url}/confirm", headers=alice)
        assert again.json() == first.json()  # the same event id: a replay
        assert await _events(ch, cid) == stored

        ben, bens = await _session(ch, BEN)
        before = await _events(ch, bens)
        for verb in ("confirm", "cancel"):
            foreign = f"/v1/conversations/{bens}/actions/{action_id}/{verb}"
            assert (await ch.client.post(foreign, headers=ben)).status_code == 404
        assert await _events(ch, bens) == before

        second = await _quote(ch, alice, cid)
        async with ch.runtime.sessionmaker() as session, session.begin():
            await session.execute(  # mid-execution (or left so by a dead process)
                update(PendingAction).where(PendingAction.id == second).values(status="executing")
            )
        stored = await _events(ch, cid)
        for verb in ("confirm", "cancel"):
            busy = await ch.client.post(
                f"/v1/conversations/{cid}/actions/{second}/{verb}", headers=alice
            )
            assert busy.status_code == 202
            assert busy.json()["status"] == "in_progress" and busy.json()["action_id"] == second
        assert await _events(ch, cid) == stored
