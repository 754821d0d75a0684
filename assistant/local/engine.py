"""The local engine's decision for one model call: from the messages so far to a reply (text,
tool calls and the metadata the turn loop's confidence model reads). Pure and deterministic."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage

from assistant.local.acts import classify_act
from assistant.local.answer import NOT_SURE, compose, read_result
from assistant.local.bills import BillItem, match_charge
from assistant.local.catalog import CatalogItem
from assistant.local.dialogue import (
    ENGINE,
    Facts,
    State,
    Who,
    conversation_facts,
    follow_up_rest,
    is_cancel,
    is_correction,
    last_human,
    previous_state,
    wants_other_line,
    who_is_signed_in,
    without_courtesy,
)
from assistant.local.languages import OTHER as OTHER_LANGUAGE
from assistant.local.languages import load_languages
from assistant.local.planner import POSTCODE_QUESTION, Step, extract_slots, plan, refusal
from assistant.local.recognizer import OUT_OF_SCOPE, Recognition, Recognizer
from assistant.local.slots import extract_yes_no
from assistant.local.speech_acts import Decision, SpeechActs
from assistant.local.status import is_status_question, referenced_ref
from assistant.local.text import OPERATOR, looks_non_english, normalise
from assistant.local.toolbox import ToolBox
from assistant.signals import sensitivity, wants_person
from switchboard import clock

READ_TOOLS = frozenset(
    {
        "get_account_overview",
        "get_usage",
        "list_offers",
        "get_bills",
        "get_request_status",
        "check_coverage",
        "search_knowledge",
    }
)
_RETENTION_WORDS = re.compile(
    r"\b(cancel\w*|cancle|leav\w*|switch\w* (provider|network|to)|pac|stac|compensat\w*|refund|"
    r"money back|complain\w*|terminat\w*|close (my|the|our) account|end (my|the|our) contract|"
    r"rubbish|unhappy|fed up|joke|moving to|port\w* (my number )?out|going to (ee|o2|vodafone|"
    r"three|giffgaff|sky|virgin)|elsewhere|don'?t want (this|the|your)|owe me|deserve|"
    r"disgust\w*)\b",
    re.IGNORECASE,
)
# An amount on a bill or a charge ("a random 6.40 on my bill") is not a top-up unless
# the customer also says they want to add credit.
_A_CHARGE = re.compile(r"\b(bill\w*|charg\w*|fees?|invoice)\b", re.IGNORECASE)
_TOP_UP_WORDS = re.compile(
    r"\b(top\w*|topup|recharge\w*|add\w*|put\w*|load\w*|credit|chuck|stick|bung|"
    r"tenner|fiver|quid|payg|pay as you go|on (my|the|this|me) (phone|number|mobile|sim|"
    r"account|line))\b",
    re.IGNORECASE,
)
_OPEN_TOOLS = frozenset({"search_knowledge", "check_coverage", "transfer_to_human"})
_FREE_TEXT_SLOTS = frozenset({"detail", "description"})
_ON_OFF_CAPABILITIES = frozenset({"roaming", "call_features"})
_NOT_STATUS = frozenset({"human_agent", "retention", "greeting"})
# The slot naming a catalog item, and the intent that acts on it, per capability.
_ITEM_SLOTS = {
    "addons_limits": ("addon_id", "buy_addon"),
    "plan_change": ("plan_id", "change_plan"),
}  # the intent is also the name of its write tool
# "am I talking to a robot?", "are you a real person?" — a question about the assistant.
_ARE_YOU_A_BOT = re.compile(
    r"^\W*(am i (talking|chatting|speaking) (to|with)|are you|is this|r u)( just| really)? "
    r"(a |an )?(real )?(bot|robot|ai|computer|machine|person|human|automated)\b",
    re.IGNORECASE,
)
_I_AM_A_BOT = (
    f"I'm {OPERATOR}'s virtual assistant — an automated helper, not a person. I can sort most "
    "things here, and a member of our team is always one step away. Would you like me to put "
    "you through to a person? (yes/no)"
)
# A message that poses as staff or the system, or tries to give the assistant new rules.
_REINSTRUCTS = re.compile(
    r"^\W*\[?\s*(agent|system|admin|staff|operator|developer|supervisor)\s*(note|message|"
    r"override|instruction|mode)\b|\b(you are now|from now on,? you|ignore (all |any )?(the )?"
    r"(previous|prior|earlier|your|above) (instructions|rules|prompts?)|with no rules|"
    r"without (any )?rules|developer mode|admin mode|god mode|jailbreak|pretend (to be|you'?re|"
    r"you are)|let'?s play a game|role-?play as)\b",
    re.IGNORECASE,
)
_NOT_INSTRUCTIONS = (
    "I can't take instructions like that — I act only on your own requests, and anything that "
    "costs money is quoted and confirmed by you first. What can I help you with today?"
)
# "what's your customer service number?" asks for contact details; it is not a request to be
# put through (that is always honoured when asked for).
_CONTACT_DETAILS = re.compile(
    r"\b(phone number|number (for|to call|to ring)|contact (number|details)|e-?mail address|"
    r"opening (hours|times)|what time (are|is) .{0,20}open|how (do|can) i (contact|call|ring|"
    r"reach))\b",
    re.IGNORECASE,
)
# The reading intent of a capability, for a short follow-up question on the same topic
# (None: the intent of the previous turn, which already reads).
_READ_INTENT: dict[str, str | None] = {
    "coverage_faults": None,
    "billing_payments": "explain_bill",
    "balance_usage": None,
    "request_status": None,
    "renewal": "renewal_date",
    "roaming": "roaming_info",
}
_REFERS_BACK = re.compile(
    r"\b(it|that|this|those|these|them|anything else|else|any more|anymore|still)\b", re.I
)
# Leaving, said outright: a retention conversation whatever else the message says.
_LEAVING = re.compile(
    r"\b(want|wanna|going|planning|like|need|gonna|time) to (leave|end (my|the|our) contract|"
    r"cancel (my|the|our) (contract|account|broadband|line)|terminate|switch (provider|network)|"
    r"go (somewhere|elsewhere)|move to (another|a different) (provider|network))\b|"
    r"\bleave (you|your network)\b|\btake my number (with me|elsewhere|to)\b",
    re.IGNORECASE,
)
# Money for nothing: "add 50 free credit", "top up 100 for free, it's a test".
_FREE_MONEY = re.compile(
    r"\b(free (credit|top ?ups?|money|minutes|data)|for free|free of charge|no charge|"
    r"without (paying|charging|being charged)|don'?t charge)\b",
    re.IGNORECASE,
)
_MONEY_CAPABILITIES = frozenset({"top_up", "billing_payments", "addons_limits", "plan_change"})
# A question that general help can answer for someone who is not signed in ("how can I pay my
# bill?", "what's the code to cancel forwarding"), unlike a request ("can you top me up").
_GENERAL_QUESTION = re.compile(
    r"^(?!.*\b(i want|i'd like|i need|please|pls)\b)\W*(how|what|what'?s|whats|which|when|"
    r"why|where|is|are|does|do|can i|wat)\b",
    re.IGNORECASE,
)


@dataclass
class EngineReply:
    text: str
    calls: list[dict[str, Any]] = field(default_factory=list)  # {"name", "args", "id"}
    metadata: dict[str, Any] = field(default_factory=dict)


class Engine:
    """Reads the conversation, recognises the request and decides what to do next."""

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
            if rec.capability not in _NOT_STATUS:  # "where's my order" reads, never re-orders
                return self._fresh(text, _as_status(rec), facts, tools, messages)
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
        if _REINSTRUCTS.search(text):
            step = Step(text=_NOT_INSTRUCTIONS, outcome="refused")
            return self._reply(step, OUT_OF_SCOPE, "decline", None, {}, messages)
        if _ARE_YOU_A_BOT.search(text) and not _wants_person_now(text):
            step = Step(
                text=_I_AM_A_BOT,
                outcome="answered",
                offer={"tool": "transfer_to_human", "args": {"reason": "customer_request"}},
            )
            return self._reply(step, "greeting", "hello", None, {}, messages)
        if sensitivity(text) == "bereavement":  # the turn loop's rule (assistant/signals.py)
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

    # -- a new request ----------------------------------------------------------------------

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
            if (_asks_how(act, text) or _INTERROGATIVE.search(text)) and not _FREE_MONEY.search(
                text
            ):
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
            and not _RETENTION_WORDS.search(text)
        ):
            other = next((r for r in rec.ranked if r.capability != "retention"), None)
            if other is not None:  # "getting a contract for my mum" is not a cancellation
                rec = replace(rec, capability=other.capability, intent=other.intent)
        if (
            rec.capability == "human_agent"
            and _CONTACT_DETAILS.search(text)
            and not _wants_person_now(text)
        ):
            rec = replace(rec, capability="faq", intent="how_to")
        if _LEAVING.search(text) and rec.capability not in {"human_agent", "retention"}:
            rec = replace(rec, capability="retention", intent="cancel", also=())
        if rec.capability in _MONEY_CAPABILITIES and _FREE_MONEY.search(text) and not _asks(text):
            step = Step(text=_NO_FREE_MONEY, outcome="refused")
            return self._reply(step, rec.capability, rec.intent, rec, {}, messages)
        if rec.capability == "top_up" and _A_CHARGE.search(text) and not _TOP_UP_WORDS.search(text):
            other = next((r for r in rec.ranked if r.capability != "top_up"), None)
            if other is not None:  # "a random 6.40 on my bill" is a charge, not a top-up
                rec = replace(rec, capability=other.capability, intent=other.intent)
        clause = rec.clause if rec.also else text
        slots = self._slots(clause, rec.capability, rec.intent, facts)
        if rec.capability == "request_status" and (ref := referenced_ref(text, messages)):
            slots["ref"] = ref
        step = plan(rec.capability, rec.intent, slots, clause, tools)
        if _asks_how(act, text) and _not_an_answer(step, rec.capability):
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
            if _read_only(step) and (_read_only(other_step) or _one_write(other_step)):
                step.calls.extend(other_step.calls)  # read, and quote the one action too
                if not _read_only(other_step):
                    step.outcome = other_step.outcome
            else:
                queued.append([other.capability, other.intent])
        _dedupe(step)
        fallback = self._consult_first(step, rec.capability, text, act, messages)
        if fallback is not None:
            # The plan can't answer (it asks a detail, needs sign-in or refuses): the articles
            # are read first, and the plan's own reply is what is said if they don't answer.
            slots = {"query": text}
            step = Step(calls=[("search_knowledge", {"query": text})])
            reply = self._reply(step, rec.capability, rec.intent, rec, slots, messages)
            reply.metadata["fallback"] = fallback
            return reply
        return self._reply(step, rec.capability, rec.intent, rec, slots, messages, queued=queued)

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
        a question (`_is_question`), or, from someone who is not signed in (nothing on an
        account can be done for them, but the articles can help), anything the learned act
        does not read as a change ("call waiting off code")."""
        if capability in _NO_KNOWLEDGE_FOR or capability in {"retention", OUT_OF_SCOPE}:
            return None
        who = who_is_signed_in(messages)
        planned = self._guard(step, capability, who, text)
        if planned.calls or planned.outcome not in {"clarified", "refused"} or planned.offer:
            return None
        surely_change = act is not None and act.label == "change" and act.probability >= CHANGE_SURE
        anonymous = who.signed_in is False and not surely_change
        if not (anonymous or _is_question(act, text)):
            return None
        return {"text": planned.text, "outcome": planned.outcome, "awaiting": planned.awaiting}

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
        fills = awaited is not None and (awaited in new_slots or awaited in _FREE_TEXT_SLOTS)
        switching = rec.capability not in {state.capability, OUT_OF_SCOPE} and rec.score >= 0.6
        if awaited in _FREE_TEXT_SLOTS and rec.capability not in {"human_agent", "greeting"}:
            switching = False
        if switching and is_correction(text) and _changes(new_slots, state):
            switching = False  # "make it 20 instead" corrects the action in progress
        if awaited == "bill_id" and not switching:
            charge = match_charge(text, facts.bills)
            if charge is not None:
                new_slots.update(_charge_slots(charge))
                fills = True
        if is_cancel(text) and not switching and not _changes(new_slots, state):
            step = Step(
                text="No problem — I haven't done anything. Is there anything else I can help with?"
            )
            return self._reply(step, state.capability, state.intent, rec, {}, messages)
        correcting = is_correction(text) or (_starts_no(text) and _changes(new_slots, state))
        if (correcting or fills) and not switching:
            slots = {**state.slots, **new_slots}
            if awaited in _FREE_TEXT_SLOTS and awaited not in new_slots:
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
        if previous_query and same_topic and (_asks_how(act, text) or _INTERROGATIVE.search(text)):
            # "and to see if it's on?" after a how-to answer: the same topic, asked further
            slots = {"query": f"{previous_query} {text}"}
            step = Step(calls=[("search_knowledge", {"query": slots["query"]})])
            return self._reply(step, state.capability, state.intent, rec, slots, messages)
        item = _ITEM_SLOTS.get(state.capability)
        tried = item is not None and item[1] in _previous_turn_tools(messages)
        if yes_no and not switching and item and state.slots.get(item[0]) and not tried:
            # "ok add it" about the add-on or plan the conversation is about
            slots = dict(state.slots)
            step = plan(state.capability, item[1], slots, text, tools)
            return self._reply(step, state.capability, item[1], rec, slots, messages)
        if rec.capability == OUT_OF_SCOPE and _asks_more(text) and state.capability in _READ_INTENT:
            # "when will it be fixed?", "is there anything else outstanding?": same topic
            intent = _READ_INTENT[state.capability] or state.intent
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
        item = _ITEM_SLOTS.get(state.capability or "")
        if item is None or item[0] not in new_slots or rec.capability in _NOT_STATUS:
            return None
        if _asks(text):
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
            slots = {"query": _follow_up_query(previous_query, rest)}
            step = plan("faq", "policy", slots, slots["query"], tools)
            return self._reply(step, "faq", state.intent or "policy", rec, slots, messages)
        capability = rec.capability if rec.capability != OUT_OF_SCOPE else state.capability
        intent = rec.intent if rec.capability != OUT_OF_SCOPE else state.intent
        assert capability is not None and intent is not None
        slots = self._slots(rest, capability, intent, facts)
        if capability in _ON_OFF_CAPABILITIES and "enabled" in state.slots:
            slots.setdefault("enabled", state.slots["enabled"])
            if capability == "roaming":
                intent = "roaming_on" if slots["enabled"] else "roaming_off"
        step = plan(capability, intent, slots, rest, tools)
        return self._reply(step, capability, intent, rec, slots, messages)

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
        if meta.get("probe") and not _telco_passages(parsed):
            # An unrecognised question the help articles do not answer either: out of scope.
            metadata = {**meta, "capability": OUT_OF_SCOPE, "intent": "decline", "probe": None}
            metadata.update(outcome_hint="refused", citations=[], grounded=False, offer=None)
            return EngineReply(text=refusal(), metadata=metadata)
        reply = compose(parsed, question=_question(meta, messages), said=_previous_reply(messages))
        fallback = meta.get("fallback")
        if fallback and (reply.text == NOT_SURE or not _telco_passages(parsed)):
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
            if _line_active(overview.data):  # the line is fine: look at the network next
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
        slots.update(_charge_slots(charge))
        capability, intent = str(meta.get("capability")), str(meta.get("intent"))
        step = plan(capability, intent, slots, str(slots.get("description") or ""), tools)
        if not any(name == "dispute_charge" for name, _ in step.calls):
            return None
        reply = self._reply(step, capability, intent, None, slots, messages)
        for key in ("recognition_score", "recognition_margin", "in_scope"):
            reply.metadata[key] = meta.get(key, 1.0)
        return reply

    # -- helpers -----------------------------------------------------------------------------

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
        account = [name for name, _ in step.calls if name not in _OPEN_TOOLS]
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
        if _GENERAL_QUESTION.match(text):
            return True
        act = self.acts.act(text) if self.acts is not None else None
        return act is not None and (act.label != "change" or _asks_how(act, text))

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
        _remember_query(step, slots)
        calls = [
            {"name": name, "args": args, "id": _call_id(messages, index, name, args)}
            for index, (name, args) in enumerate(step.calls)
        ]
        metadata = {
            "engine": ENGINE,
            "capability": capability,
            "intent": intent,
            "recognition_score": rec.score if rec else 1.0,
            "recognition_margin": rec.margin if rec else 1.0,
            "in_scope": rec.in_scope if rec else 1.0,
            "slots": _jsonable(slots),
            "outcome_hint": step.outcome if not calls or step.outcome != "answered" else "answered",
            "awaiting": step.awaiting,
            "offer": step.offer,
            "queued": queued or [],
        }
        return EngineReply(text=step.text, calls=calls, metadata=metadata)


