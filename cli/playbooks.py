"""`switchboard playbooks check [DIR] | show NAME | schema` (docs/playbooks.md)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from assistant.playbooks.diagram import mermaid
from assistant.playbooks.format import Playbook
from assistant.playbooks.loader import load_for, load_library, shipped_dir
from switchboard.settings import get_settings

app = typer.Typer(help="Guided journeys (playbooks): check, show, schema.", no_args_is_help=True)


@app.command()
def check(
    directory: Annotated[
        Path | None,
        typer.Argument(help="A folder of playbooks (default: shipped + SWITCHBOARD_PLAYBOOKS_DIR)"),
    ] = None,
) -> None:
    """Validate playbooks: every problem as file:line: reason; exit 1 if any file is refused."""
    library = (
        load_library([directory])
        if directory is not None
        else load_for(get_settings().playbooks_dir)
    )
    for name in sorted(library.playbooks):
        sys.stdout.write(f"ok      {name}  ({library.sources[name]})\n")
    for problem in library.problems:
        sys.stdout.write(f"refused {problem}\n")
    if library.problems:
        raise typer.Exit(1)


@app.command()
def show(name: Annotated[str, typer.Argument(help="The playbook's name, e.g. no_signal")]) -> None:
    """Print a playbook's steps as a Mermaid flowchart."""
    library = load_for(get_settings().playbooks_dir)
    playbook = library.get(name)
    if playbook is None:
        known = ", ".join(sorted(library.playbooks))
        sys.stderr.write(f"no playbook {name!r} (loaded: {known})\n")
        raise typer.Exit(1)
    sys.stdout.write(mermaid(playbook))


@app.command()
def schema() -> None:
    """Print the JSON Schema of the playbook format."""
    sys.stdout.write(json.dumps(Playbook.model_json_schema(), indent=2) + "\n")


def mount(root: typer.Typer) -> None:
    root.add_typer(app, name="playbooks")


__all__ = ["app", "mount", "shipped_dir"]
