"""The local engine as a LangChain chat model inside `langchain.agents.create_agent`, with tools
built from the published argument models (every tool call must validate against them)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from langchain.agents import create_agent
from langchain_core.messages import (
    AIMessage,
    AIMessageChunk,
    BaseMessage,
    HumanMessage,
    SystemMessage,
)

from assistant.local import LocalChatModel
from assistant.turn.prompts import system_prompt
from switchboard import currency
from switchboard.settings import load_settings
from tests.assistant.local.conftest import schema_tools
from tools.context import TurnContext
from tools.outcome import PassageOut, ToolOutcome, ok

PASSAGES = [
    PassageOut(
        doc_id="kb-roaming-zones",
        title="Roaming zones",
        text=(
            "Zone 1 covers EU countries and Switzerland. Roaming in Zone 1 costs £2.25 per day "
            "you use your phone there. It is free on Bundle 20, Unlimited and Unlimited Max."
        ),
        score=0.8,
    ),
    PassageOut(
        doc_id="kb-voicemail",
        title="Voicemail",
        text=("Dial 222 and follow the prompts to set up voicemail. The default PIN is 0000."),
        score=0.3,
    ),
]


class World:
    """Answers tool calls like the real tools would, and records them."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []

    async def __call__(self, name: str, args: dict[str, Any]) -> ToolOutcome:
        self.calls.append((name, _plain(args)))
        if name == "search_knowledge":
            return ok(name, "Found 2 passage(s).", passages=PASSAGES)
        if name == "get_account_overview":
            return ok(name, "Bundle 10: £7.50 credit, 3.2GB data left, renews on 5 December.")
        if name == "top_up":
            return ok(
                name,
                f"Top up £{float(args['amount']):.2f} from your card ending 4242",
                data={"quote": True},
            )
        if name == "transfer_to_human":
            return ok(name, "Passed to our team.")
        return ok(name, f"{name} done.")


def _plain(args: dict[str, Any]) -> dict[str, Any]:
    """The arguments as the tool saw them, without unset fields; money as floats."""
    return {k: float(v) if isinstance(v, Decimal) else v for k, v in args.items() if v is not None}


def _agent(model: LocalChatModel, world: World) -> Any:
    return create_agent(model, schema_tools(world))


async def _say(agent: Any, history: list[BaseMessage], text: str) -> AIMessage:
    history.append(HumanMessage(text))
    state = await agent.ainvoke({"messages": history})
    history[:] = state["messages"]
    last = history[-1]
    assert isinstance(last, AIMessage)
    return last


async def test_top_up_tool_call_then_reply(local_model: LocalChatModel) -> None:
    world = World()
    reply = await _say(_agent(local_model, world), [], "top up a tenner pls")
    assert world.calls == [("top_up", {"amount": 10.0, "currency": "GBP"})]
    assert "£10.00" in str(reply.content)
    assert reply.response_metadata["capability"] == "top_up"
    assert reply.usage_metadata and reply.usage_metadata["input_tokens"] > 0


async def test_correction_requotes_with_the_new_amount(local_model: LocalChatModel) -> None:
    world, history = World(), []
    agent = _agent(local_model, world)
    await _say(agent, history, "top up £10")
    await _say(agent, history, "actually make it £20 instead")
    assert [args["amount"] for _, args in world.calls] == [10.0, 20.0]


async def test_missing_amount_is_asked_for_then_used(local_model: LocalChatModel) -> None:
    world, history = World(), []
    agent = _agent(local_model, world)
    question = await _say(agent, history, "i want to top up")
    assert world.calls == [] and "how much" in str(question.content).lower()
    assert question.response_metadata["outcome_hint"] == "clarified"
    await _say(agent, history, "20 quid")
    assert world.calls == [("top_up", {"amount": 20.0, "currency": "GBP"})]


async def test_knowledge_answer_is_extractive_with_citation(local_model: LocalChatModel) -> None:
    world = World()
    reply = await _say(_agent(local_model, world), [], "how much does roaming in spain cost")
    assert world.calls[0][0] == "search_knowledge"
    text = str(reply.content)
    # the citation travels as metadata (the turn loop's citation event), not as a raw id in text
    assert "£2.25 per day" in text and "kb-" not in text
    assert reply.response_metadata["citations"] == ["kb-roaming-zones"]


async def test_follow_up_keeps_the_topic(local_model: LocalChatModel) -> None:
    world, history = World(), []
    agent = _agent(local_model, world)
    await _say(agent, history, "how much is roaming in spain")
    await _say(agent, history, "and america?")
    name, args = world.calls[-1]
    # the roaming price question is looked up as the zone's daily price, and stays on topic
    assert (name, args["query"]) == ("search_knowledge", "roaming price per day in america")