HOW_MIN = 0.6  # a `how` act at least this likely is a question about how things work
CHANGE_SURE = 0.8  # an interrogative below this `change` probability still only asks
# The form of a request, whatever its topic's neighbours: never read as a how-question.
_REQUEST_FORM = re.compile(
    r"\b(i want|i wanna|i'd like|i would like|i need|please|pls|plz|can you|could you|"
    r"will you|would you|get me|give me|sign me|put me|set me|report|set up|sort out)\b|"
    r"^\W*(can|could|may) i (get|have|add|renew|buy|pay|top|change|switch|upgrade|order)\b",
    re.IGNORECASE,
)
_INTERROGATIVE = re.compile(
    r"\?\s*$|^\W*(how|what|what'?s|whats|wat|wot|which|when|why|where|who|is|are|does|do|"
    r"can i|could i|will|would|am i|should i|hw)\b",
    re.IGNORECASE,
)
_NO_KNOWLEDGE_FOR = frozenset({"greeting", "human_agent", "request_status"})


RETENTION_SURE = 0.4  # a retention reading this likely stands without a leaving word
PROBE_MIN = 0.75  # an unrecognised message whose best passage scores under this is not telco
# (CLINC150 oos train+val, 200: 0.5% reach it; our own how-questions: 84%)


