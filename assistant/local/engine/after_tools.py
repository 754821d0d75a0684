"""After the tools answered: the reply composed from their results, the offers and questions
that follow (a fault report, the charge to dispute, the next queued request)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage, ToolMessage

from assistant.local.answer import NOT_SURE, Result, compose, extractive_answer, read_result
from assistant.local.bills import match_charge
from assistant.local.dialogue import (
    ENGINE,
    conversation_facts,
    last_human,
)
from assistant.local.engine.core import EngineCore, EngineReply
from assistant.local.engine.history import charge_slots, line_active, previous_reply, question_asked
from assistant.local.engine.rules import WITH_ARTICLES_MIN, telco_passages
from assistant.local.planner import POSTCODE_QUESTION, Step, plan, refusal
from assistant.local.recognizer import OUT_OF_SCOPE
from assistant.local.toolbox import ToolBox


class AfterTools(EngineCore):
    # -- after tool results -----------------------------------------------------------------

    def _after_tools(self, messages: Sequence[BaseMessage], tools: ToolBox) -> EngineReply:
        results = []
        caller: AIMessage | None = None
        for message in reversed(messages):
            if isinstance(message, ToolMessage):
                results.append(message)
            elif isinstance(message, AIMessage):
                caller = message
                break
        results.reverse()
        meta = dict(caller.response_metadata or {}) if caller else {}
        parsed = [
            read_result(m.name or "", m.content, m.artifact, getattr(m, "status", None))
            for m in results
        ]
        if meta.get("awaiting") == "bill_id" and any(r.tool == "get_bills" for r in parsed):
            follow = self._dispute_after_bills(meta, messages, tools)
            if follow is not None:
                return follow
        question = question_asked(meta, messages)
        if meta.get("probe") and not telco_passages(parsed):
            # An unrecognised question the help articles do not answer either: out of scope.
            metadata = {**meta, "capability": OUT_OF_SCOPE, "intent": "decline", "probe": None}
            metadata.update(outcome_hint="refused", citations=[], grounded=False, offer=None)
            return EngineReply(text=refusal(), metadata=metadata)
        if meta.get("with_articles"):  # the articles joined an account read: only if they answer
            parsed = [r for r in parsed if r.tool != "search_knowledge" or answers(r, question)]
        reply = compose(parsed, question=question, said=previous_reply(messages))
        fallback = meta.get("fallback")
        if fallback and fallback.get("calls") and reply.text != NOT_SURE and telco_passages(parsed):
            # the articles answered a question the plan would have handed over: offer the person
            name, args = fallback["calls"][0]
            meta["offer"] = {"tool": name, "args": args}
        elif fallback and fallback.get("calls"):  # they don't answer it: the plan's own calls
            step = Step(calls=[(str(n), dict(a)) for n, a in fallback["calls"]])
            capability, intent = str(fallback["capability"]), str(fallback["intent"])
            then = self._reply(step, capability, intent, None, {}, messages)
            for key in ("recognition_score", "recognition_margin", "in_scope"):
                then.metadata[key] = meta.get(key, 1.0)
            return then
        elif fallback and (reply.text == NOT_SURE or not telco_passages(parsed)):
            # the articles don't answer it: say what the plan would have said
            metadata = {**meta, "fallback": None, "citations": [], "grounded": False}
            slots = {k: v for k, v in (meta.get("slots") or {}).items() if k != "query"}
            metadata.update(
                outcome_hint=fallback["outcome"], awaiting=fallback["awaiting"], slots=slots
            )
            return EngineReply(text=str(fallback["text"]), metadata=metadata)
        text, outcome = reply.text, reply.outcome
        offer = meta.get("offer")
        awaiting = None
        if any(r.tool in {"list_offers", "get_bills"} for r in parsed):
            awaiting = meta.get("awaiting")
        overview = next((r for r in parsed if r.tool == "get_account_overview"), None)
        if meta.get("awaiting") == "postcode" and overview is not None:
            if line_active(overview.data):  # the line is fine: look at the network next
                awaiting = "postcode"
                text += " Your line is active, so let's check the network. " + POSTCODE_QUESTION
                outcome = "clarified"
        if awaiting == "bill_id" and outcome == "answered":
            text += (
                " Which charge would you like to dispute? Tell me the amount or what it was for."
            )
            outcome = "clarified"
        if offer and outcome == "answered" and offer.get("tool") == "report_fault":
            text += " If that doesn't explain it, I can report a fault for you. Shall I? (yes/no)"
        elif offer and outcome == "answered" and offer.get("tool") == "transfer_to_human":
            text += (
                " If you'd still like to talk to a person, I can put you through. Shall I? (yes/no)"
            )
        elif text == NOT_SURE:  # the articles don't answer it: the person offered is real
            offer = {"tool": "transfer_to_human", "args": {"reason": "customer_request"}}
        else:
            offer = None
        queued = meta.get("queued") or []
        if queued and offer is None and outcome in {"answered", "acted"}:
            capability, intent = queued[0]
            offer = {"capability": capability, "intent": intent, "text": last_human(messages)}
            text += f" You also asked about {capability.replace('_', ' ')} — shall I help with "
            text += "that now? (yes/no)"
        metadata = {
            **{
                k: meta.get(k)
                for k in (
                    "capability",
                    "intent",
                    "recognition_score",
                    "recognition_margin",
                    "in_scope",
                    "slots",
                )
            },
            "engine": ENGINE,
            "outcome_hint": outcome,
            "awaiting": awaiting,
            "offer": offer,
            "queued": queued[1:],
            "citations": list(reply.citations),
            "grounded": reply.grounded,
        }
        return EngineReply(text=text, metadata=metadata)

    def _dispute_after_bills(
        self, meta: dict[str, Any], messages: Sequence[BaseMessage], tools: ToolBox
    ) -> EngineReply | None:
        slots = dict(meta.get("slots") or {})
        charge = match_charge(
            str(slots.get("description") or ""), conversation_facts(messages).bills
        )
        if charge is None:
            return None
        slots.update(charge_slots(charge))
        capability, intent = str(meta.get("capability")), str(meta.get("intent"))
        step = plan(capability, intent, slots, str(slots.get("description") or ""), tools)
        if not any(name == "dispute_charge" for name, _ in step.calls):
            return None
        reply = self._reply(step, capability, intent, None, slots, messages)
        for key in ("recognition_score", "recognition_margin", "in_scope"):
            reply.metadata[key] = meta.get(key, 1.0)
        return reply


def answers(result: Result, question: str) -> bool:
    """The help articles' result answers `question`: a strong passage and a sentence that
    answers it (not the engine's "not sure")."""
    strongest = max((float(p.get("score") or 0.0) for p in result.passages), default=0.0)
    if strongest < WITH_ARTICLES_MIN:
        return False
    return extractive_answer(question, result.passages).text != NOT_SURE
