"""Conversation repair, the same for every playbook: what a message does to the journey before
it is read as an answer — a cancel, "I already tried that", a question beside the journey, or a
return after hours. A request for a person is the turn loop's (assistant/handoff/signals.py)
and ends the journey with a hand-off. Yes and no come from the confirmation protocol's
recogniser (the word lists and the learned reply classifier, assistant/actions/confirmation.py),
not from lists of our own."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Literal

from assistant.actions.confirmation import detect_decision, is_stop_phrase
from assistant.handoff.signals import already_tried
from assistant.playbooks.format import Ask, Playbook, Quote, Step
from assistant.playbooks.options import answers
from assistant.playbooks.state import JourneyState

Repair = Literal["cancel", "tried", "digression", "return"]

INVALID = "Sorry, I didn't catch that."
CANCELLED = "No problem, I've stopped the {title}. Nothing has been changed."
SKIP_TRIED = "Thanks, then we'll skip that one."
BACK = "Back to where we were: {prompt}"
STILL_OPEN = "Your request is ready: just say yes to go ahead, or no to leave it."
ADDED = "I've added that."
LOST = "Sorry, I lost my place in this request. I can put you through to a person."
RESUME = "Welcome back. We were in the middle of your {title}."
RESTART = "Welcome back. It's been a while, so let's start your {title} again."

_QUESTION = re.compile(
    r"^\W*(how|what|whats|what's|which|when|why|where|who|is|are|does|do|can|could|will|"
    r"would|should)\b",
    re.IGNORECASE,
)


def noted(steps: Sequence[Step], state: JourneyState) -> str:
    asks = [s for s in steps if isinstance(s, Ask)]
    names = [f"{s.slot.replace('_', ' ')} {state.slots[s.slot]}" for s in asks]
    return f"Thanks, I've updated the {', '.join(names)}." if names else "Thanks, noted."


def is_question(text: str) -> bool:
    return text.rstrip().endswith("?") or bool(_QUESTION.match(text))


def classify(playbook: Playbook, state: JourneyState, text: str) -> Repair | None:
    """The repair a message asks for at the current step, or None (an answer, read as such)."""
    step = playbook.step(state.step or "")
    asks_yes_no = isinstance(step, Ask) and step.type == "yes_no"
    if detect_decision(text) == "cancel" and (not asks_yes_no or is_stop_phrase(text)):
        return "cancel"
    if already_tried(text) and isinstance(step, Ask) and (step.type == "yes_no" or step.if_tried):
        return "tried"  # a guided step ("did restarting fix it?"), not a question for a fact
    if not answers(step, text, state) and isinstance(step, Ask | Quote) and is_question(text):
        return "digression"
    return None


def returned_after(
    playbook: Playbook, state: JourneyState, now: datetime
) -> Literal["resume", "restart"] | None:
    """A customer back after the playbook's `resume_after_hours`: resume or start again."""
    if state.at is None:
        return None
    if now - state.at < timedelta(hours=playbook.resume_after_hours):
        return None
    return playbook.on_return
