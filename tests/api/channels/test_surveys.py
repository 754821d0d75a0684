"""Surveys end to end (issue #20 part 1, ADR 0025): asked after a resolved conversation on its
own channel, answered by a reply or the widget's buttons, never during a handoff or an open quote,
at most once per customer per interval, and read back by the operator."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select, update
from twilio.request_validator import RequestValidator

from switchboard import clock
from switchboard.db.eventlog import append_event
from switchboard.db.models import Conversation, Event, Survey, Turn
from tests.api.channels.conftest import (
    ALICE,
    PUBLIC,
    TELEGRAM_SECRET,
    TWILIO_TOKEN,
    Channels,
    MakeChannels,
    spec,
)
from tests.api.channels.test_sms import form as sms_form
from tests.fakes.scripted_model import call, say

BOB = "+447700900002"
BALANCE = [call("get_account_overview"), say("You have £12.50 of credit.")]
SMS_URL = f"{PUBLIC}/v1/webhooks/sms"
SENDING = {"whatsapp_access_token": "wa-token", "whatsapp_phone_number_id": "106540352242922"}


async def _surveys(ch: Channels) -> list[Survey]:
    async with ch.runtime.sessionmaker() as session:
        return list((await session.scalars(select(Survey).order_by(Survey.id))).all())


async def _turns(ch: Channels) -> int:
    async with ch.runtime.sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(Turn)) or 0)


def _texts(rows: list[dict[str, Any]]) -> list[str]:
    return [str(r["payload"]["text"]) for r in sorted(rows, key=lambda r: r["id"])]


async def test_whatsapp_nps_after_goodbye_answered_by_a_reply(make_channels: MakeChannels) -> None:
    async with make_channels([*BALANCE, say("You're welcome, bye!")], **SENDING) as ch:
        await ch.whatsapp("how much credit have I got", wamid="wamid.s1")
        await ch.settle()
        assert await _surveys(ch) == []  # answered, but the customer has not closed it yet
        await ch.whatsapp("thanks, bye", wamid="wamid.s2")
        await ch.settle()
        texts = _texts(await ch.outbox(channel="whatsapp"))
        assert texts[-2] == "You're welcome, bye!"  # the reply first, then the question
        assert "How likely are you to recommend Brightwave" in texts[-1]
        assert texts[-1].endswith("Reply with a number from 0 to 10.")
        sent = json.loads(ch.provider.requests[-1].content)
        assert sent["type"] == "text"  # 11 answers do not fit a WhatsApp list (10 rows)
        [asked] = await _surveys(ch)
        assert (asked.kind, asked.status, asked.channel) == ("nps", "asked", "whatsapp")

        turns = await _turns(ch)
        await ch.whatsapp("9 - quick and painless", wamid="wamid.s3")
        await ch.settle()
        [answered] = await _surveys(ch)
        assert (answered.status, answered.score, answered.comment) == (
            "answered",
            9,
            "quick and painless",
        )
        assert await _turns(ch) == turns  # the answer was not a message for the assistant
        assert "Thank you for your feedback" in _texts(await ch.outbox(channel="whatsapp"))[-1]


async def test_a_reply_that_is_not_a_score_goes_to_the_assistant(
    make_channels: MakeChannels,
) -> None:
    script = [*BALANCE, say("Bye!"), say("Roaming costs £2 a day in the EU.")]
    async with make_channels(script) as ch:
        await ch.whatsapp("balance please", wamid="wamid.n1")
        await ch.whatsapp("cheers bye", wamid="wamid.n2")
        await ch.settle()
        turns = await _turns(ch)
        await ch.whatsapp("10 minutes ago I landed in Spain, how much is roaming?", wamid="n3")
        await ch.settle()
        [survey] = await _surveys(ch)
        assert (survey.status, survey.score) == ("dismissed", None)
        assert await _turns(ch) == turns + 1
        assert _texts(await ch.outbox(channel="whatsapp"))[-1].startswith("Roaming costs")
        await ch.whatsapp("8", wamid="wamid.n4")  # too late: dismissed surveys stay so
        await ch.settle()
        assert (await _surveys(ch))[0].score is None


async def test_csat_goes_as_a_whatsapp_list_and_a_list_reply_answers_it(
    make_channels: MakeChannels,
) -> None:
    async with make_channels([*BALANCE, say("Bye!")], survey_kind="csat", **SENDING) as ch:
        await ch.whatsapp("balance?", wamid="wamid.c1")
        await ch.whatsapp("thank you", wamid="wamid.c2")
        await ch.settle()
        body = json.loads(ch.provider.requests[-1].content)
        assert body["type"] == "interactive" and body["interactive"]["type"] == "list"
        rows = body["interactive"]["action"]["sections"][0]["rows"]
        assert [r["title"] for r in rows] == ["1", "2", "3", "4", "5"]
        assert rows[4]["description"] == "Very satisfied"
        await ch.whatsapp("4", wamid="wamid.c3")  # what a list_reply's title reads as
        await ch.settle()
        [survey] = await _surveys(ch)
        assert (survey.kind, survey.score, survey.status) == ("csat", 4, "answered")


async def test_no_survey_while_a_quote_is_open_or_a_person_is_involved(
    make_channels: MakeChannels,
) -> None:
    script = [
        *BALANCE,
        call("top_up", amount=10),
        say("Shall I add £10?"),
        say("Bye!"),
    ]
    async with make_channels(script) as ch:
        await ch.whatsapp("balance?", wamid="wamid.q1")
        await ch.whatsapp("top up 10 quid", wamid="wamid.q2")
        await ch.whatsapp("thanks bye", wamid="wamid.q3")
        await ch.settle()
        assert await _surveys(ch) == []  # the £10 quote still waits for a yes or no

    async with make_channels([*BALANCE, say("Bye!")]) as ch:
        await ch.whatsapp("balance?", wamid="wamid.h1")
        await ch.settle()
        async with ch.runtime.sessionmaker() as session, session.begin():
            await session.execute(update(Conversation).values(status="handed_off"))
        assert not await ch.app.state.api.surveys.ask(await _only_conversation(ch))
        assert await _surveys(ch) == []


async def test_once_per_customer_per_interval_and_the_idle_sweep(
    make_channels: MakeChannels,
) -> None:
    async with make_channels([*BALANCE, *BALANCE], survey_idle_minutes=30) as ch:
        surveys = ch.app.state.api.surveys
        await ch.whatsapp("balance?", wamid="wamid.i1")
        await ch.settle()
        first = await _only_conversation(ch)
        assert await surveys.sweep_idle() == 0  # not quiet long enough yet
        await _age(ch, first, minutes=31)
        assert await surveys.sweep_idle() == 1  # resolved and quiet: asked once
        assert await surveys.sweep_idle() == 0
        async with ch.runtime.sessionmaker() as session, session.begin():
            await session.execute(  # the customer's next contact is a new conversation
                update(Conversation).values(status="closed")
            )
        await ch.whatsapp("balance again?", wamid="wamid.i2")
        await ch.settle()
        async with ch.runtime.sessionmaker() as session:
            second = await session.scalar(
                select(Conversation.id).where(Conversation.status == "active")
            )
        assert second is not None and second != first
        await _age(ch, str(second), minutes=31)
        assert await surveys.sweep_idle() == 0  # surveyed 31 minutes ago: not within 30 days
        assert [s.conversation_id for s in await _surveys(ch)] == [first]


async def test_widget_answers_once_and_the_operator_reads_it(make_channels: MakeChannels) -> None:
    async with make_channels([*BALANCE, say("Goodbye!")]) as ch:
        token = (await ch.client.post("/v1/demo/session", json={"msisdn": BOB})).json()["token"]
        auth = {"Authorization": f"Bearer {token}"}
        cid = (await ch.client.post("/v1/conversations", headers=auth)).json()["conversation_id"]
        for i, text in enumerate(["what's my balance", "thanks, goodbye"]):
            body = {"text": text, "client_message_id": f"m{i}"}
            response = await ch.client.post(
                f"/v1/conversations/{cid}/messages", json=body, headers=auth
            )
            assert response.status_code == 200
        await ch.app.state.api.turns.drain(5)
        survey = await _event(ch, cid, "survey")
        assert survey["kind"] == "nps" and (survey["low"], survey["high"]) == (0, 10)
        url = f"/v1/conversations/{cid}/surveys/{survey['survey_id']}"

        assert (await ch.client.post(url, json={"score": 11}, headers=auth)).status_code == 422
        answer = {"score": 3, "comment": "took too long"}
        first = await ch.client.post(url, json=answer, headers=auth)
        assert first.status_code == 201, first.text
        assert (await ch.client.post(url, json=answer, headers=auth)).status_code == 409
        stranger = (await ch.client.post("/v1/demo/session", json={"msisdn": ALICE})).json()
        other = {"Authorization": f"Bearer {stranger['token']}"}
        assert (await ch.client.post(url, json=answer, headers=other)).status_code in (403, 404)

        listed = await ch.client.get("/v1/admin/surveys", headers=ch.staff)
        assert listed.status_code == 200, listed.text
        report = listed.json()
        assert report["summary"]["nps"] == {"score": -100.0, "answers": 1, "asked": 1}
        [row] = report["surveys"]
        assert (row["score"], row["comment"], row["channel"]) == (3, "took too long", "web")
        analytics = (await ch.client.get("/v1/admin/analytics", headers=ch.staff)).json()
        assert analytics["satisfaction"]["nps"] == -100.0
        assert analytics["satisfaction"]["nps_answers"] == 1


async def _only_conversation(ch: Channels) -> str:
    async with ch.runtime.sessionmaker() as session:
        [cid] = (await session.scalars(select(Conversation.id))).all()
    return str(cid)


async def _age(ch: Channels, conversation_id: str, *, minutes: int) -> None:
    """Move the conversation's last activity back (its turns stay resolved)."""
    async with ch.runtime.sessionmaker() as session, session.begin():
        await session.execute(
            update(Conversation)
            .where(Conversation.id == conversation_id)
            .values(updated_at=clock.now() - timedelta(minutes=minutes))
            .execution_options(synchronize_session=False)
        )


