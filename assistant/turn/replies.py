"""Fixed replies the turn loop gives without a model: short, safe and channel-neutral."""

from __future__ import annotations

from switchboard import clock
from switchboard.hours import closed_note
from switchboard.settings import Settings

EMPTY_MESSAGE = (
    "It looks like your message was empty. I can help with your balance, top-ups, plans, "
    "bills, roaming and more. What would you like to do?"
)
LANGUAGE_DECLINED = "All right. Ask me anything in English and I'll do my best to help."
HANDOFF = (
    "I'm passing you to a member of our team now. They'll see our conversation so far and "
    "will reply here."
)
HANDOFF_CARE = (
    "I'm so sorry. I'm passing you to a member of our customer care team, who can give this "
    "the attention it deserves. They'll see our conversation and reply here."
)
HANDOFF_RETENTION = (
    "I'm passing you to our customer team, who can talk through your options. They'll see our "
    "conversation so far and will reply here."
)
HANDOFF_UNRESOLVED = (
    "I'm sorry it's still not working after what you've already tried. I'm passing you to a "
    "member of our team who can look into it further. They'll see our conversation so far and "
    "will reply here."
)
ALREADY_WAITING = "A member of our team has your conversation and will reply here soon."
MODEL_FAILED = (
    "Sorry, I'm having trouble answering right now. "
    "Would you like me to put you through to a person?"
)
ITERATION_CAP = "Sorry, I couldn't complete that. Would you like me to put you through to a person?"
NOT_UNDERSTOOD = (
    "Sorry, I'm not sure I understood. Could you say that another way? I can help with your "
    "balance, top-ups, plans, bills, roaming, call features, your SIM and coverage."
)
UNVERIFIED_PRICE = (
    " (I couldn't check that price against our catalog, so please ask me to confirm it "
    "before you rely on it.)"
)
NOTHING_PENDING = "There's nothing waiting for your confirmation right now. How can I help?"
LONG_MESSAGE_NOTE = "That was a long message, so I've read the first part of it. "


def handoff_text(reason: str) -> str:
    if reason in {"vulnerability", "bereavement"}:
        return HANDOFF_CARE
    if reason == "retention":
        return HANDOFF_RETENTION
    if reason == "self_help_failed":
        return HANDOFF_UNRESOLVED
    return HANDOFF


def after_hours(settings: Settings) -> str:
    """When the team is back, if a handoff happens outside the support hours; else nothing."""
    return closed_note(settings.hours, clock.now(), settings.zone)


def confirm_prompt(summary: str) -> str:
    return f"{summary.rstrip('.')}. Shall I go ahead? Please reply yes or no."
