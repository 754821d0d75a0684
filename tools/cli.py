"""`switchboard audit`: read the action audit trail from the command line.

Mount it on the main CLI with `tools.cli.mount(app)` (i.e. `app.command("audit")(audit)`).
`app` here is the same command on its own (`python -m typer tools.cli run`)."""

from __future__ import annotations

import asyncio
import json
import sys
from typing import Annotated, get_args

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy.exc import OperationalError, ProgrammingError

from switchboard.db import make_engine, make_sessionmaker
from switchboard.settings import get_settings
from tools.audit import AuditEvent, AuditRecord, query

app = typer.Typer(help="The audit trail of customer actions.", no_args_is_help=True)


async def _read(
    *,
    customer: str | None,
    action: str | None,
    event: str | None,
    conversation: str | None,
    limit: int,
) -> list[AuditRecord]:
    engine = make_engine(get_settings().resolved_database_url)
    try:
        return await query(
            make_sessionmaker(engine),
            customer_id=customer,
            action=action,
            event=event,
            conversation_id=conversation,
            limit=limit,
        )
    finally:
        await engine.dispose()


def _table(rows: list[AuditRecord]) -> Table:
    table = Table(
        "id",
        "at (UTC)",
        "event",
        "actor",
        "customer",
        "tool",
        "amount",
        "bss ref",
        "action",
        "detail",
    )
    for r in rows:
        amount = f"{r.amount} {r.currency or ''}".strip() if r.amount is not None else ""
        table.add_row(
            str(r.id),
            r.at.strftime("%Y-%m-%d %H:%M:%S"),
            r.event,
            r.actor,
            r.customer_id or "",
            r.tool or "",
            amount,
            r.bss_ref or "",
            (r.action_id or "")[:8],
            (r.detail or "")[:60],
        )
    return table


@app.command("audit")
def audit(
    customer: Annotated[str | None, typer.Option(help="Only this customer id")] = None,
    action: Annotated[
        str | None, typer.Option(help="Only this action id, or this tool (e.g. top_up)")
    ] = None,
    event: Annotated[
        str | None, typer.Option(help=f"One of: {', '.join(get_args(AuditEvent))}")
    ] = None,
    conversation: Annotated[str | None, typer.Option(help="Only this conversation id")] = None,
    limit: Annotated[int, typer.Option(min=1, max=10_000, help="The newest N entries")] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="JSON lines instead of a table")] = False,
) -> None:
    """Show who proposed, confirmed, cancelled or executed what, when, for how much."""
    known = get_args(AuditEvent)
    if event is not None and event not in known:
        typer.echo(
            f"switchboard audit: unknown event {event!r}; one of: {', '.join(known)}", err=True
        )
        raise typer.Exit(2)
    try:
        rows = asyncio.run(
            _read(
                customer=customer,
                action=action,
                event=event,
                conversation=conversation,
                limit=limit,
            )
        )
    except (OperationalError, ProgrammingError) as exc:
        typer.echo(
            f"Cannot read the audit log ({exc.orig}). Run `switchboard db upgrade` first?", err=True
        )
        raise typer.Exit(1) from None
    if as_json:
        for row in rows:
            sys.stdout.write(json.dumps(row.model_dump(mode="json"), ensure_ascii=False) + "\n")
        return
    if not rows:
        typer.echo("No audit entries match.")
        return
    if sys.stdout.isatty():
        Console().print(_table(rows))
        return
    for r in rows:  # piped: one plain line per entry, easy to grep
        amount = f"{r.amount} {r.currency or ''}".strip() if r.amount is not None else "-"
        fields = [
            r.at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            r.event,
            r.actor,
            r.customer_id or "-",
            r.tool or "-",
            amount,
            r.bss_ref or "-",
            r.action_id or "-",
        ]
        sys.stdout.write("\t".join(fields) + "\n")


def mount(parent: typer.Typer) -> None:
    """Add `audit` as a command of `parent` (the `switchboard` CLI)."""
    parent.command("audit")(audit)
