"""One assistant turn as a stream of typed events (CONTRACT §3).

turn.started → a fixed reply (empty message, request for a person, a yes or no to the open
quote) or the agent (compiled once over the chat model and the tool catalogue,
assistant/turn/agent.py) → confidence and the handoff policy → turn.completed. A turn always
completes: a failing model, a crashing tool, a runaway tool loop or the overall deadline become
an apology and the offer of a person."""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import logging
import time
from collections.abc import AsyncIterator
from typing import Any

from langchain.agents.middleware.model_call_limit import ModelCallLimitExceededError
from langchain_core.messages import (
    AIMessage,
    AIMessageChunk,
    HumanMessage,
    SystemMessage,
    ToolMessage,
)

from assistant.actions.confirmation import detect_decision
from assistant.events import (
    ActionExecuted,
    ErrorEvent,
    Token,
    ToolCall,
    TurnEvent,
    TurnStarted,
)
from assistant.guardrails import CHANNEL_MAX_CHARS
from assistant.handoff.signals import (
    is_engine_state,
    model_signals,
    self_help_failed,
    sensitivity,
    wants_person,
)
from assistant.language import language_of, languages
from assistant.models import ModelUnavailableError
from assistant.turn import replies
from assistant.turn.agent import AgentRun
from assistant.turn.decision import customer_decision, decide, say
from assistant.turn.finish import finish_turn
from assistant.turn.journey import (
    active_journey,
    after_decision,
    ended,
    run_journey,
    started_journey,
)
from assistant.turn.memory import TurnTrace
from assistant.turn.prompts import system_prompt
from assistant.turn.provenance import EARLIER_TURNS
from assistant.turn.reading import read_tool_message
from assistant.turn.request import TurnDeps, TurnFacts, TurnRequest
from tools.context import turn_config
from tools.registry import READ_TOOLS

log = logging.getLogger(__name__)


async def run_turn(request: TurnRequest, deps: TurnDeps) -> AsyncIterator[TurnEvent]:
    """Yield the turn's events; the last one is always `turn.completed`."""
    started = time.monotonic()
    ctx = request.ctx
    facts = TurnFacts(text=request.text, started=started)
    yield TurnStarted(turn_id=ctx.turn_id, conversation_id=ctx.conversation_id)
    text = request.text.strip()
    journey = active_journey(request, deps)
    if not text and request.forced_decision is None:
        facts.capability, facts.outcome = None, "clarified"
        facts.fixed_confidence = 0.9
        async for event in say(facts, replies.EMPTY_MESSAGE):
            yield event
    elif wants_person(text) and request.forced_decision is None:
        facts.force_handoff = "customer_request"
    elif (care := sensitivity(text)) and request.forced_decision is None:
        facts.force_handoff = care  # a bereaved or vulnerable customer goes to the care team
    elif self_help_failed(text) and request.forced_decision is None and request.pending is None:
        facts.force_handoff = "self_help_failed"
    elif request.forced_decision is None and (foreign := _foreign(request, text)) is not None:
        if foreign == "handoff":  # a yes to the person offered, or another message in it
            facts.force_handoff = "language"
        elif foreign == "declined":
            facts.capability, facts.outcome = None, "clarified"
            facts.fixed_confidence = 0.9
            async for event in say(facts, replies.LANGUAGE_DECLINED):
                yield event
        else:
            facts.capability, facts.outcome = "human_agent", "clarified"
            facts.fixed_confidence = 0.9
            async for event in say(facts, languages().reply(foreign)):
                yield event
    elif request.pending is not None and (
        decision := request.forced_decision or customer_decision(request, text)
    ):
        executed: ActionExecuted | None = None
        async for event in decide(request, deps, facts, request.pending, decision):
            executed = event if isinstance(event, ActionExecuted) else executed
            yield event
        if journey is not None and decision in ("confirm", "cancel"):
            async for event in after_decision(
                journey, request, deps, facts, confirmed=decision == "confirm", executed=executed
            ):
                yield event
    elif request.handoff_offered and detect_decision(text) == "confirm":
        facts.force_handoff = "customer_request"
    elif (journey := journey or started_journey(deps, text)) is not None:
        digress = functools.partial(_digression, request, deps, facts)
        async for event in run_journey(journey, request, deps, facts, text, digress):
            yield event
    else:
        async for event in _run_agent(request, deps, facts, text):
            yield event
    if journey is not None and facts.force_handoff is not None and journey.state.active:
        yield ended(journey, "handed_off")  # a person takes over the journey, with its facts
    async for event in finish_turn(request, deps.policy, facts):
        yield event


