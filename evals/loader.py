"""Suite files in, validated `Suite`s out. A malformed file is rejected as a whole with a
`SuiteProblem` naming the file, the case and what is wrong; the other files still load."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from evals.suite import Case, Suite

SUITES_DIR = Path(__file__).parent / "suites"


@dataclass(frozen=True)
class SuiteProblem:
    """Why a suite file (or one of its cases) was rejected."""

    source: str
    case: str | None
    message: str

    def __str__(self) -> str:
        where = f"{self.source}: case {self.case}" if self.case else self.source
        return f"{where}: {self.message}"


@dataclass
class LoadedSuites:
    suites: list[Suite] = field(default_factory=list)
    problems: list[SuiteProblem] = field(default_factory=list)

    def cases(self) -> list[tuple[Suite, Case]]:
        return [(s, c) for s in self.suites for c in s.cases]


def _describe(exc: ValidationError) -> str:
    parts = []
    for error in exc.errors():
        loc = ".".join(str(p) for p in error["loc"]) or "(root)"
        parts.append(f"{loc}: {error['msg']}")
    return "; ".join(parts)


def _case_label(raw: Any, index: int) -> str:
    if isinstance(raw, dict) and isinstance(raw.get("id"), str):
        return f"{raw['id']!r} (#{index + 1})"
    return f"#{index + 1}"


def parse_suite(data: Any, *, source: str) -> Suite | list[SuiteProblem]:
    """Validate one suite's data; returns the suite or every problem found in it."""
    if not isinstance(data, dict):
        return [
            SuiteProblem(source, None, "a suite file must be a mapping with `name` and `cases`")
        ]
    raw_cases = data.get("cases")
    if not isinstance(raw_cases, list) or not raw_cases:
        return [SuiteProblem(source, None, "`cases` must be a non-empty list")]
    problems: list[SuiteProblem] = []
    cases: list[Case] = []
    seen: set[str] = set()
    for index, raw in enumerate(raw_cases):
        label = _case_label(raw, index)
        try:
            case = Case.model_validate(raw)
        except ValidationError as exc:
            problems.append(SuiteProblem(source, label, _describe(exc)))
            continue
        if case.id in seen:
            problems.append(SuiteProblem(source, label, f"duplicate case id {case.id!r}"))
        seen.add(case.id)
        cases.append(case)
    header = {k: v for k, v in data.items() if k != "cases"}
    try:
        suite = Suite.model_validate({**header, "cases": [], "source": source})
    except ValidationError as exc:
        problems.insert(0, SuiteProblem(source, None, _describe(exc)))
    if problems:
        return problems
    return suite.model_copy(update={"cases": cases})


def load_suite_file(path: Path) -> Suite | list[SuiteProblem]:
    source = str(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        return [SuiteProblem(source, None, f"cannot read the file: {exc}")]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        return [SuiteProblem(source, None, f"invalid YAML{where}: {exc}")]
    return parse_suite(data, source=source)


def suite_files(paths: Iterable[Path]) -> list[Path]:
    """Suite files named by `paths` (files, or directories searched for *.yaml / *.yml)."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.iterdir() if p.suffix in (".yaml", ".yml")))
        else:
            found.append(path)
    return found


def load_suites(paths: Iterable[Path]) -> LoadedSuites:
    """Load every suite file; case ids must be unique across all loaded suites."""
    loaded = LoadedSuites()
    owners: dict[str, str] = {}
    for path in suite_files(paths):
        result = load_suite_file(path)
        if isinstance(result, list):
            loaded.problems.extend(result)
            continue
        clashes = [c.id for c in result.cases if c.id in owners]
        if clashes:
            loaded.problems.extend(
                SuiteProblem(result.source, c, f"case id already used in {owners[c]}")
                for c in clashes
            )
            continue
        owners.update({c.id: result.source for c in result.cases})
        loaded.suites.append(result)
    return loaded
