"""The automation-rate definitions (switchboard/automation.py, ADR 0008) and the write tools, for
the eval scorers. One definition: analytics imports the same module."""

from __future__ import annotations

from switchboard.automation import (
    NON_NEED_CAPABILITIES,
    REPEAT_CONTACT_WINDOW,
    RESOLVING_OUTCOMES,
    ConversationSummary,
    TurnSummary,
    automation_rate,
    has_need,
    is_automated,
    is_repeat_contact,
    is_resolved,
    needs,
    resolution,
)
from tools.registry import CONFIRMED_TOOLS

# Write tools (CONTRACT.md §2) that change the account; each must be confirmed by the customer.
# `transfer_to_human` executes at once by contract and is not a write.
WRITE_TOOLS: frozenset[str] = frozenset(CONFIRMED_TOOLS)

__all__ = [
    "NON_NEED_CAPABILITIES",
    "REPEAT_CONTACT_WINDOW",
    "RESOLVING_OUTCOMES",
    "WRITE_TOOLS",
    "ConversationSummary",
    "TurnSummary",
    "automation_rate",
    "has_need",
    "is_automated",
    "is_repeat_contact",
    "is_resolved",
    "needs",
    "resolution",
]
