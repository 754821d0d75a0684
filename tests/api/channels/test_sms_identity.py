"""Identity by channel strength, end to end (issue 16): an SMS From can be spoofed, so it only
*claims* a customer. Account reads wait for a one-time code texted to that line — which a
spoofer never sees — and writes need step-up on the web or app; WhatsApp, which proves the
number, reads at once."""

from __future__ import annotations

import re
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage, SystemMessage
from sqlalchemy import select
from twilio.request_validator import RequestValidator

from api.channels.verification import CONFIRMED, STEPPED_UP, WRONG
from switchboard.db.models import Event, PendingAction
from tests.api.channels.conftest import PUBLIC, TWILIO_TOKEN, Channels, MakeChannels
from tests.api.channels.test_sms import form
from tests.fakes.scripted_model import call, say
from tools.registry import STEP_UP_BY_CODE, STEP_UP_ELSEWHERE, VERIFY_BY_CODE

URL = f"{PUBLIC}/v1/webhooks/sms"


async def sms(ch: Channels, text: str, sid: str) -> None:
    data = form(text, sid="SM" + sid.rjust(32, "0"))
    signature = RequestValidator(TWILIO_TOKEN).compute_signature(URL, data)
    response = await ch.client.post(
        "/v1/webhooks/sms", data=data, headers={"X-Twilio-Signature": signature}
    )
    assert response.status_code == 200
    await ch.settle()


async def tool_results(ch: Channels) -> list[dict[str, Any]]:
    async with ch.runtime.sessionmaker() as session:
        rows = await session.scalars(select(Event.data).where(Event.type == "tool.result"))
        return [dict(r) for r in rows]


async def texts_to(ch: Channels, kind: str) -> list[str]:
    return [r["payload"]["text"] for r in await ch.outbox(channel="sms") if r["kind"] == kind]


ACCOUNT = [call("get_account_overview"), say("Here is your account.")]


def code_in(text: str) -> str:
    found = re.search(r"\b(\d{6})\b", text)
    assert found is not None
    return found.group(1)


async def test_a_claimed_sms_identity_reads_after_a_code_and_writes_after_a_fresh_one(
    make_channels: MakeChannels,
) -> None:
    quote = [call("top_up", amount=10), say("£10?")]
    script = [*ACCOUNT * 3, *quote * 2, call("block_line", reason="stolen"), say("Block it?")]
    async with make_channels(script) as ch:
        await sms(ch, "what's my balance?", "1")  # anyone can send this From
        [refused] = await tool_results(ch)
        assert refused["status"] == "error" and refused["summary"] == VERIFY_BY_CODE
        [code_sms] = await texts_to(ch, "otp")  # texted to the line, not shown to the sender
        code = code_in(code_sms)
        assert all(code not in text for text in await texts_to(ch, "reply"))

        await sms(ch, f"{(int(code) + 1) % 1_000_000:06d}", "2")  # a spoofer's guess
        assert (await texts_to(ch, "reply"))[-1] == WRONG
        await sms(ch, "balance please", "3")  # asks again: a new code goes to the line
        codes = await texts_to(ch, "otp")
        assert len(codes) == 2

        await sms(ch, code_in(codes[-1]), "4")  # the line's owner answers with the code
        assert (await texts_to(ch, "reply"))[-1] == CONFIRMED
        await sms(ch, "what's my balance?", "5")
        results = await tool_results(ch)
        assert (results[-1]["tool"], results[-1]["status"]) == ("get_account_overview", "ok")

        await sms(ch, "top up £10", "6")  # a write needs a fresh code, even after the first
        assert (await tool_results(ch))[-1]["summary"] == STEP_UP_BY_CODE
        codes = await texts_to(ch, "otp")
        assert len(codes) == 3
        await sms(ch, code_in(codes[-1]), "7")
        assert (await texts_to(ch, "reply"))[-1] == STEPPED_UP
        await sms(ch, "top up £10", "8")
        assert (await tool_results(ch))[-1]["status"] == "ok"
        await sms(ch, "yes", "9")
        async with ch.runtime.sessionmaker() as session:
            [action] = (await session.scalars(select(PendingAction))).all()
        assert (action.tool, action.status) == ("top_up", "succeeded")

        await sms(ch, "block my line", "10")  # the step-up was used by the top-up
        assert (await tool_results(ch))[-1]["summary"] == STEP_UP_BY_CODE


async def test_a_tool_can_be_kept_off_the_claimed_channel(make_channels: MakeChannels) -> None:
    script = [call("block_line", reason="stolen"), say("Block it?")]
    async with make_channels(script, claimed_tool_policy={"block_line": "never"}) as ch:
        await sms(ch, "block my line", "11")
        [result] = await tool_results(ch)
        assert (result["status"], result["summary"]) == ("error", STEP_UP_ELSEWHERE)
        assert await texts_to(ch, "otp") == []  # no code would help


async def test_whatsapp_proves_the_number_and_reads_at_once(make_channels: MakeChannels) -> None:
    async with make_channels(ACCOUNT) as ch:
        assert (await ch.whatsapp("what's my balance?", wamid="wamid.ID1")).status_code == 200
        await ch.settle()
        [result] = await tool_results(ch)
        assert result["status"] == "ok"
        assert await texts_to(ch, "otp") == []


async def test_the_policy_is_a_setting_per_channel_and_tool(make_channels: MakeChannels) -> None:
    policy = {"channel_trust": {"sms": "verified"}, "claimed_tool_policy": {}}
    async with make_channels(ACCOUNT, **policy) as ch:
        await sms(ch, "what's my balance?", "8")
        [result] = await tool_results(ch)
        assert result["status"] == "ok"


def follows_the_step(messages: list[BaseMessage]) -> AIMessage:
    """A model that makes the call a held playbook step asks for (journey_hands.step_note)."""
    for message in messages:
        text = str(message.content)
        if isinstance(message, SystemMessage) and "At this step call `" in text:
            return call(text.split("At this step call `", 1)[1].split("`", 1)[0])
    return say("Happy to help with that.")


async def test_a_found_phone_is_unblocked_over_sms_only_after_a_fresh_code(
    make_channels: MakeChannels,
) -> None:
    found = "my phone turned up, unblock it"
    async with make_channels([follows_the_step] * 40) as ch:  # type: ignore[list-item]
        await ch.runtime.bss.block_line(
            customer_id="cust-001", product_id="line-900001", idempotency_key="lost", reason="lost"
        )
        await sms(ch, found, "21")  # a claimed identity: the line is not even read yet
        assert (await tool_results(ch))[-1]["summary"] == VERIFY_BY_CODE
        await sms(ch, code_in((await texts_to(ch, "otp"))[-1]), "22")
        await sms(ch, found, "23")  # the line is read; the unblock waits for a fresh code
        assert (await tool_results(ch))[-1]["summary"] == STEP_UP_BY_CODE
        await sms(ch, code_in((await texts_to(ch, "otp"))[-1]), "24")
        assert (await texts_to(ch, "reply"))[-1] == STEPPED_UP
        await sms(ch, found, "25")
        assert (await tool_results(ch))[-1]["tool"] == "unblock_line"
        line = await ch.runtime.bss.get_product(customer_id="cust-001", product_id="line-900001")
        assert line.status == "suspended"  # quoted, not done
        await sms(ch, "yes", "26")
        async with ch.runtime.sessionmaker() as session:
            actions = (await session.scalars(select(PendingAction))).all()
        assert [(a.tool, a.status) for a in actions] == [("unblock_line", "succeeded")]
        line = await ch.runtime.bss.get_product(customer_id="cust-001", product_id="line-900001")
        assert line.status == "active"
