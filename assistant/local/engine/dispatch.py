"""The engine's entry: which situation a message is in (after tools, another language, a status
question, a sensitive message, in context, or a new request)."""

from __future__ import annotations

from collections.abc import Sequence

from langchain_core.messages import BaseMessage, ToolMessage

from assistant.handoff.signals import sensitivity
from assistant.local.dialogue import (
    conversation_facts,
    last_human,
    previous_state,
    without_courtesy,
)
from assistant.local.engine.after_tools import AfterTools
from assistant.local.engine.context import InContext
from assistant.local.engine.core import EngineReply
from assistant.local.engine.fresh import FreshRequests
from assistant.local.engine.history import as_status
from assistant.local.engine.rules import (
    ARE_YOU_A_BOT,
    I_AM_A_BOT,
    NOT_INSTRUCTIONS,
    NOT_STATUS,
    REINSTRUCTS,
    wants_person_now,
)
from assistant.local.languages import OTHER as OTHER_LANGUAGE
from assistant.local.planner import Step, plan
from assistant.local.recognizer import OUT_OF_SCOPE
from assistant.local.status import is_status_question
from assistant.local.text import looks_non_english
from assistant.local.toolbox import ToolBox


class Engine(FreshRequests, InContext, AfterTools):
    """Reads the conversation, recognises the request and decides what to do next."""

    def respond(self, messages: Sequence[BaseMessage], tools: ToolBox) -> EngineReply:
        if messages and isinstance(messages[-1], ToolMessage):
            return self._after_tools(messages, tools)
        text = without_courtesy(last_human(messages).strip())
        state = previous_state(messages)
        facts = conversation_facts(messages)
        if not text:
            return self._reply(
                Step(text="How can I help you today?", outcome="clarified"),
                "greeting",
                "hello",
                None,
                {},
                messages,
            )
        language = self.languages.detect(text)
        if language is None and looks_non_english(text):
            language = OTHER_LANGUAGE
        if language is not None and self.languages.yes_no(text) is None:
            # another language: say so in it, and offer a person (never the out-of-scope refusal)
            step = Step(
                text=self.languages.reply(language),
                outcome="clarified",
                offer={"tool": "transfer_to_human", "args": {"reason": "customer_request"}},
            )
            return self._reply(step, "human_agent", "language", None, {}, messages)
        if is_status_question(text) and not state.awaiting:
            rec = self.recognizer.recognise(text)
            if rec.capability not in NOT_STATUS:  # "where's my order" reads, never re-orders
                return self._fresh(text, as_status(rec), facts, tools, messages)
        sensitive = self._sensitive(text, tools, messages)
        if sensitive is not None:
            return sensitive
        contextual = self._in_context(text, state, facts, tools, messages)
        if contextual is not None:
            return contextual
        rec = self.recognizer.recognise(text)
        return self._fresh(text, rec, facts, tools, messages)

    def _sensitive(
        self, text: str, tools: ToolBox, messages: Sequence[BaseMessage]
    ) -> EngineReply | None:
        """A question about the assistant itself, an attempt to re-instruct it, or a
        bereavement: no account action."""
        if REINSTRUCTS.search(text):
            step = Step(text=NOT_INSTRUCTIONS, outcome="refused")
            return self._reply(step, OUT_OF_SCOPE, "decline", None, {}, messages)
        if ARE_YOU_A_BOT.search(text) and not wants_person_now(text):
            step = Step(
                text=I_AM_A_BOT,
                outcome="answered",
                offer={"tool": "transfer_to_human", "args": {"reason": "customer_request"}},
            )
            return self._reply(step, "greeting", "hello", None, {}, messages)
        # the turn loop's rule (assistant/handoff/signals.py)
        if sensitivity(text) == "bereavement":
            step = plan("human_agent", "human", {}, text, tools)
            if step.calls:
                name, args = step.calls[0]
                summary = f"Bereavement — handle with care: {text}"[:500]
                step.calls[0] = (
                    name,
                    {**args, "reason": "vulnerable_customer", "summary": summary},
                )
            return self._reply(step, "human_agent", "human", None, {}, messages)
        return None