def _digression(
    request: TurnRequest, deps: TurnDeps, facts: TurnFacts, text: str, note: str
) -> AsyncIterator[TurnEvent]:
    """A question beside a journey: the agent answers it with the read tools only, told where
    the journey stands (`note`); the journey asks its step again afterwards."""
    reads = [tool for tool in deps.tools if tool.name in READ_TOOLS]
    told = (
        dataclasses.replace(request, history=[*request.history, SystemMessage(note)])
        if note
        else request
    )
    return _run_agent(told, dataclasses.replace(deps, tools=reads), facts, text)


def _foreign(request: TurnRequest, text: str) -> str | None:
    """After a message in a language the assistant does not serve (assistant/language.py):
    "handoff" for a yes to the person offered (in any of the languages or English) or another
    message in it, "declined" for a no. A message in such a language: its code (answer with
    the offer). Otherwise None."""
    earlier = request.earlier_customer_texts[-1:]
    after_offer = bool(earlier) and language_of(earlier[0]) != "en"
    if after_offer:
        answer = languages().answer(text)
        if answer is None:
            decision = detect_decision(text)
            answer = True if decision == "confirm" else False if decision == "cancel" else None
        if answer is not None:
            return "handoff" if answer else "declined"
    language = language_of(text)
    if language != "en":
        return "handoff" if after_offer else language
    return None


async def _run_agent(
    request: TurnRequest, deps: TurnDeps, facts: TurnFacts, text: str
) -> AsyncIterator[TurnEvent]:
    if len(text) > deps.max_message_chars:
        text = text[: deps.max_message_chars]
        facts.truncated_input = True
        async for event in say(facts, replies.LONG_MESSAGE_NOTE):
            yield event
    agent = deps.agents.get(deps.model, deps.tools, max_tool_iterations=deps.max_tool_iterations)
    run = AgentRun(
        ctx=request.ctx,
        system_prompt=system_prompt(request.ctx, summary_hint=request.summary_hint),
        customer_texts=(*request.earlier_customer_texts[-EARLIER_TURNS:], text),
    )
    limit = CHANNEL_MAX_CHARS.get(request.ctx.channel, 2000)
    inputs: dict[str, Any] = {"messages": [*request.history, HumanMessage(text)]}
    stream = agent.astream(
        inputs,
        config=turn_config(request.ctx),
        context=run,
        stream_mode=["messages", "updates"],
    )
    failure: str | None = None
    try:
        async with asyncio.timeout(deps.turn_timeout_s):
            async for mode, payload in stream:
                if mode == "messages":
                    chunk, meta = payload
                    piece = _text_piece(chunk, meta, facts, limit)
                    if piece:
                        yield Token(text=piece)
                else:
                    for event in _on_update(payload, facts, request.trace):
                        yield event
    except ModelCallLimitExceededError:
        failure = "iteration_cap"
    except (ModelUnavailableError, TimeoutError) as exc:
        log.warning("turn %s: model failed: %r", request.ctx.turn_id, exc)
        failure = "model_unavailable"
    except Exception as exc:  # the turn must complete whatever broke inside the agent
        log.exception("turn %s: agent crashed: %r", request.ctx.turn_id, exc)
        failure = "model_unavailable"
    finally:
        await stream.aclose()
    if failure is not None:
        facts.failure = failure
        message = replies.ITERATION_CAP if failure == "iteration_cap" else replies.MODEL_FAILED
        yield ErrorEvent(code=failure, message=message)
        separator = "\n\n" if "".join(facts.reply).strip() else ""
        async for event in say(facts, separator + message):
            yield event


def _text_piece(chunk: Any, meta: dict[str, Any], facts: TurnFacts, limit: int) -> str:
    if meta.get("langgraph_node") != "model" or not isinstance(chunk, AIMessageChunk):
        return ""
    piece = chunk.content if isinstance(chunk.content, str) else ""
    room = limit - facts.reply_chars
    if room <= 0 or not piece:
        return ""
    piece = piece[:room]
    facts.reply.append(piece)
    facts.reply_chars += len(piece)
    return piece


def _on_update(
    update: dict[str, Any], facts: TurnFacts, trace: TurnTrace | None
) -> list[TurnEvent]:
    events: list[TurnEvent] = []
    for node, value in update.items():
        messages = value.get("messages", []) if isinstance(value, dict) else []
        for message in messages:
            if node == "model" and isinstance(message, AIMessage):
                facts.add_usage(message.usage_metadata)
                facts.signals = model_signals(message.response_metadata)
                if trace is not None:
                    if message.tool_calls:
                        trace.add_call(message)
                    elif is_engine_state(message.response_metadata):
                        trace.meta = dict(message.response_metadata)
                for call in message.tool_calls:
                    events.append(
                        ToolCall(call_id=call["id"] or "", tool=call["name"], args=call["args"])
                    )
                    facts.tools.append(call["name"])
            elif node == "tools" and isinstance(message, ToolMessage):
                if trace is not None:
                    trace.add_result(message)
                events.extend(facts.on_tool_message(read_tool_message(message)))
    return events
