"""Shared definitions of what counts as "resolved" and "automated".

This is the ONE place the automation rate is defined (see docs/decisions/0008-automation-rate.md).
The offline eval suites (`evals.definitions`) and the operator analytics (`api/analytics/`) both
import it, so the number on the dashboard and the number in an eval report mean the same thing.
It depends on nothing but the standard library, so any package can import it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

# Capabilities that are not a customer need: a conversation made only of these is left out of the
# automation-rate denominator (a "hi"/"thanks" or "book me a flight" is not a telco query).
NON_NEED_CAPABILITIES: frozenset[str] = frozenset({"greeting", "out_of_scope"})

# Turn outcomes (CONTRACT.md §3) that end a need: information given or an action done.
RESOLVING_OUTCOMES: frozenset[str] = frozenset({"answered", "acted"})

# Another contact about the same need within this window means the first one did not resolve it.
REPEAT_CONTACT_WINDOW = timedelta(days=7)


@dataclass(frozen=True, slots=True)
class TurnSummary:
    """What analytics and evals both know about a finished assistant turn."""

    capability: str | None
    outcome: str


@dataclass(frozen=True, slots=True)
class ConversationSummary:
    """A conversation reduced to what the automation rate needs.

    `customer_key` links contacts of one customer (a customer id or msisdn); `None` for an
    anonymous conversation, which cannot be linked to another contact.
    `human_involved` is true when the conversation was handed off (even if handed back later) or
    a human agent wrote in it. `proactive` is true when the operator started it (a notification
    or campaign before any customer message): it is not a customer query and is not counted.
    """

    conversation_id: str
    customer_key: str | None
    started_at: datetime
    turns: Sequence[TurnSummary]
    human_involved: bool
    proactive: bool = False


def needs(conversation: ConversationSummary) -> frozenset[str]:
    """The customer needs (capabilities) raised in the conversation."""
    return frozenset(
        t.capability
        for t in conversation.turns
        if t.capability is not None and t.capability not in NON_NEED_CAPABILITIES
    )


def has_need(conversation: ConversationSummary) -> bool:
    """True when the conversation counts in the automation-rate denominator."""
    return not conversation.proactive and bool(needs(conversation))


def is_resolved(conversation: ConversationSummary) -> bool:
    """Every need raised was answered or acted on by the assistant's last turn about it."""
    last_outcome: dict[str, str] = {}
    for turn in conversation.turns:
        if turn.capability is not None and turn.capability not in NON_NEED_CAPABILITIES:
            last_outcome[turn.capability] = turn.outcome
    return bool(last_outcome) and all(o in RESOLVING_OUTCOMES for o in last_outcome.values())


def resolution(conversation: ConversationSummary) -> str | None:
    """How a resolved conversation ended: "confirmed" when its last need was acted on (the account
    changed, with a receipt) or the customer then said thanks or goodbye; "assumed" when the
    customer simply left after the answer. None when it is not resolved."""
    if not is_resolved(conversation):
        return None
    turns = list(conversation.turns)
    last = max(i for i, t in enumerate(turns) if t.capability in needs(conversation))
    if turns[last].outcome == "acted":
        return "confirmed"
    closing = any(t.capability == "greeting" for t in turns[last + 1 :])
    return "confirmed" if closing else "assumed"


def is_repeat_contact(
    earlier: ConversationSummary,
    later: ConversationSummary,
    *,
    window: timedelta = REPEAT_CONTACT_WINDOW,
) -> bool:
    """`later` is the same customer coming back about one of `earlier`'s needs within `window`."""
    if earlier.customer_key is None or earlier.customer_key != later.customer_key:
        return False
    if earlier.conversation_id == later.conversation_id:
        return False
    gap = later.started_at - earlier.started_at
    return timedelta(0) < gap <= window and bool(needs(earlier) & needs(later))


def is_automated(
    conversation: ConversationSummary,
    others: Iterable[ConversationSummary] = (),
    *,
    window: timedelta = REPEAT_CONTACT_WINDOW,
) -> bool:
    """Resolved end to end: a need was raised, no human took part, every need was answered or
    acted on, and the customer did not come back about the same need within `window`."""
    if not has_need(conversation) or conversation.human_involved:
        return False
    if not is_resolved(conversation):
        return False
    return not any(is_repeat_contact(conversation, o, window=window) for o in others)


def automation_rate(
    conversations: Sequence[ConversationSummary],
    *,
    window: timedelta = REPEAT_CONTACT_WINDOW,
) -> float | None:
    """Share of conversations with a customer need that were automated; None when there are none.

    Repeat contacts are looked for among the same `conversations`, so pass a period that extends
    `window` past the conversations you report on."""
    counted = [c for c in conversations if has_need(c)]
    if not counted:
        return None
    by_customer: dict[str, list[ConversationSummary]] = {}
    for c in conversations:
        if c.customer_key is not None:
            by_customer.setdefault(c.customer_key, []).append(c)
    automated = sum(
        1
        for c in counted
        if is_automated(
            c, by_customer.get(c.customer_key, []) if c.customer_key else (), window=window
        )
    )
    return automated / len(counted)
