"""How bench/statements.py names a statement: its verb and the first table it names."""

from __future__ import annotations

from bench.statements import statement_kind


def test_statement_kind_names_verb_and_table() -> None:
    update = "UPDATE conversations SET last_event_id=(conversations.last_event_id + ?) WHERE id = ?"
    assert statement_kind(update) == "UPDATE conversations"
    assert statement_kind("INSERT INTO events (conversation_id, seq) VALUES (?, ?)") == (
        "INSERT events"
    )
    select = 'SELECT events.seq FROM "events" JOIN turns ON turns.id = events.turn_id'
    assert statement_kind(select) == "SELECT events"
    assert statement_kind("select 1") == "SELECT"
    assert statement_kind("  ") == "empty"
