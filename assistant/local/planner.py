"""What the engine does for a recognised request: which tool with which arguments, or which
question to ask for what is missing, or what to say."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from assistant.local.cues import destination
from assistant.local.text import OPERATOR
from assistant.local.toolbox import ToolBox
from switchboard.currency import CURRENCY_SIGN, current, money
from tools.registry import CONFIRMED_TOOLS

Outcome = str  # answered | acted | proposed | clarified | handed_off | refused


@dataclass
class Step:
    """One engine turn: tool calls, or text (a question, an answer, a refusal)."""

    text: str = ""
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    outcome: Outcome = "answered"
    awaiting: str | None = None
    offer: dict[str, Any] | None = None


CAPABILITIES_SUMMARY = (
    "check your balance and usage, top up, change your plan or add-ons, roaming, bills and "
    "payments, call features, SIM and lost phones, coverage and faults, order status, or "
    "answer questions about our services"
)
WRITE_TOOLS = frozenset(CONFIRMED_TOOLS)
_WH_QUESTION = re.compile(
    r"^(?!.*\b(i want|i'd like|please|pls)\b)"
    r"\W*(?:(?:actually|ok|okay|so|well|hmm|right|and|but)\W+)*"
    rf"(?:[\w'{CURRENCY_SIGN[1:-1]}. ]{{0,60}}?[,;!?]\s*)?"
    r"(what|which|how much|how do|how does|how long|when|why|does|do i|do you|is|are|have i|"
    r"has|will i|will it|will my|will that)\b",
    re.IGNORECASE,
)
_FIRST_PERSON = re.compile(r"\b(i|i'm|i've|i'd|my|me|mine|we|our|us)\b", re.IGNORECASE)
# Capabilities whose tools always answer about the customer's own account or requests.
_NEVER_KNOWLEDGE = frozenset({"greeting", "human_agent", "retention", "faq", "request_status"})
_ON_OFF = frozenset({"roaming", "call_features"})
_ACCOUNT_READS = frozenset({"get_account_overview", "get_usage", "get_bills"})
# A question about how things work in general, not about this customer's numbers.
_GENERIC_QUESTION = re.compile(
    r"\b(how (does|do|can|would|are|is)|works?|mean|means|what is an?|what are|why do|"
    r"policy|rules?|allowed|explain how)\b",
    re.IGNORECASE,
)
# The customer asks for the fault to be reported, not for a coverage check first.
_REPORT_IT = re.compile(
    r"\b(report|log|raise|open|file)\b.{0,20}\b(it|this|that|a fault|the fault|a ticket|"
    r"a problem|an issue|a complaint)\b|^\W*(please )?(report|log)\b",
    re.IGNORECASE,
)
_STATUS = re.compile(
    r"^\W*(is|are|have i got|do i have)\b.*\b(on|off|enabled|disabled|active|set up)\b",
    re.IGNORECASE,
)
_QUESTION = re.compile(
    r"\s*(why|how|what|when|where|which|is there|are there|do you|does)\b", re.IGNORECASE
)
POSTCODE_QUESTION = (
    "What's the postcode where you're having the problem? The first part is enough, for "
    "example LS2."
)
# "why isn't my phone working": the line itself may be the cause (suspended, blocked)
_NOT_WORKING = re.compile(
    r"\b(isn'?t|is not|not|stopped|won'?t|doesn'?t|does not|can'?t|cannot) (\w+ ){0,2}"
    r"(working|work|connect\w*|make calls|call)\b",
    re.IGNORECASE,
)
_ASKS_PRICE = re.compile(
    r"\b(how much|costs?|costing|price|prices|charged?|pay extra|extra|free|included|fees?)\b",
    re.IGNORECASE,
)
_ON_A_BILL = re.compile(r"\b(on|in) (my|the|this|last|latest) (\w+ )?bill\b", re.IGNORECASE)


Planner = Callable[[str, dict[str, Any], str, ToolBox], Step]


def plan(capability: str, intent: str, slots: dict[str, Any], text: str, tools: ToolBox) -> Step:
    """The step for a recognised request, given the slots gathered so far."""
    handler = _HANDLERS.get(capability)
    if handler is None:
        return Step(text=refusal(), outcome="refused")
    step = handler(intent, slots, text, tools)
    question = bool(_WH_QUESTION.match(text))
    writes = [n for n, _ in step.calls if n in WRITE_TOOLS and n != "block_line"]
    if question and capability in _ON_OFF and _STATUS.search(text) and (writes or step.awaiting):
        return _call(tools, "get_account_overview", {})  # "is call waiting on for me?" reads
    asks_about = question and not _FIRST_PERSON.search(text)
    if asks_about and capability not in _NEVER_KNOWLEDGE and (step.awaiting or step.calls):
        account_read = step.calls and all(n in _ACCOUNT_READS for n, _ in step.calls)
        generic = not account_read or _GENERIC_QUESTION.search(text)
        if generic and not any(n in {"list_offers", "check_coverage"} for n, _ in step.calls):
            return _call(
                tools, "search_knowledge", {"query": _knowledge_query(capability, text)}
            )  # "how do caps work?"
    if step.awaiting == "postcode":
        return step  # "is there coverage where I'm moving to?" needs the place first
    lists = any(n == "list_offers" for n, _ in step.calls)  # the list answers "what can I get"
    if step.awaiting and question and capability != "retention" and not lists:
        return _call(tools, "search_knowledge", {"query": _knowledge_query(capability, text)})
    if writes and question:  # "what bundles can I get?" asks, it doesn't order
        if capability in {"plan_change", "addons_limits", "renewal"}:
            kind = "addon" if capability == "addons_limits" else "plan"
            return _call(tools, "list_offers", {"offer_kind": kind})
        if capability == "billing_payments" and _FIRST_PERSON.search(text):
            return _call(tools, "get_bills", {})  # "do I owe you anything?" reads the bills
        return _call(tools, "search_knowledge", {"query": _knowledge_query(capability, text)})
    return step


def refusal() -> str:
    return (
        f"Sorry, that's not something I can help with — I'm {OPERATOR}'s assistant. I can "
        f"{CAPABILITIES_SUMMARY}. If you'd like, I can put you through to a person."
    )


def _call(tools: ToolBox, name: str, slots: dict[str, Any], outcome: Outcome = "answered") -> Step:
    if not tools.has(name):
        return Step(
            text="I can't do that here, but a member of our team can. Shall I put you through? "
            "(yes/no)",
            outcome="clarified",
            offer={"tool": "transfer_to_human", "args": {"reason": "customer_request"}},
        )
    return Step(calls=[(name, tools.args(name, slots))], outcome=outcome)


def _ask(question: str, awaiting: str) -> Step:
    return Step(text=question, outcome="clarified", awaiting=awaiting)


def _faq(intent: str, slots: dict[str, Any], text: str, tools: ToolBox) -> Step:
    return _call(tools, "search_knowledge", {"query": slots.get("query") or text})


def _balance(intent: str, slots: dict[str, Any], text: str, tools: ToolBox) -> Step:
    if intent in {"usage_detail", "extra_charges"} and _ON_A_BILL.search(text):
        return _call(tools, "get_bills", {})  # a charge on a bill is explained by the bill
    if intent in {"usage_detail", "extra_charges"}:
        return _call(tools, "get_usage", {"period": slots.get("period")})
    return _call(tools, "get_account_overview", {})


def _top_up(intent: str, slots: dict[str, Any], text: str, tools: ToolBox) -> Step:
    if slots.get("amount") is None:
        if _QUESTION.match(text):  # "why can't I top up any more today"
            return _call(tools, "search_knowledge", {"query": text})
        return _ask(f"How much would you like to top up? For example {money(10)}.", "amount")
    own = current()
    if slots.get("currency", own.currency) != own.currency:
        return _ask(
            f"Top-ups are in {own.name} ({own.currency}). How much would you like to add?",
            "amount",
        )
    return _call(tools, "top_up", slots, "proposed")


def _plan_change(intent: str, slots: dict[str, Any], text: str, tools: ToolBox) -> Step:
    if slots.get("plan_id"):
        return _call(tools, "change_plan", slots, "proposed")
    step = _call(tools, "list_offers", {"offer_kind": "plan"})
    if intent == "change_plan":
        step.awaiting = "plan_id"
    return step


def _renewal(intent: str, slots: dict[str, Any], text: str, tools: ToolBox) -> Step:
    if intent == "renew_now":
        return _call(tools, "renew_plan", slots, "proposed")
    return _call(tools, "get_account_overview", {})


def _addons(intent: str, slots: dict[str, Any], text: str, tools: ToolBox) -> Step:
    if intent == "spending_cap":
        if slots.get("amount") is None and not slots.get("remove"):
            return _ask(
                f"What monthly spending cap would you like, for example {money(20)}? Or say "
                "'remove' "
                "to take the cap off.",
                "amount",
            )
        return _call(tools, "set_spending_cap", slots, "proposed")
    if slots.get("addon_id"):
        return _call(tools, "buy_addon", slots, "proposed")
    step = _call(tools, "list_offers", {"offer_kind": "addon"})
    if intent == "buy_addon":
        step.awaiting = "addon_id"
    return step


def _knowledge_query(capability: str, text: str) -> str:
    """What to look up for a question: for the price of roaming somewhere, the zone's daily
    price ("will I pay extra in Italy?" -> "roaming price per day in italy")."""
    place = destination(text) if capability == "roaming" else None
    if place and _ASKS_PRICE.search(text):
        return f"roaming price per day in {place}"
    return text


def _roaming(intent: str, slots: dict[str, Any], text: str, tools: ToolBox) -> Step:
    place = destination(text)
    price_query = f"roaming price per day in {place}" if place else None
    if intent == "roaming_info" and "enabled" not in slots:
        return _call(tools, "search_knowledge", {"query": _knowledge_query("roaming", text)})
    if "enabled" not in slots:
        slots["enabled"] = intent != "roaming_off"
    step = _call(tools, "set_roaming", slots, "proposed")
    if slots["enabled"] and price_query and tools.has("search_knowledge") and step.calls:
        step.calls.append(("search_knowledge", {"query": price_query}))  # and what it costs there
    return step


def _billing(intent: str, slots: dict[str, Any], text: str, tools: ToolBox) -> Step:
    if intent == "pay_bill":
        return _call(tools, "pay_bill", slots, "proposed")
    if intent == "dispute":
        slots.setdefault("description", text)
        if not slots.get("bill_id"):
            step = _call(tools, "get_bills", {})
            step.awaiting = "bill_id"
            return step
        args = {**slots, "reason": slots.get("reason_text") or slots["description"]}
        return _call(tools, "dispute_charge", args, "proposed")
    if intent == "autopay":
        if "enabled" not in slots:
            slots["enabled"] = True
        if not slots["enabled"]:
            return _call(tools, "set_autopay", {"enabled": False}, "proposed")
        if slots.get("day") is None:
            return _ask(
                "Which day of the month should we take the payment? Any day from the "
                "1st to the 28th.",
                "day",
            )
        return _call(tools, "set_autopay", slots, "proposed")
    if intent == "payment_method":
        return _call(tools, "search_knowledge", {"query": "change payment method card details"})
    return _call(tools, "get_bills", {"bill_id": slots.get("bill_id")})


_FEATURE_NAMES = {
    "call_forwarding": "call forwarding",
    "call_waiting": "call waiting",
    "voicemail": "voicemail",
    "caller_id": "caller ID",
}


def _call_features(intent: str, slots: dict[str, Any], text: str, tools: ToolBox) -> Step:
    slots.setdefault("feature", {"forwarding": "call_forwarding"}.get(intent, intent))
    feature = slots["feature"]
    if (
        feature == "caller_id"
        and "enabled" in slots
        and re.search(r"hide|withhold|private", text.lower())
    ):
        slots["enabled"] = False
    if "enabled" not in slots:
        return _ask(f"Would you like {_FEATURE_NAMES.get(feature, feature)} on or off?", "enabled")
    if feature == "call_forwarding" and slots["enabled"]:
        if not slots.get("forward_to"):
            return _ask("Which number should I forward your calls to?", "forward_to")
        return _call(tools, "set_call_feature", slots, "proposed")
    args = {k: v for k, v in slots.items() if k not in {"forward_to", "condition"}}
    return _call(tools, "set_call_feature", args, "proposed")


def _sim_line(intent: str, slots: dict[str, Any], text: str, tools: ToolBox) -> Step:
    if intent == "block_line":
        return _call(tools, "block_line", slots, "proposed")
    if intent == "unblock":
        return _handoff(tools, "identity", "Customer asks to unblock a suspended line.")
    kinds = {
        "esim": "esim",
        "port_in": "port_in",
        "activate": "device_activation",
        "sim_swap": "sim_swap",
    }
    slots.setdefault("kind", kinds.get(intent))
    if not slots.get("kind"):
        return _ask(
            "Is that a SIM swap, an eSIM, moving your number to us, or activating a device?", "kind"
        )
    if slots["kind"] == "port_in" and not slots.get("port_msisdn"):
        return _ask(f"Which number would you like to bring over to {OPERATOR}?", "port_msisdn")
    if slots["kind"] == "port_in" and not slots.get("pac_code"):
        return _ask(
            "What's the PAC code from your current provider? It's 3 letters and 6 "
            "digits — text PAC to 65075 from that phone to get it.",
            "pac_code",
        )
    return _call(tools, "start_service_request", slots, "proposed")


def _coverage(intent: str, slots: dict[str, Any], text: str, tools: ToolBox) -> Step:
    if intent == "install":
        slots["kind"] = "broadband_installation"
        if not slots.get("postcode"):
            return _ask("What's the postcode of the address for the installation?", "postcode")
        return _call(tools, "start_service_request", slots, "proposed")
    if intent == "fault_report" or (
        intent in {"no_signal", "slow_data"} and _REPORT_IT.search(text)
    ):
        slots.setdefault("description", text)
        return _call(tools, "report_fault", _fault_args(slots), "proposed")
    if not slots.get("postcode"):
        if intent in {"no_signal", "slow_data"} and _NOT_WORKING.search(text):
            step = _call(tools, "get_account_overview", {})  # a suspended line explains it
            step.awaiting = "postcode"
            return step
        return _ask(POSTCODE_QUESTION, "postcode")
    step = _call(tools, "check_coverage", {"postcode": slots["postcode"]})
    if intent in {"no_signal", "slow_data"}:
        slots.setdefault("description", text)
        step.offer = {"tool": "report_fault", "args": _fault_args(slots)}
    return step


def _fault_args(slots: dict[str, Any]) -> dict[str, Any]:
    args = {"kind": slots.get("fault_kind", "other"), "description": slots.get("description")}
    if slots.get("postcode"):
        args["postcode"] = slots["postcode"]
    return args


def _status(intent: str, slots: dict[str, Any], text: str, tools: ToolBox) -> Step:
    return _call(tools, "get_request_status", {"ref": slots.get("ref")})


def _retention(intent: str, slots: dict[str, Any], text: str, tools: ToolBox) -> Step:
    """Straight to the retention team with what the customer said: a specialist gathers the
    rest (the eval suites and operators expect the hand-off in the same turn)."""
    detail = slots.get("detail") or text
    return _handoff(tools, "retention", f"Retention ({intent}): {detail}")


def _human(intent: str, slots: dict[str, Any], text: str, tools: ToolBox) -> Step:
    return _handoff(tools, "customer_request", f"Customer asked for a person: {text}")


def _handoff(tools: ToolBox, reason: str, summary: str) -> Step:
    if not tools.has("transfer_to_human"):
        return Step(
            text="Please contact our team on 0300 000 0000 and they'll help.", outcome="answered"
        )
    args = tools.args("transfer_to_human", {"reason": reason, "summary": summary[:500]})
    return Step(calls=[("transfer_to_human", args)], outcome="handed_off")


def _greeting(intent: str, slots: dict[str, Any], text: str, tools: ToolBox) -> Step:
    if intent == "thanks":
        return Step(text="You're welcome! Is there anything else I can help with?")
    if intent == "goodbye":
        return Step(text=f"Thanks for chatting with {OPERATOR}. Bye for now!")
    return Step(
        text=f"Hi! I'm {OPERATOR}'s assistant. I can {CAPABILITIES_SUMMARY}. What can I do for you?"
    )


_HANDLERS: dict[str, Planner] = {
    "faq": _faq,
    "balance_usage": _balance,
    "top_up": _top_up,
    "plan_change": _plan_change,
    "renewal": _renewal,
    "addons_limits": _addons,
    "roaming": _roaming,
    "billing_payments": _billing,
    "call_features": _call_features,
    "sim_line": _sim_line,
    "coverage_faults": _coverage,
    "request_status": _status,
    "retention": _retention,
    "human_agent": _human,
    "greeting": _greeting,
}

QUESTIONS: dict[str, str] = {
    "plan_id": "Which plan would you like?",
    "addon_id": "Which add-on would you like?",
}
