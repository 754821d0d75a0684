"""The local engine learns who is signed in from the turn loop's system prompt: they must agree."""

from __future__ import annotations

from langchain_core.messages import HumanMessage, SystemMessage

from assistant.local.dialogue import Who, quoted_tool, who_is_signed_in
from assistant.turn.prompts import pending_note, system_prompt
from switchboard.settings import load_settings
from tools.context import TurnContext


def _ctx(**who: str) -> TurnContext:
    settings = load_settings(token_secret="s" * 40)
    return TurnContext("c1", "t1", "web", settings, sessionmaker=None, bss=None, **who)  # type: ignore[arg-type]


def test_the_engine_reads_the_segment_of_a_signed_in_customer() -> None:
    for segment in ("prepaid", "postpaid", "business"):
        prompt = system_prompt(
            _ctx(customer_id="cust-1", msisdn="+447700900001", customer_type=segment)
        )
        messages = [SystemMessage(prompt), HumanMessage("top up £10")]
        assert who_is_signed_in(messages) == Who(signed_in=True, segment=segment)


def test_the_engine_knows_an_anonymous_customer() -> None:
    messages = [SystemMessage(system_prompt(_ctx())), HumanMessage("what's my balance")]
    assert who_is_signed_in(messages) == Who(signed_in=False)


def test_the_engine_reads_the_open_quote_from_the_turn_loops_note() -> None:
    note = pending_note(tool="pay_bill", summary="Pay 25 towards bill BW-1", action_id="a-1")
    messages = [SystemMessage(system_prompt(_ctx())), SystemMessage(note), HumanMessage("just 10")]
    assert quoted_tool(messages) == "pay_bill"
    assert quoted_tool([SystemMessage(system_prompt(_ctx())), HumanMessage("just 10")]) is None
