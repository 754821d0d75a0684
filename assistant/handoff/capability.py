"""Which capability (CONTRACT §1) a turn served: from the tools it used, or a cheap keyword
classification of the customer's message when no tool ran (OpenAI-compatible backends)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.events import Capability
from switchboard.currency import CURRENCY_SIGN, MONEY_WORDS
from tools import registry

TOOL_CAPABILITY: dict[str, Capability] = {
    "get_account_overview": "balance_usage",
    "get_usage": "balance_usage",
    "list_offers": "plan_change",
    "get_bills": "billing_payments",
    "get_request_status": "request_status",
    "check_coverage": "coverage_faults",
    "search_knowledge": "faq",
    "top_up": "top_up",
    "change_plan": "plan_change",
    "renew_plan": "renewal",
    "buy_addon": "addons_limits",
    "set_spending_cap": "addons_limits",
    "set_roaming": "roaming",
    "set_call_feature": "call_features",
    "pay_bill": "billing_payments",
    "set_autopay": "billing_payments",
    "dispute_charge": "billing_payments",
    "report_fault": "coverage_faults",
    "block_line": "sim_line",
    "unblock_line": "sim_line",
    "start_service_request": "sim_line",
    "transfer_to_human": "human_agent",
}
WRITE_TOOLS = frozenset(registry.WRITE_TOOLS)

# Ordered: the first rule that matches wins. Specific intents come before generic ones.
_RULES: list[tuple[Capability, re.Pattern[str]]] = [
    ("human_agent", re.compile(r"\b(person|human|agent|representative|someone real)\b")),
    ("retention", re.compile(r"\b(cancel my (contract|account|plan)|leave|leaving|switch(ing)? "
                             r"provider|port.?out|pac code|stac|compensation|complain\w*)\b")),
    ("top_up", re.compile(rf"\btop.?up|\badd ({CURRENCY_SIGN}|\d+ ?{MONEY_WORDS})"
                          r"|\bcredit to my\b")),
    ("roaming", re.compile(r"\broam\w*|\babroad\b|\btravel\w*\b")),
    ("renewal", re.compile(r"\brenew\w*\b")),
    ("addons_limits", re.compile(r"\badd.?on|\bboost\b|\bbundle\b|spending cap|\blimit\b")),
    ("plan_change", re.compile(r"\bplans?\b|\bupgrade\b|\bdowngrade\b|\btariff\b")),
    ("billing_payments", re.compile(r"\bbills?\b|\bcharged?\b|\bpay(ment)?\b|\bdispute\b|"
                                    r"\bautopay\b|\bdirect debit\b|\binvoice\b")),
    ("call_features", re.compile(r"call (forwarding|waiting)|\bvoicemail\b|caller id|divert")),
    ("sim_line", re.compile(r"\be?sim\b|\bstolen\b|\blost (my )?phone\b|\bblock\b|\bsuspend")),
    ("coverage_faults", re.compile(r"\bsignal\b|\bcoverage\b|\boutage\b|\bslow\b|\bbroadband\b|"
                                   r"\bfault\b|\bnot working\b|\binternet\b|\bmast\b")),
    ("request_status", re.compile(r"\b(my|the) (order|ticket|request)\b|\bwhere is\b|\bstatus\b")),
    ("balance_usage", re.compile(r"\bbalance\b|\bcredit\b|\bdata (left|remaining)\b|\busage\b|"
                                 r"\bhow much data\b|\ballowance")),
    ("greeting", re.compile(r"^\s*(hi|hello|hey|good (morning|afternoon|evening)|thanks?|"
                            r"thank you|cheers|bye|goodbye)\b[\s\w,!.']{0,25}$")),
    ("faq", re.compile(r"\bhow (do|can) i\b|\bwhat (is|does|are)\b|\bfee\b|\bpolicy\b")),
]  # fmt: skip


def capability_from_tools(tools: Sequence[str]) -> Capability | None:
    """The capability of the most specific tool used: a write tool wins over a read tool."""
    writes = [t for t in tools if t in WRITE_TOOLS and t != "transfer_to_human"]
    for name in (*writes, *tools):
        if name in TOOL_CAPABILITY:
            return TOOL_CAPABILITY[name]
    return None


def classify(text: str) -> Capability | None:
    """A cheap keyword classification; None when nothing matches."""
    lowered = text.lower()
    for capability, pattern in _RULES:
        if pattern.search(lowered):
            return capability
    return None
