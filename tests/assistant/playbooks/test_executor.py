"""The executor over the shipped playbooks with recording hands: the steps, the slots, and the
repair every playbook gets (correction, cancel, "already tried", digression, return later)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from assistant.playbooks import repair
from assistant.playbooks.executor import Executor, ToolRun
from assistant.playbooks.loader import load_for
from assistant.playbooks.state import JourneyState
from switchboard import clock

LIBRARY = load_for(None)


class Hands:
    def __init__(self, results: dict[str, dict[str, Any]] | None = None) -> None:
        self.results = results or {}
        self.said: list[str] = []
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.quotes: list[tuple[str, dict[str, Any]]] = []
        self.handoffs: list[tuple[str, str]] = []
        self.digressions: list[str] = []

    async def call(self, step_id: str, tool: str, args: dict[str, Any]) -> ToolRun:
        self.calls.append((tool, args))
        data = self.results.get(tool, {})
        return ToolRun(ok=True, summary=str(data.get("summary", f"{tool} ok")), data=data)

    async def quote(self, step_id: str, tool: str, args: dict[str, Any]) -> ToolRun:
        self.quotes.append((tool, args))
        return ToolRun(ok=True, summary="quoted", data={}, proposed=True)

    async def hand_off(self, reason: str, summary: str) -> None:
        self.handoffs.append((reason, summary))

    async def digress(self, text: str) -> None:
        self.digressions.append(text)

    def say(self, text: str) -> None:
        self.said.append(text)


MANCHESTER = {"summary": "Manchester (M1 4BT): mobile 5G.", "place": "Manchester", "mobile": "5G"}
LEEDS = {"summary": "Leeds: Known issue (OUT-4101): mast maintenance.", "place": "Leeds"}


def journey(name: str, hands: Hands) -> Executor:
    playbook = LIBRARY.playbooks[name]
    return Executor(playbook, JourneyState(name, playbook.steps[0].id), hands)


async def test_port_in_happy_path_asks_number_then_pac_then_quotes() -> None:
    hands = Hands()
    run = journey("port_in", hands)
    await run.start("I want to bring my old number over from another network")
    assert "PAC" in hands.said[0] and "30 days" in hands.said[0]
    assert run.state.step == "number" and hands.said[-1].startswith("Which number")
    await run.on_message("07700 900123")  # the answer to "which number?" is the number
    assert run.state.slots["number"] == "+447700900123" and run.state.step == "pac"
    await run.on_message("ABC123456")
    assert hands.quotes == [
        (
            "start_service_request",
            {"kind": "port_in", "port_msisdn": "+447700900123", "pac_code": "ABC123456"},
        )
    ]
    await run.after_decision(confirmed=True, ok=True)
    assert run.state.status == "done" and "+447700900123" in hands.said[-1]


async def test_bad_input_at_a_slot_is_asked_again_and_changes_nothing() -> None:
    hands = Hands()
    run = journey("port_in", hands)
    await run.start("I want to bring my number over")
    await run.on_message("07700 900123")
    await run.on_message("I don't have it to hand, it's ABC12")
    assert run.state.step == "pac" and "pac" not in run.state.slots
    assert hands.said[-1].startswith("A PAC is 3 letters and 6 digits")
    assert run.state.slots["number"] == "+447700900123"  # the earlier answer is kept
    assert hands.quotes == []


async def test_no_signal_checks_outage_and_line_first_then_guides() -> None:
    hands = Hands({"check_coverage": MANCHESTER, "get_account_overview": {"status": "active"}})
    run = journey("no_signal", hands)
    await run.start("no signal at home")
    assert run.state.step == "postcode" and "outage" in hands.said[-1]
    await run.on_message("it's M1 4BT")
    assert [c[0] for c in hands.calls] == ["check_coverage", "get_account_overview"]
    assert run.state.step == "restart" and "Manchester has 5G" in hands.said[-1]
    await run.on_message("no")
    assert run.state.step == "settings"
    await run.on_message("no, still nothing")
    await run.on_message("indoors mostly, since Monday")
    tool, args = hands.quotes[-1]
    assert tool == "report_fault" and args["postcode"] == "M1 4BT"
    assert args["kind"] == "no_signal" and "since Monday" in args["description"]


async def test_an_outage_at_the_postcode_ends_the_journey_without_a_ticket() -> None:
    hands = Hands({"check_coverage": LEEDS})
    run = journey("no_signal", hands)
    await run.start("no signal in LS2 7AB")
    assert run.state.status == "done" and hands.quotes == []
    assert "Known issue" in hands.said[-1]


async def test_correction_of_an_earlier_slot_reruns_what_depends_on_it() -> None:
    hands = Hands({"check_coverage": MANCHESTER, "get_account_overview": {"status": "active"}})
    run = journey("no_signal", hands)
    await run.start("no signal at M1 4BT")
    assert run.state.step == "restart"
    await run.on_message("sorry, I meant the postcode is B1 1BB")
    assert run.state.slots["postcode"] == "B1 1BB"
    assert hands.calls[-2] == ("check_coverage", {"postcode": "B1 1BB"})
    assert any("postcode B1 1BB" in s for s in hands.said)
    assert run.state.step == "restart"


async def test_already_tried_skips_the_guided_step() -> None:
    hands = Hands({"check_coverage": MANCHESTER, "get_account_overview": {"status": "active"}})
    run = journey("no_signal", hands)
    await run.start("no signal at M1 4BT")
    playbook = LIBRARY.playbooks["no_signal"]
    assert repair.classify(playbook, run.state, "I've already restarted it") == "tried"
    await run.tried("I've already restarted it")
    assert run.state.step == "settings" and run.state.tried == ["restart"]
    assert hands.said[-2] == repair.SKIP_TRIED


async def test_a_question_mid_journey_is_answered_then_the_step_is_asked_again() -> None:
    hands = Hands()
    run = journey("port_in", hands)
    await run.start("I want to bring my number over")
    playbook = LIBRARY.playbooks["port_in"]
    question = "how long does the switch take?"
    assert repair.classify(playbook, run.state, question) == "digression"
    await run.digress(question)
    assert hands.digressions == [question]
    assert hands.said[-1].endswith("Which number would you like to bring over?")
    assert run.state.step == "number"


@pytest.mark.parametrize("text", ["forget it", "cancel", "never mind"])
def test_cancel_is_recognised_at_any_step(text: str) -> None:
    playbook = LIBRARY.playbooks["no_signal"]
    for step in ("postcode", "restart"):  # restart asks a yes/no: "no" answers it
        state = JourneyState("no_signal", step)
        assert repair.classify(playbook, state, text) == "cancel", (step, text)
    assert repair.classify(playbook, JourneyState("no_signal", "restart"), "no") is None


async def test_cancel_stops_the_journey_and_says_so() -> None:
    hands = Hands()
    run = journey("port_in", hands)
    await run.start("I want to bring my number over")
    await run.cancel()
    assert run.state.status == "cancelled" and not run.state.active
    assert "Nothing has been changed" in hands.said[-1]


def test_return_after_hours_resumes_or_restarts_per_playbook() -> None:
    now = clock.now()
    no_signal = LIBRARY.playbooks["no_signal"]  # 12 hours, resume
    state = JourneyState("no_signal", "restart", at=now - timedelta(hours=2))
    assert repair.returned_after(no_signal, state, now) is None
    state.at = now - timedelta(hours=13)
    assert repair.returned_after(no_signal, state, now) == "resume"
    restart = no_signal.model_copy(update={"on_return": "restart"})
    assert repair.returned_after(restart, state, now) == "restart"


async def test_found_phone_quotes_the_unblock_never_a_block() -> None:
    overview = {"status": "suspended", "suspension_reason": "lost", "msisdn": "+447700900006"}
    hands = Hands({"get_account_overview": overview})
    run = journey("found_phone", hands)
    await run.start("my phone turned up, unblock it")
    assert hands.quotes == [("unblock_line", {"msisdn": "+447700900006"})]
    assert hands.handoffs == [] and run.state.step == "unblock"
    await run.after_decision(confirmed=True, ok=True)
    assert run.state.status == "done" and "works again" in hands.said[-1]


async def test_found_phone_without_the_line_says_why_never_that_it_is_not_blocked() -> None:
    class Refused(Hands):
        async def call(self, step_id: str, tool: str, args: dict[str, Any]) -> ToolRun:
            self.calls.append((tool, args))
            return ToolRun(ok=False, summary="Please sign in first.", data={})

    hands = Refused()
    run = journey("found_phone", hands)
    await run.start("my phone turned up, unblock it")
    assert hands.said == ["Please sign in first."] and hands.quotes == []
    assert run.state.status == "done"


async def test_found_phone_leaves_a_fraud_block_to_the_security_team() -> None:
    overview = {"status": "suspended", "suspension_reason": "fraud", "msisdn": "+447700900006"}
    hands = Hands({"get_account_overview": overview})
    run = journey("found_phone", hands)
    await run.start("I found my phone, can you unblock my line")
    assert hands.quotes == []
    assert hands.handoffs and hands.handoffs[0][0] == "identity"
    assert run.state.status == "handed_off"


BILL = {
    "summary": "Bill B-2 of 1 Dec: 26.40.",
    "bills": [
        {
            "bill_id": "bill-2",
            "items": [
                {"item_id": "bi-1", "name": "Bundle 20", "amount": "20.00"},
                {"item_id": "bi-2", "name": "Data outside your bundle", "amount": "6.40"},
            ],
        }
    ],
}


async def test_bill_dispute_asks_which_charge_from_the_bill_and_disputes_that_line() -> None:
    hands = Hands({"get_bills": BILL})
    run = journey("bill_dispute", hands)
    await run.start("I want to dispute a charge")
    await run.on_message("the latest one")
    assert run.state.step == "charge"
    assert "1. Bundle 20" in hands.said[-1] and "2. Data outside your bundle" in hands.said[-1]
    await run.on_message("I don't know, the cheese one")  # not a charge on the bill
    assert run.state.step == "charge" and "its number in the list" in hands.said[-1]
    await run.on_message("the data one")
    assert run.state.slots["charge"] == "bi-2" and run.state.step == "why"
    await run.on_message("I was on wifi the whole time")
    assert hands.quotes == [
        (
            "dispute_charge",
            {"bill_id": "bill-2", "item_id": "bi-2", "reason": "I was on wifi the whole time"},
        )
    ]


async def test_a_bill_without_line_items_is_disputed_whole() -> None:
    bare = {"summary": "Bill B-1: 10.00.", "bills": [{"bill_id": "bill-1"}]}
    hands = Hands({"get_bills": bare})
    run = journey("bill_dispute", hands)
    await run.start("there's a wrong charge on my bill")
    await run.on_message("the latest")
    assert run.state.step == "why"
    await run.on_message("I never had that plan")
    assert hands.quotes == [
        ("dispute_charge", {"bill_id": "bill-1", "reason": "I never had that plan"})
    ]


async def test_the_quote_is_amended_with_more_detail_and_keeps_the_postcode() -> None:
    hands = Hands({"check_coverage": MANCHESTER, "get_account_overview": {"status": "active"}})
    run = journey("no_signal", hands)
    await run.start("no signal at M1 4BT, please report it")
    assert run.state.step == "ticket" and len(hands.quotes) == 1
    await run.on_message("it also drops calls when I'm indoors", open_quote=True)
    assert len(hands.quotes) == 2
    args = hands.quotes[-1][1]
    assert args["postcode"] == "M1 4BT" and "drops calls" in args["description"]


def test_triggers_pick_the_right_journey() -> None:
    assert LIBRARY.match("my phone turned up, unblock it") == "found_phone"
    assert LIBRARY.match("my phone was stolen, block it") == "lost_phone"
    assert LIBRARY.match("I want to bring my old number over from another network") == "port_in"
    assert LIBRARY.match("I'm switching provider, I need my PAC code") == "port_out"
    assert LIBRARY.match("I can't afford to pay my bill this month") == "payment_arrangement"
    assert LIBRARY.match("what's my balance") is None
    assert LIBRARY.match("top up £10") is None
    assert LIBRARY.match("why would my phone stop getting calls after a block") is None
    assert LIBRARY.match("can i switch to esim?") == "sim_swap"
    assert LIBRARY.match("any news on my fibre install?") is None  # a status question
    assert LIBRARY.match("I want to dispute the £6.40 data charge") is None  # names the amount
    assert LIBRARY.match("I want to dispute a charge") == "bill_dispute"
