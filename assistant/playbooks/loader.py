"""Loading playbooks: YAML files → checked `Playbook`s, and every problem as `file:line: reason`.

A bad file (YAML error, unknown key, unknown tool or slot type, a write tool called without a
quote, an unreachable step, a journey with no exit) is refused on its own; the others load.
Line numbers come from the YAML parse (the composed nodes' marks), so a reason points at the
step or the field that is wrong."""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from assistant.playbooks.checks import problems_of
from assistant.playbooks.format import Playbook
from assistant.playbooks.triggers import Triggers

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Problem:
    path: Path
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.reason}"


@dataclass
class Library:
    """The playbooks that loaded, by name, and the files that were refused."""

    playbooks: dict[str, Playbook] = field(default_factory=dict)
    sources: dict[str, Path] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    _triggers: Triggers | None = field(default=None, repr=False)

    def get(self, name: str | None) -> Playbook | None:
        return self.playbooks.get(name or "")

    def match(self, text: str) -> str | None:
        """The playbook this message starts, if any (assistant/playbooks/triggers.py)."""
        if self._triggers is None:
            self._triggers = Triggers(self.playbooks)
        return self._triggers.match(text)


def shipped_dir() -> Path:
    return Path(str(resources.files("assistant.playbooks") / "data"))


def _line_of(node: yaml.Node | None, loc: Sequence[int | str]) -> int:
    """The 1-based line of the node at `loc` (a pydantic error location), or of the deepest
    node on the way that exists."""
    line = node.start_mark.line + 1 if node is not None else 1
    for key in loc:
        if isinstance(node, yaml.MappingNode):
            found = next((v for k, v in node.value if k.value == key), None)
            if found is None:
                # a discriminated union adds the tag ("ask") to the location: skip it
                continue
            node = found
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int):
            if key >= len(node.value):
                break
            node = node.value[key]
        else:
            continue
        line = node.start_mark.line + 1
    return line


def load_file(path: Path) -> tuple[Playbook | None, list[Problem]]:
    """One playbook file, or its problems. Parsed once per version of the file: every runtime
    (an eval runs one per case) reads the same folders."""
    try:
        stat = path.stat()
    except OSError as exc:
        return None, [Problem(path, 1, f"cannot be read: {exc}")]
    return _load_version(path, stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=256)
def _load_version(path: Path, mtime_ns: int, size: int) -> tuple[Playbook | None, list[Problem]]:
    try:
        text = path.read_text(encoding="utf-8")
        root = yaml.compose(text)
        data: Any = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        return None, [Problem(path, line, f"not valid YAML: {exc.problem or exc}")]
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        return None, [Problem(path, 1, f"cannot be read: {exc}")]
    if not isinstance(data, dict):
        return None, [Problem(path, 1, "a playbook is a YAML mapping (name, trigger, steps)")]
    try:
        playbook = Playbook.model_validate(data)
    except ValidationError as exc:
        return None, [
            Problem(
                path,
                _line_of(root, e["loc"]),
                f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}",
            )
            for e in exc.errors()
        ]
    found = [Problem(path, _line_of(root, loc), reason) for loc, reason in problems_of(playbook)]
    return (None if found else playbook), found


def load_library(directories: Iterable[Path | None]) -> Library:
    """Every `*.yaml` / `*.yml` of `directories` in order; a later folder's playbook replaces
    an earlier one of the same name (an operator's folder after the shipped one)."""
    library = Library()
    for directory in directories:
        if directory is None:
            continue
        if not directory.is_dir():
            library.problems.append(Problem(directory, 0, "no such folder"))
            continue
        for path in sorted([*directory.glob("*.yaml"), *directory.glob("*.yml")]):
            playbook, problems = load_file(path)
            library.problems.extend(problems)
            if playbook is not None:
                library.playbooks[playbook.name] = playbook
                library.sources[playbook.name] = path
    for problem in library.problems:
        log.warning("playbook refused: %s", problem)
    return library


def load_for(playbooks_dir: Path | None) -> Library:
    """The shipped playbooks, then the operator's folder (`SWITCHBOARD_PLAYBOOKS_DIR`)."""
    return load_library([shipped_dir(), playbooks_dir])
