"""`switchboard agents add|list`: the desk's accounts from the command line (the admin API's
`PUT /v1/admin/agents/{id}` does the same for automation). The password is read from a prompt
or from standard input, never from an argument that would stay in the shell's history."""

from __future__ import annotations

import asyncio
import sys
from typing import Annotated

import typer
from pydantic import ValidationError

from api.desk.accounts import AgentIn, AgentOut, list_agents, save_agent
from switchboard.db import make_engine, make_sessionmaker
from switchboard.db.migrate import upgrade_async
from switchboard.settings import Settings, get_settings

app = typer.Typer(help="Agent desk accounts.", no_args_is_help=True)


async def _save(settings: Settings, agent_id: str, details: AgentIn) -> AgentOut:
    await upgrade_async(settings.resolved_database_url)
    engine = make_engine(settings.resolved_database_url)
    try:
        return await save_agent(make_sessionmaker(engine), agent_id, details)
    finally:
        await engine.dispose()


async def _list(settings: Settings) -> list[AgentOut]:
    engine = make_engine(settings.resolved_database_url)
    try:
        return await list_agents(make_sessionmaker(engine))
    finally:
        await engine.dispose()


@app.command("add")
def add(
    agent_id: Annotated[str, typer.Argument(help="the sign-in name, e.g. sam")],
    name: Annotated[str, typer.Option(help="the name customers see")],
    role: Annotated[str, typer.Option(help="agent or supervisor")] = "agent",
    password_stdin: Annotated[bool, typer.Option(help="read the password from stdin")] = False,
) -> None:
    """Create an agent, or replace their name, role and password."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        details = AgentIn(name=name, role=role, password=password)  # type: ignore[arg-type]
    except ValidationError as exc:
        typer.echo(f"switchboard agents add: {exc.errors()[0]['msg']}", err=True)
        raise typer.Exit(2) from None
    saved = asyncio.run(_save(get_settings(), agent_id, details))
    typer.echo(f"{saved.id} ({saved.role}) saved")


@app.command("list")
def list_command() -> None:
    for agent in asyncio.run(_list(get_settings())):
        typer.echo(
            f"{agent.id}\t{agent.role}\t{'active' if agent.active else 'inactive'}\t{agent.name}"
        )


def mount(parent: typer.Typer) -> None:
    parent.add_typer(app, name="agents")
