"""The facts a question asks for are read from the tool's data, not only its headline."""

from __future__ import annotations

from datetime import date

from assistant.local.details import details, humanise_states

BILLS = {
    "bills": [
        {
            "bill_no": "BW-1",
            "due_date": "2026-03-15",
            "remaining": "0",
            "items": [
                {"name": "Plan monthly charge", "amount": "20.00", "out_of_bundle": False},
                {"name": "Data over allowance", "amount": "3.50", "out_of_bundle": True},
            ],
        }
    ]
}
TODAY = date(2026, 3, 1)


def test_a_bill_is_explained_with_its_items() -> None:
    text = details("get_bills", BILLS, "what's this bill made up of", today=TODAY)
    assert "Plan monthly charge £20" in text and "Data over allowance £3.50" in text
    assert "out of bundle" in text


def test_the_due_date_is_given_when_asked() -> None:
    assert "due on 15 March 2026" in details("get_bills", BILLS, "when do I pay by", today=TODAY)
    assert details("get_bills", BILLS, "show me my bill", today=TODAY) == ""


def test_days_until_renewal() -> None:
    data = {"renewal_date": "2026-03-11"}
    assert "in 10 days" in details("get_account_overview", data, "when does it renew", today=TODAY)


def test_a_feature_status_is_read_from_the_line() -> None:
    data = {"call_waiting": False, "roaming": True}
    assert details("get_account_overview", data, "have I got call waiting", today=TODAY) == (
        "Call waiting is off on this line."
    )
    assert "Roaming is on" in details("get_account_overview", data, "roaming?", today=TODAY)


def test_request_notes_and_states_read_as_words() -> None:
    data = {"items": [{"ref": "ORD-1", "notes": ["Packed", "Sent by courier, tracking ZX1"]}]}
    assert "ORD-1: Sent by courier, tracking ZX1." in details(
        "get_request_status", data, "where is it", today=TODAY
    )
    assert humanise_states("ORD-1: inProgress") == "ORD-1: in progress"
