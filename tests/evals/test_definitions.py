from datetime import UTC, datetime, timedelta

from evals.definitions import (
    ConversationSummary,
    TurnSummary,
    automation_rate,
    is_automated,
    is_resolved,
)

T0 = datetime(2026, 11, 26, 9, tzinfo=UTC)


def conv(
    cid: str,
    turns: list[tuple[str | None, str]],
    *,
    customer: str | None = "c1",
    at: datetime = T0,
    human: bool = False,
) -> ConversationSummary:
    return ConversationSummary(cid, customer, at, [TurnSummary(c, o) for c, o in turns], human)


def test_answered_need_without_a_human_is_automated() -> None:
    c = conv("a", [("greeting", "answered"), ("balance_usage", "answered")])
    assert is_automated(c)


def test_handoff_pending_quote_or_clarification_is_not_automated() -> None:
    assert not is_automated(conv("a", [("retention", "handed_off")], human=True))
    assert not is_automated(conv("b", [("top_up", "proposed")]))
    assert not is_automated(conv("c", [("top_up", "clarified")]))


def test_last_outcome_per_need_decides() -> None:
    c = conv("a", [("top_up", "proposed"), ("top_up", "acted"), ("faq", "answered")])
    assert is_resolved(c)
    assert not is_resolved(conv("b", [("top_up", "acted"), ("faq", "clarified")]))


def test_repeat_contact_about_the_same_need_within_the_window_undoes_automation() -> None:
    first = conv("a", [("coverage_faults", "answered")])
    again = conv("b", [("coverage_faults", "answered")], at=T0 + timedelta(days=2))
    other_need = conv("c", [("billing_payments", "answered")], at=T0 + timedelta(days=2))
    late = conv("d", [("coverage_faults", "answered")], at=T0 + timedelta(days=8))
    assert not is_automated(first, [again])
    assert is_automated(first, [other_need, late])
    assert automation_rate([first, again, other_need]) == 2 / 3


def test_anonymous_conversations_cannot_be_repeat_contacts() -> None:
    first = conv("a", [("faq", "answered")], customer=None)
    again = conv("b", [("faq", "answered")], customer=None, at=T0 + timedelta(hours=1))
    assert automation_rate([first, again]) == 1.0


def test_greeting_and_out_of_scope_only_conversations_are_not_counted() -> None:
    assert (
        automation_rate([conv("a", [("greeting", "answered"), ("out_of_scope", "refused")])])
        is None
    )
    rate = automation_rate(
        [conv("a", [("out_of_scope", "refused")]), conv("b", [("faq", "answered")])]
    )
    assert rate == 1.0
