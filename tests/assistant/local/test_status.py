"""Status questions read the status of what was already requested; they never start a new
action, and 'that ticket' means the one the conversation mentioned."""

from __future__ import annotations

from typing import Any

import pytest
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage, ToolMessage

from assistant.local import LocalChatModel
from assistant.local.status import is_status_question, referenced_ref, refs_in
from tests.assistant.local.conftest import schema_tools
from tools.outcome import ToolOutcome, ok

SIGNED_IN = SystemMessage("The customer is signed in (prepaid customer, line ending 001).")


async def _nothing(name: str, args: dict[str, Any]) -> ToolOutcome:
    return ok(name, "ok")


STATUS = [
    "did my number port go through yet?",
    "I asked for a replacement sim on monday, has it been sent?",
    "how's my broadband installation coming along",
    "what's happening with ORD-7788",
    "wheres my delivery",
    "when will the engineer be here to get my fibre connected",
]
NOT_STATUS = [
    "I need a replacement sim",
    "can you port my number from another network",
    "is roaming switched on",
    "when is my next bill",
    "how do I check my data usage",
    "where can I buy a sim card",
]


@pytest.mark.parametrize("text", STATUS)
def test_status_questions(text: str) -> None:
    assert is_status_question(text)


@pytest.mark.parametrize("text", NOT_STATUS)
def test_requests_and_other_questions_are_not_status(text: str) -> None:
    assert not is_status_question(text)


def test_refs_named_in_text_skip_outages_and_bills() -> None:
    assert refs_in("is ORD-7788 linked to OUT-4101 or BW-202611-003?") == ["ORD-7788"]


def test_that_ticket_is_the_one_the_conversation_mentioned() -> None:
    history = [
        HumanMessage("report a fault"),
        AIMessage("Done: fault ticket opened. Reference: TT-5512."),
        HumanMessage("and my order?"),
        AIMessage("ORD-9001 (router): in progress."),
        HumanMessage("any news on that ticket?"),
    ]
    assert referenced_ref("any news on that ticket?", history) == "TT-5512"
    assert referenced_ref("has it shipped?", history) == "ORD-9001"
    assert referenced_ref("anything new?", history) is None


def test_a_status_question_reads_status_instead_of_starting_a_request(
    local_model: LocalChatModel,
) -> None:
    model = local_model.bind_tools(schema_tools(_nothing))
    reply = model.invoke([SIGNED_IN, HumanMessage("has my sim swap gone through yet?")])
    assert isinstance(reply, AIMessage)
    assert [c["name"] for c in reply.tool_calls] == ["get_request_status"]
    assert reply.response_metadata["capability"] == "request_status"


def test_status_of_that_ticket_asks_for_the_ticket_by_its_id(local_model: LocalChatModel) -> None:
    model = local_model.bind_tools(schema_tools(_nothing))
    history = [
        SIGNED_IN,
        HumanMessage("the internet keeps dropping, report a fault"),
        AIMessage("Done: fault ticket opened. Reference: TT-5512."),
        HumanMessage("what's the latest on that ticket?"),
    ]
    reply = model.invoke(history)
    assert isinstance(reply, AIMessage)
    assert reply.tool_calls[0]["name"] == "get_request_status"
    assert reply.tool_calls[0]["args"]["ref"] == "TT-5512"


def test_a_status_answer_says_the_latest_note(local_model: LocalChatModel) -> None:
    model = local_model.bind_tools(schema_tools(_nothing))
    history: list[Any] = [SIGNED_IN, HumanMessage("where's my order")]
    call = model.invoke(history)
    assert isinstance(call, AIMessage)
    result = ok(
        "get_request_status",
        "1 open: ORD-9001 (router): inProgress.",
        data={"items": [{"ref": "ORD-9001", "state": "inProgress", "notes": ["Sent by courier"]}]},
    )
    history += [
        call,
        ToolMessage(
            result.render(), tool_call_id=call.tool_calls[0]["id"], name="get_request_status",
            artifact=result,
        ),
    ]  # fmt: skip
    answer = model.invoke(history)
    assert "in progress" in str(answer.content) and "Sent by courier" in str(answer.content)