def _telco_passages(parsed: Sequence[Any]) -> bool:
    scores = [float(p.get("score") or 0.0) for r in parsed for p in r.passages]
    return max(scores, default=0.0) >= PROBE_MIN


# "how do I…", "does my phone…", "why…" ask how things work ("do I…" is often about the account:
# "do I owe you money" — the learned act decides it): never a quote, whatever the act
# classifier's neighbours say ("how would I unblock my line" is not "unblock my line"). "can I…"
# is left to the learned act: in British English it is as often a request ("can I get the
# unlimited texts add-on") as a question.
_HOW_THINGS_WORK = re.compile(
    r"^\W*(?:[\w' ]{0,30}[,;:]\s*)?"  # "on my iphone, how can i…"
    r"(how (do|can|does|would|should|long|much|many|soon|quickly)|hw (do|can)|"
    r"does|why|is it possible|what happens|what do i|what should i)\b",
    re.IGNORECASE,
)


def _asks_how(act: Decision | None, text: str) -> bool:
    """A question about how things work (learned act; an interrogative not surely a request)."""
    if _HOW_THINGS_WORK.match(text):
        return True
    if act is None or _REQUEST_FORM.search(text):
        return False
    if act.label == "how":
        return act.probability >= HOW_MIN
    # a question mark or a question word, and not surely a request ("daily top up max?")
    return (
        act.label == "change"
        and act.probability < CHANGE_SURE
        and bool(_INTERROGATIVE.search(text))
    )


