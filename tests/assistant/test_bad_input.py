"""Bad input and misbehaving parts get a sensible reply and a completed turn, never an error."""

from __future__ import annotations

import pytest
from langchain_core.messages import AIMessage

from assistant.turn import replies
from tests.assistant.conftest import ALICE, Backend, MakeHarness, completed, reply, types
from tests.fakes.scripted_model import ScriptedChatModel, call, say


@pytest.mark.parametrize("text", ["", "   ", "\n\t"])
async def test_empty_message_gets_a_prompt_without_a_model_call(
    make_harness: MakeHarness, text: str
) -> None:
    model = ScriptedChatModel(script=[])
    h = make_harness(model)
    cid = await h.service.start_conversation(ALICE)
    events = await h.say(cid, text)
    assert completed(events)["outcome"] == "clarified"
    assert reply(events) == replies.EMPTY_MESSAGE and model.calls == 0


async def test_a_5000_word_message_is_read_in_part(
    make_harness: MakeHarness, backend: Backend
) -> None:
    h = make_harness(backend.model([say("Happy to help with your top-up.")]))
    cid = await h.service.start_conversation(ALICE)
    events = await h.say(cid, "please top up my phone " + "blah " * 5000)
    done = completed(events)
    assert done["text"].startswith(replies.LONG_MESSAGE_NOTE.strip())
    assert len(backend.prompt(0)) < 12_000  # the model saw at most max_message_chars of it


@pytest.mark.parametrize("text", ["🙂🙂🙂", "¿Cuánto saldo me queda?", "asdfghjkl"])
async def test_odd_messages_complete_normally(
    make_harness: MakeHarness, backend: Backend, text: str
) -> None:
    h = make_harness(backend.model([say("I can help with your account. What do you need?")]))
    cid = await h.service.start_conversation(ALICE)
    events = await h.say(cid, text)
    assert types(events)[-1] == "turn.completed" and "error" not in types(events)


async def test_two_requests_in_one_message_use_both_tools(
    make_harness: MakeHarness, backend: Backend
) -> None:
    both = AIMessage(
        content="",
        tool_calls=[
            {"name": "get_account_overview", "args": {}, "id": "call_a"},
            {"name": "search_knowledge", "args": {"query": "voicemail"}, "id": "call_b"},
        ],
    )
    script = [both, say("You have £7.50 credit. To set up voicemail, dial 222.")]
    h = make_harness(backend.model(script))
    cid = await h.service.start_conversation(ALICE)
    done = completed(await h.say(cid, "what's my balance and how do I set up voicemail?"))
    assert done["tools"] == ["get_account_overview", "search_knowledge"]
    assert done["capability"] == "balance_usage"


async def test_an_empty_model_reply_becomes_a_clarifying_question(
    make_harness: MakeHarness, backend: Backend
) -> None:
    h = make_harness(backend.model([say("")]))
    cid = await h.service.start_conversation(ALICE)
    done = completed(await h.say(cid, "hmm"))
    assert done["text"] == replies.NOT_UNDERSTOOD and done["outcome"] == "clarified"


async def test_a_failing_tool_is_reported_and_lowers_confidence(make_harness: MakeHarness) -> None:
    model = ScriptedChatModel(
        script=[call("get_account_overview"), say("Sorry, I can't see your balance right now.")]
    )
    h = make_harness(model, fail=("get_account_overview",))
    cid = await h.service.start_conversation(ALICE)
    events = await h.say(cid, "balance?")
    result = next(e for e in events if e.type == "tool.result")
    assert result.data["status"] == "error"
    assert completed(events)["confidence"] < 0.6


async def test_a_runaway_tool_loop_stops_at_the_cap(make_harness: MakeHarness, settings) -> None:
    loop = [call("get_account_overview", f"call_{i}") for i in range(20)]
    model = ScriptedChatModel(script=loop)
    h = make_harness(model)
    cid = await h.service.start_conversation(ALICE)
    events = await h.say(cid, "balance?")
    assert next(e for e in events if e.type == "error").data["code"] == "iteration_cap"
    assert model.calls == settings.max_tool_iterations + 1
    assert types(events)[-1] == "turn.completed"


async def test_a_hung_model_hits_the_turn_deadline(make_harness: MakeHarness) -> None:
    model = ScriptedChatModel(script=[say("too late")], delay_s=5)
    h = make_harness(model, turn_timeout_s=0.3)
    cid = await h.service.start_conversation(ALICE)
    events = await h.say(cid, "hello there")
    assert next(e for e in events if e.type == "error").data["code"] == "model_unavailable"
    assert "put you through to a person" in completed(events)["text"]


async def test_the_next_prompt_replays_the_previous_tool_exchange(
    make_harness: MakeHarness, backend: Backend
) -> None:
    script = [call("get_account_overview"), say("You have £7.50."), say("It renews in 9 days.")]
    h = make_harness(backend.model(script))
    cid = await h.service.start_conversation(ALICE)
    await h.say(cid, "how much credit do I have")
    await h.say(cid, "and when does it renew?")
    second_turn_prompt = backend.prompt(2)
    assert "get_account_overview" in second_turn_prompt and "3.2GB" in second_turn_prompt
