"""Business accounts, end to end (issue 16): each line user signs in as themselves and sees and
acts on their own line only; the account's admin (its contact) on every line. Over the web API
and over WhatsApp, on the real runtime (tools, BSS simulator) with a scripted model."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from switchboard.db.models import Event
from tests.api.channels.conftest import Channels, MakeChannels
from tests.api.conftest import parse_frames
from tests.fakes.scripted_model import call, say
from tools.registry import ADMIN_ONLY

GRACE, TOM, PRIYA = "+447700900007", "+447700900008", "+447700900009"  # Greenfield Logistics


async def sign_in(ch: Channels, msisdn: str) -> dict[str, str]:
    response = await ch.client.post("/v1/demo/session", json={"msisdn": msisdn})
    assert response.status_code == 200, response.text
    ch.client.cookies.clear()
    return {"Authorization": f"Bearer {response.json()['token']}"}


async def turn(ch: Channels, headers: dict[str, str], cid: str, text: str, n: int) -> list[Any]:
    response = await ch.client.post(
        f"/v1/conversations/{cid}/messages",
        json={"text": text, "client_message_id": f"m{n}"},
        headers=headers,
    )
    assert response.status_code == 200, response.text
    return [f.data for f in parse_frames(response.text) if f.event == "tool.result"]


async def start(ch: Channels, headers: dict[str, str]) -> str:
    response = await ch.client.post("/v1/conversations", headers=headers)
    assert response.status_code == 201
    return str(response.json()["conversation_id"])


def _outcome(result: dict[str, Any]) -> tuple[str, str]:
    return result["tool"], result["status"]


async def test_a_line_user_acts_on_their_own_line_only(make_channels: MakeChannels) -> None:
    script = [
        call("get_account_overview", msisdn=GRACE), say("."),
        call("set_roaming", msisdn=PRIYA, enabled=True), say("."),
        call("get_bills"), say("."),
        call("get_account_overview"), say("."),
        call("get_account_overview", msisdn=TOM), say("."),
        call("get_bills"), say("."),
    ]  # fmt: skip
    async with make_channels(script) as ch:
        tom = await sign_in(ch, TOM)
        cid = await start(ch, tom)
        [colleague] = await turn(ch, tom, cid, "how's Grace's line?", 1)
        assert _outcome(colleague) == ("get_account_overview", "error")
        assert "isn't a line on your account" in colleague["summary"]
        [write] = await turn(ch, tom, cid, "turn on roaming for Priya", 2)
        assert _outcome(write) == ("set_roaming", "error")
        [bills] = await turn(ch, tom, cid, "show the company bills", 3)
        assert (_outcome(bills), bills["summary"]) == (("get_bills", "error"), ADMIN_ONLY)
        [own] = await turn(ch, tom, cid, "my line?", 4)
        assert _outcome(own) == ("get_account_overview", "ok") and TOM in own["summary"]
        assert GRACE not in own["summary"] and PRIYA not in own["summary"]

        grace = await sign_in(ch, GRACE)  # the account's contact: its admin
        admin_cid = await start(ch, grace)
        [other] = await turn(ch, grace, admin_cid, "how's Tom's line?", 5)
        assert _outcome(other) == ("get_account_overview", "ok") and TOM in other["summary"]
        [company] = await turn(ch, grace, admin_cid, "the bills", 6)
        assert _outcome(company) == ("get_bills", "ok")

        # each one's conversations are their own, though the account is the same
        for who, theirs in ((tom, admin_cid), (grace, cid), (await sign_in(ch, PRIYA), cid)):
            assert (
                await ch.client.get(f"/v1/conversations/{theirs}", headers=who)
            ).status_code == 404


async def test_a_line_user_by_whatsapp_is_held_to_that_line(make_channels: MakeChannels) -> None:
    async with make_channels([call("get_account_overview", msisdn=GRACE), say(".")]) as ch:
        assert (await ch.whatsapp("Grace's line?", wamid="wamid.B1", sender=TOM)).status_code == 200
        await ch.settle()
        async with ch.runtime.sessionmaker() as session:
            [result] = (
                await session.scalars(select(Event.data).where(Event.type == "tool.result"))
            ).all()
        assert (result["tool"], result["status"]) == ("get_account_overview", "error")
