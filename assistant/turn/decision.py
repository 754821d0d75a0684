"""The customer's decision on an open quote (CONTRACT §4), made without the model.

A plain no cancels. A plain yes confirms only the quote the assistant's last turn showed; a yes
to the assistant's own last question goes to the model; a yes out of the blue shows the open
quote again. An expired quote is quoted afresh. The model can never reach `desk.confirm`."""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage

from assistant.actions.confirmation import detect_decision, learned_reply
from assistant.actions.pending import OpenAction
from assistant.events import ActionExecuted, Token, TurnEvent
from assistant.handoff.capability import TOOL_CAPABILITY
from assistant.local.amounts import extract_amount
from assistant.turn import replies
from assistant.turn.request import TurnDeps, TurnFacts, TurnRequest
from switchboard.errors import SwitchboardError

log = logging.getLogger(__name__)


async def say(facts: TurnFacts, text: str) -> AsyncIterator[TurnEvent]:
    facts.reply.append(text)
    yield Token(text=text)


def customer_decision(request: TurnRequest, text: str) -> str | None:
    """`confirm`, `cancel`, `reconfirm` (show the open quote again) or None (go to the model).

    A plain no always cancels the open quote. A plain yes confirms it only if the assistant's
    last turn showed it (`quoted_action`); otherwise a yes answers the assistant's own last
    question (the model, which has the quote in context but cannot execute it), or, if there
    was none, gets the quote shown again."""
    pending = request.pending
    decision = detect_decision(text, tool=pending.tool if pending else None)
    if decision == "confirm" and (pending is None or request.quoted_action != pending.action_id):
        if _last_reply_asked(request.history):
            return None
        if pending is not None and _only_questions_since(request.history, pending.tool):
            return "confirm"  # questions about the quote keep it on the table until it expires
        return "reconfirm"
    if decision is None and pending is not None and leans_yes(text):
        return "reconfirm"  # "deffo", "crack on": not sure enough to act on, so shown again
    return decision


def leans_yes(text: str) -> bool:
    """A short reply (three words at most, no number, no question) the learned reply classifier
    reads as a yes, however unsure: with a quote open it is an answer to it, so the quote is
    shown again for a plain yes, never executed on this."""
    if len(text.split()) > 3 or "?" in text or re.search(r"\d", text):
        return False
    decision = learned_reply(text)
    return decision is not None and decision.label == "yes"


def _only_questions_since(history: list[BaseMessage], tool: str) -> bool:
    """Every customer message since the quote for `tool` was a question (answered since)."""
    asked: list[str] = []
    for message in reversed(history):
        if isinstance(message, AIMessage) and any(c["name"] == tool for c in message.tool_calls):
            return bool(asked) and all(_is_question(t) for t in asked)
        if isinstance(message, HumanMessage):
            asked.append(str(message.content))
    return False


def _is_question(text: str) -> bool:
    """A question that cannot have changed the quote: one with a number ("can I just pay 10
    of it?") may be a correction, so the quote is shown again before a yes counts."""
    if re.search(r"\d", text) or extract_amount(text, bare=True) or _CHANGE_WORDS.search(text):
        return False
    return "?" in text or bool(_QUESTION_OPENER.match(text))


# Amounts in words come from the one money parser (assistant/local/amounts.py); these words ask
# for a different amount without naming one.
_CHANGE_WORDS = re.compile(r"\b(quid|pounds?|half|instead|other|another)\b", re.IGNORECASE)


_QUESTION_OPENER = re.compile(
    r"^\W*(how|what|whats|what's|which|when|why|where|who|is|are|does|do|can|could|will|would)\b",
    re.IGNORECASE,
)


def _last_reply_asked(history: list[BaseMessage]) -> bool:
    for message in reversed(history):
        if isinstance(message, AIMessage) and not message.tool_calls:
            return "?" in str(message.content)[-80:]
    return False


async def decide(
    request: TurnRequest, deps: TurnDeps, facts: TurnFacts, action: OpenAction, decision: str
) -> AsyncIterator[TurnEvent]:
    """The customer said a plain yes or no to the open quote: execute or cancel it, no model."""
    facts.fixed_confidence = 0.95
    if decision == "reconfirm":
        async for event in _reconfirm(facts, action):
            yield event
        return
    if deps.desk is None:
        async for event in say(facts, replies.NOTHING_PENDING):
            yield event
        return
    try:
        if decision == "confirm":
            result = await deps.desk.confirm(request.ctx, action.action_id)
        else:
            result = await deps.desk.cancel(request.ctx, action.action_id)
    except SwitchboardError as exc:
        facts.tool_errors += 1
        async for event in say(facts, exc.customer_message):
            yield event
        return
    if result.tool:
        facts.tools.append(result.tool)
        facts.capability = TOOL_CAPABILITY.get(result.tool)
    yield ActionExecuted(
        action_id=result.action_id, tool=result.tool, status=result.status, receipt=result.receipt
    )
    facts.outcome = "acted" if result.status == "ok" else "answered"
    if result.status == "failed":
        facts.tool_errors += 1
    async for event in say(facts, result.message):
        yield event
    if result.status == "expired" and decision == "confirm":
        async for event in _requote(request, deps, facts, action):
            yield event


async def _reconfirm(facts: TurnFacts, action: OpenAction) -> AsyncIterator[TurnEvent]:
    proposed = action  # the open quote, shown again as it was
    facts.proposed.append(proposed)
    facts.tools.append(action.tool)
    facts.capability = TOOL_CAPABILITY.get(action.tool)
    facts.outcome = "proposed"
    yield proposed
    async for event in say(facts, "Just to check: " + replies.confirm_prompt(action.summary)):
        yield event


async def _requote(
    request: TurnRequest, deps: TurnDeps, facts: TurnFacts, action: OpenAction
) -> AsyncIterator[TurnEvent]:
    """A yes that came too late: quote the same thing again, to be confirmed afresh."""
    assert deps.desk is not None
    try:
        outcome = await deps.desk.requote(request.ctx, action.action_id)
    except Exception as exc:
        log.warning("requote of %s failed: %r", action.action_id, exc)
        return
    proposed = getattr(outcome, "proposed", None)
    if proposed is None:
        return
    facts.proposed.append(proposed)
    facts.outcome = "proposed"
    yield proposed
    async for event in say(facts, " " + replies.confirm_prompt(proposed.summary)):
        yield event
