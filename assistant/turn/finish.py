"""The end of a turn: the reply checked against the guardrails, capability and outcome, the
citations, the confidence, the handoff decision and `turn.completed`."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

from assistant.events import (
    Capability,
    Citation,
    Handoff,
    Outcome,
    Token,
    TurnCompleted,
    TurnEvent,
    Usage,
)
from assistant.guardrails import unverified_prices
from assistant.handoff.capability import WRITE_TOOLS, capability_from_tools, classify
from assistant.handoff.confidence import ConfidenceInputs, is_repeated, score, support, supports
from assistant.handoff.policy import QUEUES, HandoffPolicy
from assistant.handoff.signals import is_frustrated, sensitivity, wants_person
from assistant.turn import replies
from assistant.turn.reading import Passage
from assistant.turn.request import TurnFacts, TurnRequest


async def finish_turn(
    request: TurnRequest, policy: HandoffPolicy, facts: TurnFacts
) -> AsyncIterator[TurnEvent]:
    """Close the turn: always ends with `turn.completed`."""
    if not "".join(facts.reply).strip() and facts.force_handoff is None:
        for event in _fill_empty_reply(facts):
            yield event
    reply = "".join(facts.reply).strip()
    history_text = [str(m.content) for m in request.history]
    evidence = [r.content for r in facts.readings] + [p.text for p in facts.passages]
    made_up = unverified_prices(reply, [*evidence, request.text, *history_text])
    if made_up and facts.failure is None:
        facts.reply.append(replies.UNVERIFIED_PRICE)
        yield Token(text=replies.UNVERIFIED_PRICE)
    capability = _capability(request.text, facts)
    cited = _citations(reply, facts)
    for passage in cited:
        yield Citation(doc_id=passage.doc_id, title=passage.title, url=passage.url)
    confidence = _confidence(request, facts, reply, cited, len(made_up))
    outcome = facts.outcome or _outcome(facts, capability, reply)
    decision_reason, queue = _handoff(request, policy, facts, capability, confidence, outcome)
    if decision_reason is not None:
        outcome = "handed_off"
        if facts.force_handoff is not None or facts.tool_handoff is None:
            separator = "\n\n" if "".join(facts.reply).strip() else ""
            text = separator + replies.handoff_text(decision_reason)
            text += replies.after_hours(request.ctx.settings)
            facts.reply.append(text)
            yield Token(text=text)
        yield Handoff(
            reason=decision_reason,
            queue=queue,
            summary=_handoff_summary(request, decision_reason, capability),
        )
    yield TurnCompleted(
        turn_id=request.ctx.turn_id,
        text="".join(facts.reply).strip(),
        capability=capability,
        outcome=outcome,
        confidence=confidence,
        tools=list(dict.fromkeys(facts.tools)),
        citations=[p.doc_id for p in cited],
        usage=Usage(prompt_tokens=facts.prompt_tokens, completion_tokens=facts.completion_tokens),
        latency_ms=int((time.monotonic() - facts.started) * 1000),
    )


def _fill_empty_reply(facts: TurnFacts) -> list[TurnEvent]:
    if facts.proposed:
        text = replies.confirm_prompt(facts.proposed[-1].summary)
    elif facts.readings:
        text = " ".join(r.summary for r in facts.readings if r.summary) or replies.NOT_UNDERSTOOD
    else:
        text = replies.NOT_UNDERSTOOD
        facts.outcome = facts.outcome or "clarified"
    facts.reply.append(text)
    return [Token(text=text)]


def _capability(text: str, facts: TurnFacts) -> Capability | None:
    if facts.force_handoff in ("customer_request", "bereavement", "vulnerability"):
        return "human_agent"
    return (
        facts.capability
        or facts.signals.capability
        or capability_from_tools(facts.tools)
        or classify(text)
    )


def _outcome(facts: TurnFacts, capability: Capability | None, reply: str) -> Outcome:
    if facts.signals.outcome is not None:
        return facts.signals.outcome
    if facts.proposed:
        return "proposed"
    if any(r.tool in WRITE_TOOLS and r.status == "ok" for r in facts.readings):
        return "acted"
    if facts.failure is not None:
        return "clarified"
    if capability == "out_of_scope":
        return "refused"
    if not facts.readings and reply.rstrip().endswith("?"):
        return "clarified"
    return "answered"


def _citations(reply: str, facts: TurnFacts) -> list[Passage]:
    unique = list({p.doc_id: p for p in sorted(facts.passages, key=lambda p: -p.score)}.values())
    if facts.signals.citations:  # the model named its sources: cite those it was given
        by_id = {p.doc_id: p for p in unique}
        named = [by_id[d] for d in facts.signals.citations if d in by_id]
        if named:
            return named[:3]
    cited = [p for p in unique if p.text and supports(reply, p.text)]
    if not cited and unique and facts.signals.grounded:
        cited = unique[:1]
    return cited[:3]


def _confidence(
    request: TurnRequest, facts: TurnFacts, reply: str, cited: list[Passage], made_up: int
) -> float:
    if facts.failure is not None:
        return 0.0
    if facts.fixed_confidence is not None:
        return facts.fixed_confidence
    signals = facts.signals
    uses_passages = bool(facts.passages)
    inputs = ConfidenceInputs(
        model_confidence=signals.confidence,
        recognition_score=signals.recognition_score,
        recognition_margin=signals.recognition_margin,
        recognition_calibrated=signals.calibrated,
        retrieval_top=max((p.score for p in facts.passages), default=None),
        answer_uses_passages=uses_passages,
        support=support(reply, [p.text for p in facts.passages]) if uses_passages else None,
        tool_errors=facts.tool_errors,
        repeated=is_repeated(request.text, request.earlier_customer_texts),
        frustrated=is_frustrated(request.text),
        unverified_prices=made_up,
        empty_reply=not reply,
    )
    return score(inputs).value


def _handoff(
    request: TurnRequest,
    policy: HandoffPolicy,
    facts: TurnFacts,
    capability: Capability | None,
    confidence: float,
    outcome: Outcome,
) -> tuple[str | None, str]:
    if facts.force_handoff is not None:
        return facts.force_handoff, QUEUES.get(facts.force_handoff, "general")
    if facts.outcome == "acted" and facts.fixed_confidence is not None:
        return None, ""  # a confirmed action is not second-guessed
    # A request for a person is always honoured: in the signal's words, or recognised as
    # `human_agent` in others ("agent please") when the model neither handed off itself nor
    # asked first (offering a person in the customer's language waits for their yes).
    recognised = (
        capability == "human_agent" and facts.tool_handoff is None and outcome != "clarified"
    )
    decision = policy.decide(
        wants_person=wants_person(request.text) or recognised,
        capability=capability,
        sensitivity=sensitivity(request.text),
        confidence=confidence,
        low_streak_before=request.low_confidence_streak,
        tool_errors=facts.tool_errors,
        asking=outcome == "clarified",
        retention_asked=request.retention_asked and facts.failure is None,
    )
    if decision is not None and facts.tool_handoff is not None:
        return decision.reason, facts.tool_handoff[1]  # the queue the tool already chose
    if decision is not None:
        return decision.reason, decision.queue
    if facts.tool_handoff is not None:
        return facts.tool_handoff[0], facts.tool_handoff[1]
    return None, ""


def _handoff_summary(request: TurnRequest, reason: str, capability: Capability | None) -> str:
    recent = [
        f"{m.type}: {' '.join(str(m.content).split())[:160]}"
        for m in request.history[-4:]
        if m.type in ("human", "ai")
    ]
    lines = [
        f"Reason: {reason}. Topic: {capability or 'unknown'}.",
        f"Customer's last message: {' '.join(request.text.split())[:300]}",
        *recent,
    ]
    return "\n".join(lines)[:1000]
