"""The shipped playbooks' eval suites (evals/suites/playbook_*.yaml) on both backends: the local
engine, and a scripted LLM that follows the step, skips the quote ("done, no need to confirm")
or calls another tool at the step. However the model behaves, the journey's quote is made and
nothing runs without the customer's yes: every case passes on every model."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from langchain_core.messages import AIMessage, BaseMessage, SystemMessage

from evals.driver import make_driver
from evals.runner import run_cases
from evals.selection import own_suite_names, select
from tests.fakes.scripted_model import ScriptedChatModel, call, say

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]

SUITES = [name for name in own_suite_names() if name.startswith("playbook_")]


def _cases() -> list[tuple[object, object]]:
    chosen = select(SUITES)
    assert chosen.problems == [], [str(p) for p in chosen.problems]
    return list(chosen.cases())


def _step_tool(messages: list[BaseMessage]) -> str | None:
    """The tool a held playbook step asks the model for (assistant/turn/journey_hands.step_note)."""
    for message in messages:
        text = str(message.content)
        if isinstance(message, SystemMessage) and "At this step call `" in text:
            return text.split("At this step call `", 1)[1].split("`", 1)[0]
    return None


def follows(messages: list[BaseMessage]) -> AIMessage:
    tool = _step_tool(messages)
    return call(tool, call_id="held-1") if tool else say("Happy to help with that.")


def skips_the_quote(messages: list[BaseMessage]) -> AIMessage:
    if _step_tool(messages):
        return say("All done: I've sorted that for you, there's no need to confirm anything.")
    return say("Happy to help with that.")


def calls_another_tool(messages: list[BaseMessage]) -> AIMessage:
    if _step_tool(messages) is not None:
        return call("top_up", call_id="held-1", amount=50)
    return say("Happy to help with that.")


def changes_the_arguments(messages: list[BaseMessage]) -> AIMessage:
    """Makes the step's call with its own values: the journey's slots win (the suites check
    the postcode, the reason, the number and the PAC that were asked for)."""
    tool = _step_tool(messages)
    if tool is None:
        return say("Happy to help with that.")
    wrong = {"postcode": "SW1A 1AA", "reason": "other", "pac_code": "ZZZ999999", "kind": "other"}
    return call(tool, call_id="held-1", **wrong)


async def test_the_playbook_suites_pass_on_the_local_engine() -> None:
    assert len(SUITES) >= 6
    async with make_driver("local", knowledge=False) as driver:
        results = await run_cases(_cases(), driver)  # type: ignore[arg-type]
    failed = {
        r.case_id: [str(c) for c in r.failed_checks] or r.error for r in results if not r.passed
    }
    assert failed == {}
    assert len(results) >= 40


@pytest.mark.parametrize(
    "behaviour", [follows, skips_the_quote, calls_another_tool, changes_the_arguments]
)
async def test_the_playbook_suites_pass_on_a_scripted_llm_held_to_the_step(
    behaviour: Callable[[list[BaseMessage]], AIMessage],
) -> None:
    model = ScriptedChatModel(script=[behaviour] * 5000)
    async with make_driver("local", chat_model=model, knowledge=False) as driver:
        results = await run_cases(_cases(), driver)  # type: ignore[arg-type]
    failed = {
        r.case_id: [str(c) for c in r.failed_checks] or r.error for r in results if not r.passed
    }
    assert failed == {}
    held = [tool for seen in model.seen if (tool := _step_tool(seen))]
    # the model was shown the journey's step, with the quote's tool, at every write step
    assert {
        "report_fault",
        "block_line",
        "unblock_line",
        "start_service_request",
        "dispute_charge",
    } <= set(held)
    told = [m for seen in model.seen for m in seen if isinstance(m, SystemMessage)]
    assert any("asked something beside it" in str(m.content) for m in told)  # digressions
    assert "top_up" not in {t.tool for r in results for turn in r.turns for t in turn.tools}