async def test_out_of_scope_is_declined_without_tools(local_model: LocalChatModel) -> None:
    world = World()
    reply = await _say(_agent(local_model, world), [], "book me a flight to paris")
    assert world.calls == []
    assert reply.response_metadata["capability"] == "out_of_scope"
    assert reply.response_metadata["outcome_hint"] == "refused"
    assert "top up" in str(reply.content)


async def test_non_english_gets_an_answer_in_that_language(local_model: LocalChatModel) -> None:
    # issue 15: say in the customer's language that the assistant works in English, offer a person
    reply = await _say(_agent(local_model, World()), [], "hola, quiero cambiar mi plan por favor")
    assert "solo puedo ayudar en inglés" in str(reply.content)
    assert reply.response_metadata["offer"]["tool"] == "transfer_to_human"
    assert reply.response_metadata["capability"] != "out_of_scope"


async def test_retention_hands_over_with_what_was_said(local_model: LocalChatModel) -> None:
    world = World()
    reply = await _say(
        _agent(local_model, world),
        [],
        "cancel my contract, it's too expensive and the signal is awful",
    )
    name, args = world.calls[0]
    assert name == "transfer_to_human" and args["reason"] == "retention"
    assert "too expensive" in args["summary"]
    assert reply.response_metadata["outcome_hint"] == "handed_off"


async def test_request_for_a_person_is_honoured(local_model: LocalChatModel) -> None:
    world = World()
    reply = await _say(_agent(local_model, world), [], "let me talk to a real person")
    assert world.calls[0][0] == "transfer_to_human"
    assert world.calls[0][1]["reason"] == "customer_request"
    assert reply.response_metadata["outcome_hint"] == "handed_off"


async def test_yes_with_nothing_pending_claims_nothing(local_model: LocalChatModel) -> None:
    world, history = World(), []
    agent = _agent(local_model, world)
    await _say(agent, history, "how much credit have i got")
    reply = await _say(agent, history, "yes do it")
    assert len(world.calls) == 1  # no new tool call, and nothing claimed as done
    assert "nothing waiting" in str(reply.content).lower()


async def test_streams_tool_call_chunks_inside_the_agent(local_model: LocalChatModel) -> None:
    agent = _agent(local_model, World())
    chunks: list[AIMessageChunk] = []
    async for message, _meta in agent.astream(
        {"messages": [HumanMessage("forward my calls to 07700 900123")]}, stream_mode="messages"
    ):
        if isinstance(message, AIMessageChunk):
            chunks.append(message)
    pieces = [c for c in chunks if c.tool_call_chunks]
    assert len(pieces) > 1  # arguments arrive in several chunks, as from a real provider
    merged = pieces[0]
    for piece in pieces[1:]:
        merged = merged + piece
    assert merged.tool_calls[0]["name"] == "set_call_feature"
    assert merged.tool_calls[0]["args"] == {
        "feature": "call_forwarding",
        "enabled": True,
        "forward_to": "+447700900123",
    }
    texts = [c.content for c in chunks if c.content]
    assert len(texts) >= 2  # the final reply streams word by word


@pytest.mark.parametrize("text", ["how much data have i got left", "i lost my phone"])
def test_deterministic(local_model: LocalChatModel, text: str) -> None:
    bound = local_model.bind_tools(schema_tools(World()))
    first, second = bound.invoke([HumanMessage(text)]), bound.invoke([HumanMessage(text)])
    assert first.tool_calls == second.tool_calls and first.content == second.content
    assert first.response_metadata == second.response_metadata


async def test_the_engine_names_the_operator_and_its_currency_from_the_settings(
    local_model: LocalChatModel,
) -> None:
    """ADR 0043: the engine's own sentences name the operator from the system prompt and write
    amounts in the operator's currency; nothing of the demo world is in the code."""
    settings = load_settings(
        token_secret="s" * 40, brand_name="Acme Mobile", currency="EUR", locale="de_DE"
    )
    ctx = TurnContext("c1", "t1", "web", settings, sessionmaker=None, bss=None)  # type: ignore[arg-type]
    currency.configure("EUR", "de_DE")
    agent = _agent(local_model, World())
    history: list[BaseMessage] = [SystemMessage(system_prompt(ctx))]
    hello = await _say(agent, history, "hello")
    assert "I'm Acme Mobile's assistant" in str(hello.content)
    asked = await _say(agent, history, "i want to top up")
    assert "For example 10\xa0€." in str(asked.content)
    assert "Brightwave" not in str(hello.content) + str(asked.content)
