"""The prompt's history stays within its token budget; the pending action is never dropped."""

from __future__ import annotations

from langchain_core.messages import AIMessage, ToolMessage

from assistant.turn.memory import StoredLine, TokenCounter, build_context

COUNTER = TokenCounter("gpt-4.1-mini")


def _lines(n: int) -> list[StoredLine]:
    return [
        StoredLine("customer" if i % 2 == 0 else "assistant", f"message {i} " + "words " * 60)
        for i in range(n)
    ]


def test_counts_with_the_models_own_encoding() -> None:
    assert COUNTER.count("hello world") == 2
    assert TokenCounter("gpt-3.5-turbo").count("hello world") == 2


def test_history_within_budget_with_summary_and_pending_action() -> None:
    note = "Open quote awaiting the customer's yes or no: top up £10"
    context = build_context(_lines(60), counter=COUNTER, budget=800, pending_note=note)
    assert context.tokens <= 800
    assert "Earlier in this conversation" in str(context.messages[0].content)
    assert context.messages[-1].content == note
    assert "message 59" in str(context.messages[-2].content)


def test_pending_action_survives_a_tiny_budget() -> None:
    context = build_context(_lines(10), counter=COUNTER, budget=60, pending_note="PENDING top up")
    assert context.messages[-1].content == "PENDING top up"


def test_short_history_is_kept_whole() -> None:
    context = build_context(_lines(4), counter=COUNTER, budget=5000)
    assert context.summary is None and len(context.messages) == 4


def test_tool_exchange_and_engine_state_are_replayed() -> None:
    lines = [StoredLine("customer", "top up", "t1"), StoredLine("assistant", "How much?", "t1")]
    trace = {
        "steps": [
            {"calls": [{"id": "c1", "name": "get_account_overview", "args": {}}], "text": ""},
            {"result": "c1", "name": "get_account_overview", "content": "credit £7.50",
             "status": "success", "artifact": {"data": {"credit": 7.5}}},
        ],
        "meta": {"engine": "switchboard-local", "awaiting": "amount"},
    }  # fmt: skip
    context = build_context(lines, counter=COUNTER, budget=5000, traces={"t1": trace})
    kinds = [type(m).__name__ for m in context.messages]
    assert kinds == ["HumanMessage", "AIMessage", "ToolMessage", "AIMessage"]
    tool = context.messages[2]
    assert isinstance(tool, ToolMessage) and tool.artifact == {"data": {"credit": 7.5}}
    final = context.messages[-1]
    assert isinstance(final, AIMessage) and final.response_metadata["awaiting"] == "amount"


def test_a_tight_budget_drops_tool_exchanges_before_text() -> None:
    lines = [StoredLine("customer", "hi", "t1"), StoredLine("assistant", "Hello!", "t1")]
    big = "x " * 3000
    trace = {
        "steps": [
            {"calls": [{"id": "c1", "name": "search_knowledge", "args": {}}], "text": ""},
            {"result": "c1", "name": "search_knowledge", "content": big, "status": "success"},
        ],
        "meta": {},
    }
    context = build_context(lines, counter=COUNTER, budget=200, traces={"t1": trace})
    assert not any(isinstance(m, ToolMessage) for m in context.messages)
    assert context.messages[-1].content == "Hello!"
