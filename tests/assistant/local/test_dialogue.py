"""Multi-turn behaviour read back from the message history: other lines, offers, sign-in,
multi-intent messages, a dispute that needs the bill first."""

from __future__ import annotations

from typing import Any

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage, ToolMessage

from assistant.local import LocalChatModel
from tests.assistant.local.conftest import schema_tools
from tools.outcome import ToolOutcome, ok


async def _nothing(name: str, args: dict[str, Any]) -> ToolOutcome:
    return ok(name, "ok")


def _bound(model: LocalChatModel) -> Any:
    return model.bind_tools(schema_tools(_nothing))


def _result(call: dict[str, Any], outcome: ToolOutcome) -> ToolMessage:
    return ToolMessage(
        outcome.render(), tool_call_id=call["id"], name=call["name"], artifact=outcome
    )


def _step(model: Any, history: list[BaseMessage], text: str | None = None) -> AIMessage:
    if text is not None:
        history.append(HumanMessage(text))
    reply = model.invoke(history)
    assert isinstance(reply, AIMessage)
    history.append(reply)
    return reply


def test_the_other_number_is_taken_from_the_account(local_model: LocalChatModel) -> None:
    model, history = _bound(local_model), []
    first = _step(model, history, "how much data have i got")
    overview = ok(
        "get_account_overview",
        "Business Unlimited on +447700900007: unlimited data.",
        data={"msisdn": "+447700900007", "other_lines": ["+447700900008"]},
    )
    history.append(_result(first.tool_calls[0], overview))
    _step(model, history)
    quote = _step(model, history, "top up £10 on 07700 900007")
    assert quote.tool_calls[0]["args"]["msisdn"] == "+447700900007"
    history.append(_result(quote.tool_calls[0], ok("top_up", "Top up £10 on +447700900007.")))
    _step(model, history)
    again = _step(model, history, "no, the other number")
    assert again.tool_calls[0]["name"] == "top_up"
    assert again.tool_calls[0]["args"]["msisdn"] == "+447700900008"
    assert again.tool_calls[0]["args"]["amount"] == 10


def test_no_account_tools_when_not_signed_in(local_model: LocalChatModel) -> None:
    model = _bound(local_model)
    system = SystemMessage("The customer is not signed in: answer general questions only.")
    reply = _step(model, [system], "top up £10")
    assert not reply.tool_calls and "signed in" in str(reply.content)
    knowledge = _step(model, [system], "how do i set up voicemail")
    assert knowledge.tool_calls[0]["name"] == "search_knowledge"


def test_postpaid_customers_are_not_offered_a_top_up(local_model: LocalChatModel) -> None:
    system = SystemMessage("The customer is signed in (postpaid customer, line ending 003).")
    reply = _step(_bound(local_model), [system], "top up £10")
    assert not reply.tool_calls and "prepaid" in str(reply.content)


def test_two_read_requests_run_together(local_model: LocalChatModel) -> None:
    reply = _step(_bound(local_model), [], "is there an outage in LS2 and where is my order")
    assert {c["name"] for c in reply.tool_calls} == {"check_coverage", "get_request_status"}


def test_a_fault_is_offered_after_a_coverage_check_and_reported_on_yes(
    local_model: LocalChatModel,
) -> None:
    model, history = _bound(local_model), []
    check = _step(model, history, "i have no signal at home in M1 1AA")
    assert check.tool_calls[0] == {**check.tool_calls[0], "name": "check_coverage"}
    history.append(_result(check.tool_calls[0], ok("check_coverage", "M1: 5G, no known outage.")))
    offer = _step(model, history)
    assert "report a fault" in str(offer.content)
    report = _step(model, history, "yes please")
    assert report.tool_calls[0]["name"] == "report_fault"
    assert report.tool_calls[0]["args"]["kind"] == "no_signal"


def test_dispute_finds_the_bill_line_then_quotes(local_model: LocalChatModel) -> None:
    model, history = _bound(local_model), []
    first = _step(model, history, "i want to dispute the £6.40 data charge on my bill")
    assert first.tool_calls[0]["name"] == "get_bills"
    bills = ok(
        "get_bills",
        "1 bill.",
        data={
            "bills": [
                {
                    "bill_id": "B-1001",
                    "amount": "21.40",
                    "items": [
                        {"item_id": "I-1", "name": "Smart 30GB monthly charge", "amount": "15.00"},
                        {"item_id": "I-2", "name": "Out-of-bundle data", "amount": "6.40"},
                    ],
                }
            ]
        },
    )
    history.append(_result(first.tool_calls[0], bills))
    dispute = _step(model, history)
    assert dispute.tool_calls[0]["name"] == "dispute_charge"
    assert {k: dispute.tool_calls[0]["args"][k] for k in ("bill_id", "item_id")} == {
        "bill_id": "B-1001",
        "item_id": "I-2",
    }


def test_cancel_after_a_quote_does_nothing(local_model: LocalChatModel) -> None:
    model, history = _bound(local_model), []
    quote = _step(model, history, "top up 10")
    history.append(_result(quote.tool_calls[0], ok("top_up", "Top up £10.")))
    _step(model, history)
    reply = _step(model, history, "no actually don't bother")
    assert not reply.tool_calls and "haven't done anything" in str(reply.content)


def test_a_question_the_plan_would_answer_with_a_question_reads_the_articles_first(
    local_model: LocalChatModel,
) -> None:
    model = _bound(local_model)
    system = SystemMessage("The customer is not signed in: answer general questions only.")
    history: list[BaseMessage] = [system]
    text = "I'd like calls diverted to my landline whenever I'm engaged, which code is that?"
    first = _step(model, history, text)
    assert [c["name"] for c in first.tool_calls] == ["search_knowledge"]
    passage = {
        "doc_id": "kb-call-forwarding",
        "title": "Call forwarding",
        "section": "Forward when busy",
        "text": "To forward calls when you're busy, dial `**67*<number>#` and press call.",
        "score": 0.97,
    }
    found = ok("search_knowledge", "Found 1 passage.", passages=[passage])
    history.append(_result(first.tool_calls[0], found))
    answer = _step(model, history)
    assert "**67*" in str(answer.content)
    assert answer.response_metadata["citations"] == ["kb-call-forwarding"]


def test_when_the_articles_do_not_answer_the_planned_reply_is_given(
    local_model: LocalChatModel,
) -> None:
    model = _bound(local_model)
    system = SystemMessage("The customer is not signed in: answer general questions only.")
    history: list[BaseMessage] = [system]
    first = _step(model, history, "I'd like calls diverted when I'm engaged, which code is that?")
    nothing = ok("search_knowledge", "Nothing in the help centre matches that.", data={"found": 0})
    history.append(_result(first.tool_calls[0], nothing))
    reply = _step(model, history)
    assert "forwarding on or off" in str(reply.content)
    assert reply.response_metadata["outcome_hint"] == "clarified"
    assert reply.response_metadata["citations"] == []
