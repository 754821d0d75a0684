"""A message read in the conversation's context: an answer to the engine's question, a
correction, a cancellation, a yes/no to an offer, a short follow-up on the same topic."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from langchain_core.messages import BaseMessage, HumanMessage

from assistant.local.bills import match_charge
from assistant.local.dialogue import (
    Facts,
    State,
    follow_up_rest,
    is_cancel,
    is_correction,
    quoted_tool,
    wants_other_line,
)
from assistant.local.engine.core import EngineCore, EngineReply
from assistant.local.engine.history import (
    changes_a_slot,
    charge_slots,
    follow_up_query,
    previous_turn_tools,
    starts_no,
)
from assistant.local.engine.rules import (
    FREE_TEXT_SLOTS,
    INTERROGATIVE,
    ITEM_SLOTS,
    NOT_STATUS,
    ON_OFF_CAPABILITIES,
    READ_INTENT,
    READ_TOOLS,
    REFERS_BACK,
    REQUEST_FORM,
    asks,
    asks_how,
    asks_more,
)
from assistant.local.planner import Step, plan
from assistant.local.recognizer import OUT_OF_SCOPE, Recognition
from assistant.local.slots import extract_yes_no
from assistant.local.toolbox import ToolBox


class InContext(EngineCore):
    # -- corrections, answers to questions, follow-ups, yes/no ------------------------------

    def _in_context(
        self,
        text: str,
        state: State,
        facts: Facts,
        tools: ToolBox,
        messages: Sequence[BaseMessage],
    ) -> EngineReply | None:
        if state.capability in {None, "greeting", OUT_OF_SCOPE} and not state.offer:
            return None
        yes_no = extract_yes_no(text) if len(text.split()) <= 6 else None
        if yes_no is None and state.offer:
            yes_no = self.languages.yes_no(text)  # "tak" to the person offered in Polish
        if state.offer and yes_no is not None:
            return self._answer_offer(state, yes_no, tools, messages)
        assert state.capability is not None and state.intent is not None
        if state.capability in {"greeting", OUT_OF_SCOPE}:
            return None
        rec = self.recognizer.recognise(text)
        new_slots = self._slots(text, state.capability, state.intent, facts)
        chosen = self._chosen_item(text, state, new_slots, rec, tools, messages)
        if chosen is not None:
            return chosen
        awaited = state.awaiting
        fills = awaited is not None and (awaited in new_slots or awaited in FREE_TEXT_SLOTS)
        switching = rec.capability not in {state.capability, OUT_OF_SCOPE} and rec.score >= 0.6
        if awaited in FREE_TEXT_SLOTS and rec.capability not in {"human_agent", "greeting"}:
            switching = False
        if switching and is_correction(text) and changes_a_slot(new_slots, state):
            switching = False  # "make it 20 instead" corrects the action in progress
        if awaited == "bill_id" and not switching:
            charge = match_charge(text, facts.bills)
            if charge is not None:
                new_slots.update(charge_slots(charge))
                fills = True
        if is_cancel(text) and not switching and not changes_a_slot(new_slots, state):
            step = Step(
                text="No problem — I haven't done anything. Is there anything else I can help with?"
            )
            return self._reply(step, state.capability, state.intent, rec, {}, messages)
        correcting = is_correction(text) or (starts_no(text) and changes_a_slot(new_slots, state))
        refers_back = bool(REFERS_BACK.search(text))
        if (not switching or refers_back) and self._amends_quote(text, new_slots, tools, messages):
            # "can I just pay £10 of it": a new value for the open quote
            correcting, switching = True, False
        if (correcting or fills) and not switching:
            slots = {**state.slots, **new_slots}
            if awaited in FREE_TEXT_SLOTS and awaited not in new_slots:
                slots[awaited] = text
            if wants_other_line(text):
                other = [n for n in facts.lines if n != state.slots.get("msisdn")]
                if len(other) == 1:
                    slots["msisdn"] = other[0]
                else:
                    step = Step(
                        text="Which number would you like me to use? Please type it in full, "
                        "for example 07700 900123.",
                        outcome="clarified",
                        awaiting="msisdn",
                    )
                    return self._reply(step, state.capability, state.intent, rec, slots, messages)
            step = plan(state.capability, state.intent, slots, text, tools)
            return self._reply(step, state.capability, state.intent, rec, slots, messages)
        rest = follow_up_rest(text)
        if rest is not None:
            return self._follow_up(rest, state, facts, tools, messages)
        previous_query = str(state.slots.get("query") or "")
        act = self.acts.act(text) if self.acts is not None else None
        same_topic = rec.capability in {OUT_OF_SCOPE, "faq", state.capability} or rec.score < 0.6
        if previous_query and same_topic and (asks_how(act, text) or INTERROGATIVE.search(text)):
            # "and to see if it's on?" after a how-to answer: the same topic, asked further
            slots = {"query": f"{previous_query} {text}"}
            step = Step(calls=[("search_knowledge", {"query": slots["query"]})])
            return self._reply(step, state.capability, state.intent, rec, slots, messages)
        item = ITEM_SLOTS.get(state.capability)
        tried = item is not None and item[1] in previous_turn_tools(messages)
        if yes_no and not switching and item and state.slots.get(item[0]) and not tried:
            # "ok add it" about the add-on or plan the conversation is about
            slots = dict(state.slots)
            step = plan(state.capability, item[1], slots, text, tools)
            return self._reply(step, state.capability, item[1], rec, slots, messages)
        if rec.capability == OUT_OF_SCOPE and asks_more(text) and state.capability in READ_INTENT:
            # "when will it be fixed?", "is there anything else outstanding?": same topic
            intent = READ_INTENT[state.capability] or state.intent
            slots = dict(state.slots)
            step = plan(state.capability, intent, slots, text, tools)
            return self._reply(step, state.capability, intent, rec, slots, messages)
        if yes_no is not None and not switching and len(text.split()) <= 3:
            step = Step(
                text="There's nothing waiting for your go-ahead right now. What would you "
                "like me to do?",
                outcome="clarified",
            )
            return self._reply(step, state.capability, state.intent, rec, {}, messages)
        return None

    def _amends_quote(
        self,
        text: str,
        new_slots: dict[str, Any],
        tools: ToolBox,
        messages: Sequence[BaseMessage],
    ) -> bool:
        """The message gives a value for an argument of the write quoted in the previous turn,
        as a request or a statement rather than a question ("is £10 the minimum?" asks)."""
        open_quote = quoted_tool(messages)
        quoted = [open_quote] if open_quote else []
        if len(quoted) != 1 or not tools.bound or is_cancel(text):
            return False
        if INTERROGATIVE.search(text) and not REQUEST_FORM.search(text):
            return False
        given = {k: v for k, v in new_slots.items() if k not in {"currency", "query"}}
        return bool(given) and bool(tools.args(quoted[0], given))

    def _chosen_item(
        self,
        text: str,
        state: State,
        new_slots: dict[str, Any],
        rec: Recognition,
        tools: ToolBox,
        messages: Sequence[BaseMessage],
    ) -> EngineReply | None:
        """'I'll take the unlimited texts one' after the add-ons or plans were discussed."""
        item = ITEM_SLOTS.get(state.capability or "")
        if item is None or item[0] not in new_slots or rec.capability in NOT_STATUS:
            return None
        if asks(text):
            return None  # "is unlimited max any good?" asks about it
        capability, intent = str(state.capability), item[1]
        slots = {**state.slots, **new_slots}
        step = plan(capability, intent, slots, text, tools)
        return self._reply(step, capability, intent, rec, slots, messages)

    def _answer_offer(
        self, state: State, yes: bool, tools: ToolBox, messages: Sequence[BaseMessage]
    ) -> EngineReply:
        offer = state.offer or {}
        capability, intent = state.capability or "greeting", state.intent or "hello"
        if not yes:
            step = Step(text="No problem. Is there anything else I can help with?")
            return self._reply(step, capability, intent, None, {}, messages)
        if "tool" in offer:
            tool = str(offer["tool"])
            if tool == "transfer_to_human":
                capability, intent = "human_agent", "human"
            outcome = (
                "handed_off"
                if tool == "transfer_to_human"
                else ("answered" if tool in READ_TOOLS else "proposed")
            )
            args = dict(offer.get("args") or {})
            if tool == "transfer_to_human":  # the person accepted gets what was asked so far
                asked = [str(m.content) for m in messages if isinstance(m, HumanMessage)][-3:-1]
                summary = "Customer accepted the offer of a person. " + " / ".join(asked)
                args.setdefault("summary", summary[:500])
            if not tools.has(tool):
                step = Step(text="Sorry, I can't do that here.", outcome="answered")
            else:
                step = Step(calls=[(tool, tools.args(tool, args))], outcome=outcome)
            return self._reply(
                step, capability, intent, None, dict(offer.get("args") or {}), messages
            )
        capability, intent = str(offer["capability"]), str(offer["intent"])
        slots = dict(offer.get("slots") or {})
        step = plan(capability, intent, slots, str(offer.get("text", "")), tools)
        return self._reply(step, capability, intent, None, slots, messages)

    def _follow_up(
        self,
        rest: str,
        state: State,
        facts: Facts,
        tools: ToolBox,
        messages: Sequence[BaseMessage],
    ) -> EngineReply:
        rec = self.recognizer.recognise(rest)
        previous_query = str(state.slots.get("query") or "")
        related = rec.capability in {OUT_OF_SCOPE, "faq", state.capability}
        if previous_query and related:
            slots = {"query": follow_up_query(previous_query, rest)}
            step = plan("faq", "policy", slots, slots["query"], tools)
            return self._reply(step, "faq", state.intent or "policy", rec, slots, messages)
        capability = rec.capability if rec.capability != OUT_OF_SCOPE else state.capability
        intent = rec.intent if rec.capability != OUT_OF_SCOPE else state.intent
        assert capability is not None and intent is not None
        slots = self._slots(rest, capability, intent, facts)
        if capability in ON_OFF_CAPABILITIES and "enabled" in state.slots:
            slots.setdefault("enabled", state.slots["enabled"])
            if capability == "roaming":
                intent = "roaming_on" if slots["enabled"] else "roaming_off"
        step = plan(capability, intent, slots, rest, tools)
        return self._reply(step, capability, intent, rec, slots, messages)
