"""`switchboard gaps export --out DIR`: the knowledge gaps of a period as draft article stubs and
eval suites (api/gap_export.py), from the database the settings name."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from sqlalchemy.exc import OperationalError, ProgrammingError

from api.analytics import default_period
from api.gap_export import write_export
from api.gap_scope import shared_scope
from api.gaps import GapReport, report
from knowledge.embedding import get_embedder
from switchboard import clock
from switchboard.db import make_engine, make_sessionmaker
from switchboard.settings import Settings, get_settings

app = typer.Typer(help="Knowledge gaps: questions the assistant could not answer well.")


async def _report(settings: Settings, **period: Any) -> GapReport:
    engine = make_engine(settings.resolved_database_url)
    threshold = settings.gaps_confidence_threshold
    try:
        return await report(
            make_sessionmaker(engine),
            embedder=get_embedder(settings),
            in_scope=shared_scope(settings),
            threshold=settings.handoff_confidence_threshold if threshold is None else threshold,
            similarity=settings.gaps_similarity,
            **period,
        )
    finally:
        await engine.dispose()


def _fail(message: str) -> typer.Exit:
    typer.echo(f"switchboard gaps export: {message}", err=True)
    return typer.Exit(2)


def _day(value: str | None, name: str) -> datetime | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise _fail(f"--{name} {value!r} is not a date (YYYY-MM-DD)") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@app.command("export")
def export(
    out: Annotated[Path, typer.Option(help="Folder to write articles/ and evals/ into")],
    since: Annotated[
        str | None, typer.Option(help="From (YYYY-MM-DD; default 30 days ago)")
    ] = None,
    until: Annotated[str | None, typer.Option(help="To, exclusive (default now)")] = None,
    channel: Annotated[str | None, typer.Option(help="Only this channel")] = None,
    top: Annotated[int, typer.Option(help="The N largest topics")] = 20,
) -> None:
    """Write a draft article stub and an eval suite for each of the largest knowledge gaps."""
    if top < 1:
        raise _fail(f"--top must be at least 1, got {top}")
    if out.exists() and not out.is_dir():
        raise _fail(f"--out {out} is a file, not a folder")
    start, end = default_period(clock.now())
    period = {"since": _day(since, "since") or start, "until": _day(until, "until") or end}
    if period["since"] >= period["until"]:
        raise _fail("--since must be before --until")
    try:
        found = asyncio.run(_report(get_settings(), channel=channel, **period))
    except (OperationalError, ProgrammingError) as exc:
        raise _fail(
            f"cannot read the database ({exc.orig}); run `switchboard db upgrade`?"
        ) from None
    written = write_export(found.topics[:top], out)
    typer.echo(
        f"{len(found.topics[:top])} topics from {found.questions} gap questions: "
        f"{len(written)} files in {out}"
    )


def mount(parent: typer.Typer) -> None:
    """Add `gaps` (with `gaps export`) to `parent` (the `switchboard` CLI)."""
    parent.add_typer(app, name="gaps")