async def _event(ch: Channels, conversation_id: str, name: str) -> dict[str, Any]:
    """The data of the conversation's `name` event (what its SSE stream replays)."""
    async with ch.runtime.sessionmaker() as session:
        data = await session.scalar(
            select(Event.data).where(Event.conversation_id == conversation_id, Event.type == name)
        )
    assert data is not None, f"no {name} event"
    return dict(data)


async def test_telegram_gets_a_keyboard_and_sms_a_reply_hint(make_channels: MakeChannels) -> None:
    update = spec("telegram/update-text-message.json")
    script = [say("Dial *100# to see your balance."), say("Bye!")]
    async with make_channels(script, telegram_bot_token="123:abc") as ch:
        for i, text in enumerate(["how do I check my balance", "thanks"]):
            message = {**update["message"], "text": text}
            body = {**update, "update_id": 500 + i, "message": message}
            headers = {"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET}
            response = await ch.client.post("/v1/webhooks/telegram", json=body, headers=headers)
            assert response.status_code == 200
            await ch.settle()
        sent = json.loads(ch.provider.requests[-1].content)
        keys = [k["text"] for row in sent["reply_markup"]["keyboard"] for k in row]
        assert keys == [str(n) for n in range(11)]
        assert sent["reply_markup"]["one_time_keyboard"] is True
        [survey] = await _surveys(ch)
        assert survey.customer_key == "telegram:1111111"  # an anonymous sender, by chat

    async with make_channels([say("Dial *100# to see your balance."), say("Bye!")]) as ch:
        for i, text in enumerate(["how do I check my balance", "thank you"]):
            data = sms_form(text, sid=f"SM{i:032d}")
            signature = RequestValidator(TWILIO_TOKEN).compute_signature(SMS_URL, data)
            headers = {"X-Twilio-Signature": signature}
            assert (await ch.client.post("/v1/webhooks/sms", data=data, headers=headers)).is_success
            await ch.settle()
        last = _texts(await ch.outbox(channel="sms"))[-1]
        assert last.endswith("Reply with a number from 0 to 10.")


async def test_an_open_fault_ticket_waits_for_its_resolution(make_channels: MakeChannels) -> None:
    async with make_channels([*BALANCE]) as ch:
        surveys = ch.app.state.api.surveys
        await ch.whatsapp("balance?", wamid="wamid.t1")
        await ch.settle()
        cid = await _only_conversation(ch)
        opened = {"tool": "report_fault", "status": "ok", "receipt": {"bss_ref": "TT-9"}}
        await _append(ch, cid, "action.executed", {"action_id": "a1", **opened})
        assert not await surveys.ask(cid)
        progress = {"kind": "ticket", "text": "x", "ref": "TT-9", "state": "inProgress"}
        await _append(ch, cid, "notification", progress)
        assert not await surveys.ask(cid)
        await _append(ch, cid, "notification", {**progress, "state": "resolved"})
        assert await surveys.ask(cid)


async def _append(ch: Channels, conversation_id: str, name: str, data: dict[str, Any]) -> None:
    async with ch.runtime.sessionmaker() as session, session.begin():
        await append_event(session, conversation_id=conversation_id, type=name, data=data)
