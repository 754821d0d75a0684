"""`switchboard audit` (tools/cli.py): filters and JSON output over the real audit table."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any, get_args

import typer
from sqlalchemy.ext.asyncio import async_sessionmaker
from typer.testing import CliRunner

from tools import actions
from tools.audit import AuditEvent
from tools.cli import mount


async def _seed(sm: async_sessionmaker[Any], conversation_id: str) -> str:
    proposed = await actions.propose(
        sessionmaker=sm,
        conversation_id=conversation_id,
        customer_id="cust-001",
        tool="top_up",
        args={"amount": "10.00"},
        summary="Top up £10",
        ttl_s=600,
        amount=Decimal("10.00"),
        currency="GBP",
    )
    await actions.cancel(
        sessionmaker=sm,
        action_id=proposed.action_id,
        customer_id="cust-001",
        conversation_id=conversation_id,
        actor="customer:cust-001",
    )
    return proposed.action_id


async def test_audit_lists_filters_and_prints_json(
    sessionmaker: async_sessionmaker[Any], conversation_id: str
) -> None:
    action_id = await _seed(sessionmaker, conversation_id)
    runner = CliRunner()

    table = await _run(runner, ["audit", "--customer", "cust-001"])
    assert table.exit_code == 0 and "proposed" in table.output and "cancelled" in table.output

    as_json = await _run(runner, ["audit", "--action", action_id, "--json", "--limit", "1"])
    rows = [json.loads(line) for line in as_json.output.splitlines()]
    assert [(r["event"], r["actor"], r["tool"]) for r in rows] == [
        ("cancelled", "customer:cust-001", "top_up")
    ]

    nobody = await _run(runner, ["audit", "--customer", "cust-999"])
    assert nobody.exit_code == 0 and "No audit entries" in nobody.output


async def _run(runner: CliRunner, argv: list[str]) -> Any:
    # The command runs its own event loop, so it goes to a worker thread.
    import asyncio

    main = typer.Typer()
    main.command("version")(lambda: None)
    mount(main)
    return await asyncio.to_thread(runner.invoke, main, argv)


async def test_an_unknown_event_is_refused_in_one_line() -> None:
    result = await _run(CliRunner(), ["audit", "--event", "bogus"])
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        "switchboard audit: unknown event 'bogus'; one of: " + ", ".join(get_args(AuditEvent))
    ]
