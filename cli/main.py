"""The `switchboard` command line."""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer

from switchboard.errors import ConfigError
from switchboard.logging import configure_logging
from switchboard.production import check_production
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
    check_production(settings)  # production refuses the demo defaults, before binding a port
    uvicorn.run(
        "api.app:create_app",
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        workers=workers,
        **server_options(),
    )


def server_options() -> dict[str, Any]:
    """uvicorn's options for `serve` besides the address. Proxy headers are off: uvicorn would
    otherwise believe X-Forwarded-For from 127.0.0.1, so anything on the host could pick its
    own client address; the app believes only `SWITCHBOARD_TRUSTED_PROXIES` (api/app.py)."""
    return {"log_config": None, "timeout_graceful_shutdown": 5, "proxy_headers": False}


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

    from cli.chat import ChatError, chat_in_process, chat_with_server, console_reader

    settings = _settings()
    try:
        if url:
            asyncio.run(chat_with_server(url, msisdn, console_reader))
        else:
            asyncio.run(chat_in_process(settings, msisdn, console_reader))
    except ChatError as exc:
        typer.echo(f"switchboard chat: {exc}", err=True)
        raise typer.Exit(2) from None


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


@app.command()
def worker() -> None:
    """Run a notice and outbox worker apart from the server (several may run at once); stop it
    with SIGTERM. Set SWITCHBOARD_NOTICE_WORKER=false on the servers to leave notices to it."""
    import asyncio

    from cli.notify import run_worker

    asyncio.run(run_worker(_settings()))


def _mount_notify() -> None:
    from cli.notify import app as notify_app

    app.add_typer(notify_app, name="notify")


def _mount_bss() -> None:
    from bss.cli import app as bss_app

    app.add_typer(bss_app, name="bss")


def _mount_knowledge() -> None:
    from knowledge.cli import ingest, search

    app.command("ingest")(ingest)
    app.command("search")(search)


def _mount_eval() -> None:
    from evals.cli import app as eval_app
    from knowledge.cli import eval_retrieval

    eval_app.command("retrieval")(eval_retrieval)
    app.add_typer(eval_app, name="eval")


def _mount_audit() -> None:
    from tools.cli import mount as mount_audit

    mount_audit(app)


def _mount_gaps() -> None:
    from api.gaps_cli import mount as mount_gaps

    mount_gaps(app)


def _mount_agents() -> None:
    from api.desk.cli import mount as mount_agents

    mount_agents(app)


def _mount_playbooks() -> None:
    from cli.playbooks import mount as mount_playbooks

    mount_playbooks(app)


# The parts' own commands, imported only when called: each pulls in its part (the BSS app, Chroma,
# the eval runner), which costs seconds that `serve`, `db` and `chat` should not pay.
_PARTS = {
    "bss": _mount_bss,
    "ingest": _mount_knowledge,
    "search": _mount_knowledge,
    "eval": _mount_eval,
    "audit": _mount_audit,
    "gaps": _mount_gaps,
    "agents": _mount_agents,
    "notify": _mount_notify,
    "playbooks": _mount_playbooks,
}


def mount_parts(argv: list[str]) -> None:
    """Mount the part a command line names, or every part when it names none (help, mistakes)."""
    command = next((arg for arg in argv if not arg.startswith("-")), None)
    if command in _PARTS:
        _PARTS[command]()
    elif command not in {"serve", "chat", "db", "worker"}:
        for mount in dict.fromkeys(_PARTS.values()):
            mount()


def main() -> None:
    """Console entry point: configuration mistakes end in one actionable line and exit code 2."""
    try:
        mount_parts(sys.argv[1:])
        app()
    except ConfigError as exc:
        sys.stderr.write(f"switchboard: configuration error: {exc}\n")
        raise SystemExit(2) from None