def _is_question(act: Decision | None, text: str) -> bool:
    """A question (a question mark or a question word) that is not a request in question form
    ("can you turn on roaming?"): the learned act must not read it as surely a change."""
    if _REQUEST_FORM.search(text) and not _HOW_THINGS_WORK.match(text):
        return False
    if not (_asks_how(act, text) or _INTERROGATIVE.search(text)):
        return False
    return act is None or act.label != "change" or act.probability < CHANGE_SURE


def _not_an_answer(step: Step, capability: str) -> bool:
    """The plan would quote, ask for a detail or hand over rather than read or answer."""
    if capability in _NO_KNOWLEDGE_FOR:
        return False
    if not step.calls:
        return step.outcome in {"clarified", "refused"}
    return any(name not in READ_TOOLS or name == "transfer_to_human" for name, _ in step.calls)


_NO_FREE_MONEY = (
    "Sorry, I can't add credit or services for free — every top-up and purchase is paid from "
    "your own payment method and confirmed by you first. I can quote a normal top-up, or put "
    "you through to a person if you think you're owed something."
)


def _asks(text: str) -> bool:
    return text.rstrip().endswith("?") or bool(_GENERAL_QUESTION.match(text))


def _asks_more(text: str) -> bool:
    """A short question that points back at what was just discussed."""
    words = len(text.split())
    return _asks(text) and words <= 10 and bool(_REFERS_BACK.search(text))


