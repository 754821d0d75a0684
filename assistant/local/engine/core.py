"""The engine's shared core: its reply type and the steps from a plan to a reply."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from langchain_core.messages import BaseMessage

from assistant.local.catalog import CatalogItem
from assistant.local.dialogue import (
    ENGINE,
    Facts,
    Who,
    last_human,
    who_is_signed_in,
)
from assistant.local.engine.history import call_id, jsonable, remember_query
from assistant.local.engine.rules import GENERAL_QUESTION, OPEN_TOOLS, asks_how
from assistant.local.languages import load_languages
from assistant.local.planner import Step
from assistant.local.recognizer import Recognition, Recognizer
from assistant.local.request_slots import extract_slots
from assistant.local.speech_acts import SpeechActs
from switchboard import clock

TOPIC_SURE = 0.7  # a recognition at least this sure names the topic of a knowledge search
NO_TOPIC = frozenset({"faq", "out_of_scope", "greeting", "human_agent"})


@dataclass
class EngineReply:
    text: str
    calls: list[dict[str, Any]] = field(default_factory=list)  # {"name", "args", "id"}
    metadata: dict[str, Any] = field(default_factory=dict)


class EngineCore:
    """What every situation shares: the recogniser, the learned acts, the catalogue, and how a
    step becomes a reply (the guard for sign-in and segment, the slots, the call ids)."""

    def __init__(
        self,
        recognizer: Recognizer,
        *,
        catalog: Sequence[CatalogItem] = (),
        acts: SpeechActs | None = None,
    ) -> None:
        self.recognizer = recognizer
        self.catalog = tuple(catalog)
        self.acts = acts
        self.languages = load_languages()

    def _slots(self, text: str, capability: str, intent: str, facts: Facts) -> dict[str, Any]:
        catalog = facts.catalog + self.catalog
        slots = extract_slots(text, capability, intent, catalog=catalog, today=clock.today())
        if capability == "faq":
            slots["query"] = text
        return slots

    def _guard(self, step: Step, capability: str, who: Who, last_text: str) -> Step:
        """No account tools for a customer who is not signed in; no top-up for a bill payer."""
        if who.signed_in is False and any(name == "list_offers" for name, _ in step.calls):
            query = last_text or capability.replace("_", " ")
            return Step(calls=[("search_knowledge", {"query": query})])  # general info only
        account = [name for name, _ in step.calls if name not in OPEN_TOOLS]
        if account and who.signed_in is False and self._not_a_request(last_text):
            return Step(calls=[("search_knowledge", {"query": last_text})])  # "how can I pay?"
        if account and who.signed_in is False:
            return Step(
                text="I can help with that once you're signed in — please sign in or verify "
                "your number, then ask me again. In the meantime I can answer general questions.",
                outcome="clarified",
            )
        if capability == "top_up" and who.segment in {"postpaid", "business"} and account:
            return Step(
                text="Top-ups are for prepaid lines. On a pay-monthly plan your charges go on "
                "your monthly bill, so there's nothing to top up. I can show you your latest "
                "bill if you like.",
                outcome="answered",
            )
        return step

    def _not_a_request(self, text: str) -> bool:
        """A question rather than a request to change something: the articles can help
        someone who is not signed in."""
        if GENERAL_QUESTION.match(text):
            return True
        act = self.acts.act(text) if self.acts is not None else None
        return act is not None and (act.label != "change" or asks_how(act, text))

    def _reply(
        self,
        step: Step,
        capability: str,
        intent: str,
        rec: Recognition | None,
        slots: dict[str, Any],
        messages: Sequence[BaseMessage],
        *,
        queued: list[list[str]] | None = None,
    ) -> EngineReply:
        step = self._guard(step, capability, who_is_signed_in(messages), last_human(messages))
        remember_query(step, slots)
        if rec is not None and rec.score >= TOPIC_SURE and capability not in NO_TOPIC:
            # the articles of the recognised capability rank a little higher (none is excluded)
            step.calls = [
                (name, {**args, "topic": capability} if name == "search_knowledge" else args)
                for name, args in step.calls
            ]
        calls = [
            {"name": name, "args": args, "id": call_id(messages, index, name, args)}
            for index, (name, args) in enumerate(step.calls)
        ]
        metadata = {
            "engine": ENGINE,
            "capability": capability,
            "intent": intent,
            "recognition_score": rec.score if rec else 1.0,
            "recognition_margin": rec.margin if rec else 1.0,
            "in_scope": rec.in_scope if rec else 1.0,
            "slots": jsonable(slots),
            "outcome_hint": step.outcome if not calls or step.outcome != "answered" else "answered",
            "awaiting": step.awaiting,
            "offer": step.offer,
            "queued": queued or [],
        }
        return EngineReply(text=step.text, calls=calls, metadata=metadata)
