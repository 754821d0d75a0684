"""The `switchboard` command line."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from switchboard.errors import ConfigError
from switchboard.logging import configure_logging
from switchboard.settings import Settings, get_settings

app = typer.Typer(
    help="Switchboard: an LLM-powered digital assistant for telecom operators.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="Database migrations.", no_args_is_help=True)
app.add_typer(db_app, name="db")


def _settings() -> Settings:
    settings = get_settings()
    configure_logging(level=settings.log_level, json_format=settings.log_json)
    return settings


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Interface to bind (default: setting)")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default: SWITCHBOARD_PORT)")] = None,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes")] = 1,
) -> None:
    """Start the API server (migrations run at start-up)."""
    import uvicorn

    settings = _settings()
    settings.resolved_token_secret()  # fail fast on a missing secret outside demo mode
    uvicorn.run(
        "api.app:create_app",
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        workers=workers,
        log_config=None,
        timeout_graceful_shutdown=5,
    )


@app.command()
def chat(
    msisdn: Annotated[
        str | None, typer.Option("--as", help="Demo customer's number, e.g. +447700900001")
    ] = None,
    url: Annotated[
        str | None, typer.Option(help="Talk to a running server instead of in-process")
    ] = None,
) -> None:
    """Chat with the assistant in the terminal (type /quit to leave)."""
    import asyncio

    from switchboard.chat import chat_in_process, chat_with_server, console_reader

    settings = _settings()
    if url:
        asyncio.run(chat_with_server(url, msisdn, console_reader))
    else:
        asyncio.run(chat_in_process(settings, msisdn, console_reader))


@db_app.command("upgrade")
def db_upgrade(revision: Annotated[str, typer.Argument()] = "head") -> None:
    """Bring the database to REVISION (default: the newest)."""
    from switchboard.db.migrate import upgrade

    settings = _settings()
    upgrade(settings.resolved_database_url, revision)
    typer.echo(f"database at {revision}")


@db_app.command("downgrade")
def db_downgrade(revision: Annotated[str, typer.Argument()]) -> None:
    """Step the database down to REVISION (e.g. -1)."""
    from switchboard.db.migrate import downgrade

    settings = _settings()
    downgrade(settings.resolved_database_url, revision)
    typer.echo(f"database at {revision}")


def _mount_parts() -> None:
    """The parts' own commands: `bss`, `ingest`, `search`, `eval`, `audit`."""
    from bss.cli import app as bss_app
    from evals.cli import app as eval_app
    from knowledge.cli import eval_retrieval, ingest, search
    from tools.cli import mount as mount_audit

    app.add_typer(bss_app, name="bss")
    app.command("ingest")(ingest)
    app.command("search")(search)
    eval_app.command("retrieval")(eval_retrieval)
    app.add_typer(eval_app, name="eval")
    mount_audit(app)


_mount_parts()


def main() -> None:
    """Console entry point: configuration mistakes end in one actionable line and exit code 2."""
    try:
        app()
    except ConfigError as exc:
        sys.stderr.write(f"switchboard: configuration error: {exc}\n")
        raise SystemExit(2) from None
