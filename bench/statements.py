"""Counting a process's SQL round trips: statements by kind and table, and commits, per database.

    with StatementCounter() as counter:
        ...  # the turns
    counter.per(turns)  # {"switchboard.db": {"commits": 14.0, "UPDATE conversations": 12.0, ...}}

It listens on every SQLAlchemy engine (the event log's, the API's lookup pool, the in-process BSS
simulator's), keyed by the database file or name, so bench/turn_profile.py can report what a
turn costs the event log apart from what the simulator — another system in production — does.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from types import TracebackType
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine

_TABLE = re.compile(r"\b(?:FROM|INTO|UPDATE|JOIN)\s+\"?([A-Za-z_][\w]*)", re.IGNORECASE)


def statement_kind(sql: str) -> str:
    """`"UPDATE conversations"`, `"SELECT events"`, `"INSERT events"`, `"BEGIN"` ...: the verb and
    the first table a statement names (just the verb when it names none)."""
    words = sql.split(None, 1)
    if not words:
        return "empty"
    verb = words[0].upper()
    found = _TABLE.search(sql)
    return f"{verb} {found.group(1)}" if found else verb


def database_of(connection: Connection) -> str:
    """The database's file name (SQLite) or name (PostgreSQL)."""
    url = connection.engine.url
    return (url.database or "?").rsplit("/", 1)[-1]


class StatementCounter:
    def __init__(self) -> None:
        self.counts: dict[str, Counter[str]] = defaultdict(Counter)

    def _statement(self, conn: Connection, _cursor: Any, sql: str, *_args: Any) -> None:
        self.counts[database_of(conn)][statement_kind(sql)] += 1

    def _commit(self, conn: Connection) -> None:
        self.counts[database_of(conn)]["commits"] += 1

    def __enter__(self) -> StatementCounter:
        event.listen(Engine, "before_cursor_execute", self._statement)
        event.listen(Engine, "commit", self._commit)
        return self

    def __exit__(
        self,
        _type: type[BaseException] | None,
        _exc: BaseException | None,
        _tb: TracebackType | None,
    ) -> None:
        event.remove(Engine, "before_cursor_execute", self._statement)
        event.remove(Engine, "commit", self._commit)

    def per(self, turns: int) -> dict[str, dict[str, float]]:
        """Per turn, by database: commits first, then statements by kind, most frequent first."""
        out = {}
        for database, counts in sorted(self.counts.items()):
            rows = sorted(counts.items(), key=lambda kv: (kv[0] != "commits", -kv[1], kv[0]))
            out[database] = {kind: round(n / turns, 2) for kind, n in rows}
        return out
