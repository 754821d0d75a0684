"""Run reports: JSON (the record), Markdown (for a PR) and self-contained HTML (with charts)."""

from __future__ import annotations

from pathlib import Path

from evals.report import html, markdown
from evals.result import RunResult


def write_reports(run: RunResult, directory: Path) -> dict[str, Path]:
    """Write run.json, report.md and report.html into `directory`; returns their paths."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = {
        "json": directory / "run.json",
        "markdown": directory / "report.md",
        "html": directory / "report.html",
    }
    paths["json"].write_text(run.model_dump_json(indent=1), encoding="utf-8")
    paths["markdown"].write_text(markdown.render(run), encoding="utf-8")
    paths["html"].write_text(html.render(run), encoding="utf-8")
    return paths


def read_run(path: Path) -> RunResult:
    """A run from its directory or its run.json."""
    file = path / "run.json" if path.is_dir() else path
    return RunResult.model_validate_json(file.read_text(encoding="utf-8"))


__all__ = ["read_run", "write_reports"]