def _wants_person_now(text: str) -> bool:
    """'are you a bot? I want a human' asks for a person, not about the assistant."""
    return any(
        classify_act(normalise(part)) == ("human_agent", "human")
        for part in re.split(r"[?.!,;]", text)
    )


def _previous_turn_tools(messages: Sequence[BaseMessage]) -> set[str]:
    """Tools the engine called between the previous customer message and this one."""
    humans = [i for i, m in enumerate(messages) if isinstance(m, HumanMessage)]
    if len(humans) < 2:
        return set()
    window = messages[humans[-2] + 1 : humans[-1]]
    return {c["name"] for m in window if isinstance(m, AIMessage) for c in m.tool_calls}


def _previous_reply(messages: Sequence[BaseMessage]) -> str:
    """The assistant's reply before the customer's latest message ('' if there is none)."""
    humans = [i for i, m in enumerate(messages) if isinstance(m, HumanMessage)]
    if not humans:
        return ""
    for message in reversed(messages[: humans[-1]]):
        if isinstance(message, AIMessage) and not message.tool_calls:
            return str(message.content)
    return ""


def _line_active(data: Any) -> bool:
    return isinstance(data, dict) and str(data.get("status") or "active") == "active"


def _as_status(rec: Recognition) -> Recognition:
    if rec.capability == "request_status":
        return rec
    return replace(rec, capability="request_status", intent="status", also=())


