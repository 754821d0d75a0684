"""Multi-turn conversations through the service with fake tools; every scenario that a
`backend` fixture takes runs on the scripted model and on the OpenAI wire path."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import async_sessionmaker

from assistant.handoff.signals import SIGNALS_KEY
from switchboard import clock
from switchboard.db.models import Conversation, HandoffRecord, Message, PendingAction, Turn
from switchboard.settings import Settings
from tests.assistant.conftest import ALICE, Backend, MakeHarness, completed, reply, types
from tests.fakes.scripted_model import ScriptedChatModel, call, say


async def test_quote_then_yes_executes_once_and_reports_every_field(
    make_harness: MakeHarness, sessionmaker: async_sessionmaker, backend: Backend
) -> None:
    model = backend.model([call("top_up", amount=10), say("I can top up £10.00. Go ahead?")])
    h = make_harness(model)
    cid = await h.service.start_conversation(ALICE)

    first = await h.say(cid, "top up £10", cmid="m1")
    assert types(first)[:3] == ["customer.message", "turn.started", "tool.call"]
    assert "action.proposed" in types(first)
    done = completed(first)
    assert done["outcome"] == "proposed" and done["capability"] == "top_up"
    assert done["tools"] == ["top_up"]
    per_call = (10, 5) if backend.name == "scripted" else (42, 7)
    assert done["usage"] == {"prompt_tokens": 2 * per_call[0], "completion_tokens": 2 * per_call[1]}
    assert set(done) >= {"turn_id", "text", "confidence", "citations", "latency_ms"}

    second = await h.say(cid, "yes please", cmid="m2")
    executed = [e for e in second if e.type == "action.executed"]
    assert executed and executed[0].data["status"] == "ok"
    assert completed(second)["outcome"] == "acted"
    assert backend.calls() == 2  # the yes never reached the model
    assert h.bss_calls == [f"switchboard-action-{executed[0].data['action_id']}"]

    again = await h.say(cid, "yes please", cmid="m2")  # a retried POST replays the turn
    assert [e.seq for e in again] == [e.seq for e in second]
    assert len(h.bss_calls) == 1
    async with sessionmaker() as session:
        turns = await session.scalar(select(func.count()).select_from(Turn))
        status = await session.scalar(select(PendingAction.status))
    assert turns == 2 and status == "succeeded"


async def test_quote_then_no_cancels(make_harness: MakeHarness, backend: Backend) -> None:
    h = make_harness(backend.model([call("top_up", amount=20), say("£20, ok?")]))
    cid = await h.service.start_conversation(ALICE)
    await h.say(cid, "add 20 pounds to my number")
    events = await h.say(cid, "no thanks")
    executed = [e for e in events if e.type == "action.executed"]
    assert executed[0].data["status"] == "cancelled"
    assert "nothing was changed" in reply(events)
    assert h.bss_calls == []


async def test_a_change_goes_to_the_model_with_the_pending_action_in_context(
    make_harness: MakeHarness, backend: Backend
) -> None:
    model = backend.model(
        [
            call("top_up", amount=10),
            say("£10 — shall I?"),
            call("top_up", "call_2", amount=20),
            say("Now £20 — shall I?"),
        ]
    )
    h = make_harness(model)
    cid = await h.service.start_conversation(ALICE)
    await h.say(cid, "top up 10")
    events = await h.say(cid, "make it £20 instead")
    assert completed(events)["outcome"] == "proposed"
    prompt = backend.prompt(2)
    assert "Open quote awaiting" in prompt and "10.00" in prompt


async def test_clarification_of_a_missing_amount(
    make_harness: MakeHarness, backend: Backend
) -> None:
    model = backend.model([say("How much would you like to top up?")])
    h = make_harness(model)
    cid = await h.service.start_conversation(ALICE)
    done = completed(await h.say(cid, "I want to top up"))
    assert done["outcome"] == "clarified" and done["capability"] == "top_up"


async def test_faq_answer_cites_supporting_passage(
    make_harness: MakeHarness, backend: Backend
) -> None:
    model = backend.model(
        [
            call("search_knowledge", query="roaming price spain"),
            say("Roaming in Zone 1, which covers the EU, costs £2.25 per day you use your phone."),
        ]
    )
    h = make_harness(model)
    cid = await h.service.start_conversation(ALICE)
    events = await h.say(cid, "how much is roaming in Spain?")
    done = completed(events)
    assert done["citations"] == ["kb-roaming-zones"]
    assert "retrieval" in types(events) and "citation" in types(events)
    assert done["confidence"] > 0.6


async def test_made_up_price_is_flagged_and_lowers_confidence(
    make_harness: MakeHarness, backend: Backend
) -> None:
    model = backend.model([say("The Unlimited plan costs £19 a month.")])
    h = make_harness(model)
    cid = await h.service.start_conversation(ALICE)
    done = completed(await h.say(cid, "how much is unlimited?"))
    assert "couldn't check that price" in done["text"]
    assert done["confidence"] < 0.5


async def test_a_handoff_outside_support_hours_says_when_the_team_is_back(
    make_harness: MakeHarness, settings: Settings
) -> None:
    closed = settings.model_copy(update={"support_hours": "Mon-Fri 09:00-17:00"})
    h = make_harness(ScriptedChatModel(script=[]), settings=closed)
    cid = await h.service.start_conversation(ALICE)
    # the tests' instant is Thursday 26 November 2026, 09:00 UTC = 09:00 in London: open
    assert "nobody is there" not in completed(await h.say(cid, "agent please"))["text"]
    with clock.use_clock(datetime(2026, 11, 26, 18, 30, tzinfo=UTC)):
        cid = await h.service.start_conversation(ALICE)
        text = completed(await h.say(cid, "can I talk to a human"))["text"]
    assert text.endswith(
        "Our team works Mon-Fri 09:00-17:00 (Europe/London time), so nobody is there right "
        "now. They'll pick this up from 09:00 tomorrow."
    )


async def test_request_for_a_person_is_always_honoured(
    make_harness: MakeHarness, sessionmaker: async_sessionmaker
) -> None:
    model = ScriptedChatModel(script=[])
    h = make_harness(model)
    cid = await h.service.start_conversation(ALICE)
    events = await h.say(cid, "let me talk to a real person please")
    done = completed(events)
    assert done["outcome"] == "handed_off" and done["capability"] == "human_agent"
    handoff = next(e for e in events if e.type == "handoff")
    assert handoff.data["reason"] == "customer_request"
    assert model.calls == 0
    async with sessionmaker() as session:
        conversation = await session.get(Conversation, cid)
        records = (await session.scalars(select(HandoffRecord))).all()
    assert conversation is not None and conversation.status == "handed_off"
    assert len(records) == 1

    # after the handoff the assistant stays quiet: the message is stored for the agent
    later = await h.say(cid, "hello? anyone there?")
    assert types(later) == ["customer.message"]
    agent = await h.service.post_agent_message(cid, "agent-7", "Hi, I'm Sam. How can I help?")
    assert agent.type == "agent.message"
    transcript = await h.service.transcript(cid)
    assert [m["role"] for m in transcript][-2:] == ["customer", "agent"]


async def test_model_transfer_for_retention_records_reason_and_queue(
    make_harness: MakeHarness, backend: Backend
) -> None:
    model = backend.model(
        [
            call("transfer_to_human", reason="retention", summary="wants to cancel"),
            say("I've passed you to our retention team."),
        ]
    )
    h = make_harness(model)
    cid = await h.service.start_conversation(ALICE)
    events = await h.say(cid, "I want to cancel my contract")
    handoff = next(e for e in events if e.type == "handoff")
    assert handoff.data["reason"] == "retention" and handoff.data["queue"] == "retention"
    assert completed(events)["outcome"] == "handed_off"


async def test_card_numbers_are_masked_in_storage_and_never_reach_the_model(
    make_harness: MakeHarness, sessionmaker: async_sessionmaker, backend: Backend
) -> None:
    model = backend.model([say("Please don't share card numbers here.")])
    h = make_harness(model)
    cid = await h.service.start_conversation(ALICE)
    await h.say(cid, "my card is 4111 1111 1111 1111, iban GB82 WEST 1234 5698 7654 32")
    async with sessionmaker() as session:
        stored = await session.scalar(select(Message.text).where(Message.role == "customer"))
    assert stored is not None and "4111 1111" not in stored and "••••1111" in stored
    assert "WEST" not in stored
    assert "4111 1111" not in backend.prompt(0)


async def test_local_signals_drive_confidence_and_capability(make_harness: MakeHarness) -> None:
    signals = {"capability": "faq", "confidence": 0.2, "outcome": "answered"}
    model = ScriptedChatModel(script=[say("Not sure.", **{SIGNALS_KEY: signals})] * 2)
    h = make_harness(model)
    cid = await h.service.start_conversation(ALICE)
    first = completed(await h.say(cid, "what about the thing"))
    assert first["capability"] == "faq" and first["confidence"] == 0.2
    assert first["outcome"] == "answered"
    second = await h.say(cid, "and the other thing")
    assert completed(second)["outcome"] == "handed_off"  # two low-confidence turns in a row
    assert next(e for e in second if e.type == "handoff").data["reason"] == "low_confidence"


async def test_a_yes_to_something_else_does_not_confirm_an_older_quote(
    make_harness: MakeHarness, sessionmaker: async_sessionmaker
) -> None:
    model = ScriptedChatModel(
        script=[
            call("top_up", amount=10),
            say("£10 — shall I go ahead?"),
            say("Voicemail is free. Would you like the setup steps?"),
            say("Dial 222 and follow the prompts."),
        ]
    )
    h = make_harness(model)
    cid = await h.service.start_conversation(ALICE)
    await h.say(cid, "top up 10")
    await h.say(cid, "is voicemail free?")
    events = await h.say(cid, "yes")  # answers the voicemail question, not the quote
    assert "action.executed" not in types(events) and h.bss_calls == []
    assert model.calls == 4
    async with sessionmaker() as session:
        assert await session.scalar(select(PendingAction.status)) == "proposed"


async def test_a_yes_out_of_the_blue_shows_the_open_quote_again(
    make_harness: MakeHarness,
) -> None:
    model = ScriptedChatModel(
        script=[call("top_up", amount=10), say("£10 — shall I go ahead?"), say("No problem.")]
    )
    h = make_harness(model)
    cid = await h.service.start_conversation(ALICE)
    await h.say(cid, "top up 10")
    await h.say(cid, "ok thanks, let me think")
    again = await h.say(cid, "yes")
    assert "action.proposed" in types(again) and "action.executed" not in types(again)
    assert reply(again).startswith("Just to check")
    assert completed(again)["outcome"] == "proposed"
    done = await h.say(cid, "yes")
    assert next(e for e in done if e.type == "action.executed").data["status"] == "ok"
    assert model.calls == 3 and len(h.bss_calls) == 1


async def test_retention_waits_for_the_answer_to_why_then_hands_off(
    make_harness: MakeHarness,
) -> None:
    asking = {"capability": "retention", "outcome": "clarified"}
    model = ScriptedChatModel(
        script=[
            say("Sorry to hear that — may I ask why you want to leave?", switchboard=asking),
            say("Thanks for telling me."),
        ]
    )
    h = make_harness(model)
    cid = await h.service.start_conversation(ALICE)
    first = completed(await h.say(cid, "I want to leave Brightwave"))
    assert first["outcome"] == "clarified"
    events = await h.say(cid, "it's too expensive")
    assert completed(events)["outcome"] == "handed_off"
    assert next(e for e in events if e.type == "handoff").data["queue"] == "retention"
