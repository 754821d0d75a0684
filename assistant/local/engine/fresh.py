"""A new request: recognition's reading corrected by the rules, the plan, and the help articles
read first when the plan can only answer with words."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from langchain_core.messages import BaseMessage

from assistant.handoff.signals import wants_person
from assistant.local.dialogue import (
    Facts,
    who_is_signed_in,
)
from assistant.local.engine.core import EngineCore, EngineReply
from assistant.local.engine.history import dedupe, one_write, read_only
from assistant.local.engine.rules import (
    A_CHARGE,
    A_PERSON,
    CHANGE_SURE,
    CONTACT_DETAILS,
    FREE_MONEY,
    INTERROGATIVE,
    LEAVING,
    MONEY_CAPABILITIES,
    NO_FREE_MONEY,
    NO_KNOWLEDGE_FOR,
    RETENTION_SURE,
    RETENTION_WORDS,
    TOP_UP_WORDS,
    UNASKED_MIN,
    asks,
    asks_how,
    is_question,
    not_an_answer,
    reads_instead,
    reads_with_articles,
    unasked_write,
    wants_person_now,
)
from assistant.local.planner import Step, plan, refusal
from assistant.local.recognizer import OUT_OF_SCOPE, Recognition
from assistant.local.speech_acts import Decision
from assistant.local.status import referenced_ref
from assistant.local.toolbox import ToolBox


class FreshRequests(EngineCore):
    def _fresh(
        self,
        text: str,
        rec: Recognition,
        facts: Facts,
        tools: ToolBox,
        messages: Sequence[BaseMessage],
    ) -> EngineReply:
        if rec.capability == OUT_OF_SCOPE and wants_person(text):
            rec = replace(rec, capability="human_agent", intent="human")  # "real persn pls"
        act = self.acts.act(text) if self.acts is not None else None
        if rec.capability == OUT_OF_SCOPE:
            if (asks_how(act, text) or INTERROGATIVE.search(text)) and not FREE_MONEY.search(text):
                # Not recognised: the help articles decide (nothing telco there -> refusal).
                query = {"query": text}
                step = Step(calls=[("search_knowledge", query)])
                reply = self._reply(step, "faq", "policy", rec, query, messages)
                reply.metadata["probe"] = True
                return reply
            return self._reply(
                Step(text=refusal(), outcome="refused"), OUT_OF_SCOPE, rec.intent, rec, {}, messages
            )
        if (
            rec.capability == "retention"
            and rec.score < RETENTION_SURE
            and not RETENTION_WORDS.search(text)
        ):
            other = next((r for r in rec.ranked if r.capability != "retention"), None)
            if other is not None:  # "getting a contract for my mum" is not a cancellation
                rec = replace(rec, capability=other.capability, intent=other.intent)
        if (
            rec.capability == "human_agent"
            and CONTACT_DETAILS.search(text)
            and not wants_person_now(text)
        ):
            rec = replace(rec, capability="faq", intent="how_to")
        if LEAVING.search(text) and rec.capability not in {"human_agent", "retention"}:
            rec = replace(rec, capability="retention", intent="cancel", also=())
        if rec.capability in MONEY_CAPABILITIES and FREE_MONEY.search(text) and not asks(text):
            step = Step(text=NO_FREE_MONEY, outcome="refused")
            return self._reply(step, rec.capability, rec.intent, rec, {}, messages)
        if rec.capability == "top_up" and A_CHARGE.search(text) and not TOP_UP_WORDS.search(text):
            other = next((r for r in rec.ranked if r.capability != "top_up"), None)
            if other is not None:  # "a random 6.40 on my bill" is a charge, not a top-up
                rec = replace(rec, capability=other.capability, intent=other.intent)
        clause = rec.clause if rec.also else text
        slots = self._slots(clause, rec.capability, rec.intent, facts)
        if rec.capability == "request_status" and (ref := referenced_ref(text, messages)):
            slots["ref"] = ref
        step = plan(rec.capability, rec.intent, slots, clause, tools)
        if (
            asks_how(act, text)
            and (not_an_answer(step, rec.capability) or reads_instead(act, text, step))
        ) or (rec.capability not in NO_KNOWLEDGE_FOR and unasked_write(act, text, step)):
            # "how do I...", "can I...", "why...": the articles answer; never a quote.
            slots = {"query": text}
            step = Step(calls=[("search_knowledge", {"query": text})])
            # a question about contract terms is answered, not a retention conversation (which
            # the turn loop hands to a person)
            capability = "faq" if rec.capability == "retention" else rec.capability
            return self._reply(step, capability, rec.intent, rec, slots, messages)
        queued: list[list[str]] = []
        clauses = rec.also_clauses or tuple(text for _ in rec.also)
        for other, other_clause in zip(rec.also, clauses, strict=False):
            other_step = plan(
                other.capability,
                other.intent,
                self._slots(text, other.capability, other.intent, facts),
                other_clause,  # "what's my credit and can you top up 10": the top-up asks
                tools,
            )
            if read_only(step) and (read_only(other_step) or one_write(other_step)):
                step.calls.extend(other_step.calls)  # read, and quote the one action too
                if not read_only(other_step):
                    step.outcome = other_step.outcome
            else:
                queued.append([other.capability, other.intent])
        dedupe(step)
        if (
            rec.capability == "human_agent"
            and [name for name, _ in step.calls] == ["transfer_to_human"]
            and is_question(act, text)
            and not wants_person_now(text)
            and not A_PERSON.search(text)
        ):
            # "is the chat available at 3am", "how does a deaf customer get through to you": the
            # articles answer, and a person is offered; the hand-off happens if they can't
            slots = {"query": text}
            handoff = [[name, args] for name, args in step.calls]
            step = Step(calls=[("search_knowledge", {"query": text})])
            reply = self._reply(step, "faq", "how_to", rec, slots, messages)
            reply.metadata["fallback"] = {
                "calls": handoff,
                "capability": rec.capability,
                "intent": rec.intent,
            }
            return reply
        fallback = self._consult_first(step, rec.capability, text, act, messages)
        if fallback is not None:
            # The plan can't answer (it asks a detail, needs sign-in or refuses): the articles
            # are read first, and the plan's own reply is what is said if they don't answer.
            slots = {"query": text}
            step = Step(calls=[("search_knowledge", {"query": text})])
            reply = self._reply(step, rec.capability, rec.intent, rec, slots, messages)
            reply.metadata["fallback"] = fallback
            return reply
        with_articles = (
            who_is_signed_in(messages).signed_in is True
            and not queued
            and reads_with_articles(act, text, step)
        )
        if with_articles:
            search = ("search_knowledge", {"query": text})
            leads = act is not None and act.label == "how"  # the answer it most likely wants first
            step.calls = [search, *step.calls] if leads else [*step.calls, search]
        reply = self._reply(step, rec.capability, rec.intent, rec, slots, messages, queued=queued)
        if with_articles:
            reply.metadata["with_articles"] = True
        return reply

    def _consult_first(
        self,
        step: Step,
        capability: str,
        text: str,
        act: Decision | None,
        messages: Sequence[BaseMessage],
    ) -> dict[str, Any] | None:
        """The reply to fall back on when the help articles should be read first, else None.

        They are read first when the plan would only answer with words — a question back, a
        sign-in request or a refusal — and the message is not surely a request for a change:
        a question (`is_question`), a message the learned act reads as asking how things work
        ("no signal for two days after an outage near me, can I claim anything"), or, from
        someone who is not signed in (nothing on an account can be done for them, but the
        articles can help), anything the learned act does not read as a change ("call waiting
        off code")."""
        if capability in NO_KNOWLEDGE_FOR or capability in {"retention", OUT_OF_SCOPE}:
            return None
        who = who_is_signed_in(messages)
        planned = self._guard(step, capability, who, text)
        if planned.calls or planned.outcome not in {"clarified", "refused"} or planned.offer:
            return None
        surely_change = act is not None and act.label == "change" and act.probability >= CHANGE_SURE
        anonymous = who.signed_in is False and not surely_change
        asks_about = act is not None and act.label == "how" and act.probability >= UNASKED_MIN
        if not (anonymous or is_question(act, text) or asks_about):
            return None
        return {"text": planned.text, "outcome": planned.outcome, "awaiting": planned.awaiting}