def _follow_up_query(previous: str, rest: str) -> str:
    """'how much is roaming in spain' + 'america' -> 'how much is roaming in america'."""
    tail = re.search(r"\b(in|to|for|on|at|with|about) [\w' -]+$", previous)
    if tail and len(rest.split()) <= 3:
        return f"{previous[: tail.start()]}{tail.group(1)} {rest}"
    return f"{previous} {rest}".strip()


def _changes(new_slots: dict[str, Any], state: State) -> bool:
    """The message gives a new value for a slot the request already had or was waiting for."""
    keys = {*state.slots, *([state.awaiting] if state.awaiting else [])} - {"currency", "query"}
    return any(k in keys and new_slots[k] != state.slots.get(k) for k in new_slots)


def _starts_no(text: str) -> bool:
    return bool(re.match(r"\s*(no|nope|nah|sorry|oops|wait)\b", text, re.IGNORECASE))


def _charge_slots(charge: BillItem) -> dict[str, Any]:
    slots: dict[str, Any] = {"bill_id": charge.bill_id}
    if charge.item_id:
        slots["item_id"] = charge.item_id
    return slots


def _dedupe(step: Step) -> None:
    seen: list[tuple[str, dict[str, Any]]] = []
    for call in step.calls:
        if call not in seen:
            seen.append(call)
    step.calls = seen


def _remember_query(step: Step, slots: dict[str, Any]) -> None:
    for name, args in step.calls:
        if name == "search_knowledge":
            query = next((v for v in args.values() if isinstance(v, str)), None)
            if query:
                slots["query"] = query


def _one_write(step: Step) -> bool:
    return len(step.calls) == 1 and step.calls[0][0] not in READ_TOOLS and not step.awaiting


def _read_only(step: Step) -> bool:
    return bool(step.calls) and all(name in READ_TOOLS for name, _ in step.calls)


def _question(meta: dict[str, Any], messages: Sequence[BaseMessage]) -> str:
    slots = meta.get("slots") or {}
    return str(slots.get("query") or last_human(messages))


def _call_id(messages: Sequence[BaseMessage], index: int, name: str, args: dict[str, Any]) -> str:
    seed = (
        f"{len(messages)}|{last_human(messages)}|{index}|{name}|{json.dumps(args, sort_keys=True)}"
    )
    return "call_" + hashlib.sha1(seed.encode()).hexdigest()[:16]


def _jsonable(slots: dict[str, Any]) -> dict[str, Any]:
    clean: dict[str, Any] = json.loads(json.dumps(slots, default=str))
    return clean


__all__ = ["Engine", "EngineReply"]
