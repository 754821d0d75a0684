"""`switchboard eval ...`: run suites and compare runs. The lead mounts `app` under the main CLI;
other commands (e.g. `retrieval`) are added to the same `app`."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from evals import compare as comparing
from evals import metrics
from evals.benchmarks import DEFAULT_EXTERNAL_DIR
from evals.report import read_run, write_reports
from evals.report.markdown import headline
from evals.result import CaseResult, RunResult
from evals.runner import run_cases
from evals.selection import select
from evals.suite import Case, Suite
from evals.thresholds import THRESHOLDS_FILE, violations
from evals.thresholds import load as load_thresholds

app = typer.Typer(help="Offline eval suites: run them, compare runs.", no_args_is_help=True)
console = Console(stderr=True)
EXIT_GATE_FAILED = 1
EXIT_SUITE_REJECTED = 3
JOURNAL = "cases.jsonl"  # one CaseResult per line, written as each case finishes
PLAIN_PROGRESS_EVERY = 100  # without a terminal: a progress line every this many cases


def git_commit() -> str | None:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True
        )
    except (OSError, subprocess.CalledProcessError):
        return None
    return out.stdout.strip() or None


def uncommitted_files() -> list[str]:
    """Tracked files that differ from HEAD (what a run's commit id does not account for)."""
    try:
        out = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            check=True,
        )
    except (OSError, subprocess.CalledProcessError):
        return []
    return sorted(line[3:] for line in out.stdout.splitlines() if line[3:])


@app.command()
def run(
    suites: Annotated[
        list[str] | None,
        typer.Argument(help="Suite files, suite names or benchmark names (default: all)"),
    ] = None,
    model: Annotated[str, typer.Option(help="local or openai:<model>")] = "local",
    jobs: Annotated[int, typer.Option(min=1, help="Cases run at the same time")] = 2,
    out: Annotated[Path | None, typer.Option(help="Report directory")] = None,
    tag: Annotated[list[str] | None, typer.Option(help="Only cases with this tag")] = None,
    external: Annotated[Path, typer.Option(help="Public benchmark data")] = DEFAULT_EXTERNAL_DIR,
    benchmark_limit: Annotated[
        int | None, typer.Option(help="At most this many cases per public benchmark")
    ] = None,
    gate: Annotated[bool, typer.Option(help="Fail when below evals/thresholds.yaml")] = False,
) -> None:
    """Run eval suites and write run.json, report.md and report.html."""
    chosen = select(
        suites or [], external_dir=external, benchmark_limit=benchmark_limit, tags=tag or []
    )
    for problem in chosen.problems:
        console.print(f"[red]rejected[/red] {problem}")
    if not chosen.suites:  # nothing left to run must not look like a run with n/a metrics
        typer.echo("switchboard eval run: no suite to run; nothing was written", err=True)
        raise typer.Exit(2)
    for name, reason in chosen.skipped.items():
        console.print(f"[yellow]skipped[/yellow] {name}: {reason}")
    run_id = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    directory = out or Path("var") / "evals" / run_id
    directory.mkdir(parents=True, exist_ok=True)
    result = execute(
        chosen.cases(), model=model, jobs=jobs, run_id=run_id, journal=directory / JOURNAL
    )
    result.suites = [s.name for s in chosen.suites]
    result.problems = [str(p) for p in chosen.problems]
    result.skipped_suites = chosen.skipped
    paths = write_reports(result, directory)
    for label, value in headline(result.metrics):
        console.print(f"  {label}: [bold]{value}[/bold]")
    console.print(f"Reports: {paths['html']} {paths['markdown']} {paths['json']}")
    if gate:
        # The thresholds are about our own suites; public benchmarks are reported, not gated.
        failed = violations(load_thresholds(THRESHOLDS_FILE), metrics.own_suites(result.metrics))
        for reason in failed:
            console.print(f"[red]gate[/red] {reason}")
        if failed:
            raise typer.Exit(EXIT_GATE_FAILED)
    if chosen.problems:
        raise typer.Exit(EXIT_SUITE_REJECTED)


def execute(
    cases: list[tuple[Suite, Case]],
    *,
    model: str,
    jobs: int,
    run_id: str,
    settings: dict[str, Any] | None = None,
    show_progress: bool = True,
    journal: Path | None = None,
) -> RunResult:
    """Run `cases` (in-process with one job, else on `jobs` worker processes) into a RunResult.
    With `journal`, every case's result is appended to that file as it finishes (in finishing
    order), so a long run that is stopped still leaves what it measured."""
    started = datetime.now(UTC)
    commit, dirty = git_commit(), uncommitted_files()
    plain = show_progress and not sys.stderr.isatty()
    log = journal.open("w", encoding="utf-8") if journal is not None else None
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("[green]{task.fields[passed]} passed"),
        TimeElapsedColumn(),
        console=console,
        transient=not sys.stderr.isatty(),
        disable=not show_progress,
    ) as bar:
        task = bar.add_task("cases", total=len(cases), passed=0)
        passed = done = 0

        def advance(case: CaseResult) -> None:
            nonlocal passed, done
            passed += case.passed
            done += 1
            bar.update(task, advance=1, passed=passed, description=case.case_id[:40])
            if log is not None:
                log.write(case.model_dump_json() + "\n")
                log.flush()
            if plain and (done % PLAIN_PROGRESS_EVERY == 0 or done == len(cases)):
                elapsed = (datetime.now(UTC) - started).total_seconds()
                console.print(f"{done}/{len(cases)} cases, {passed} passed, {elapsed:.0f} s")

        if jobs > 1 and len(cases) > 1:
            from evals.pool import run_in_processes

            results = run_in_processes(
                cases, model=model, jobs=jobs, settings=settings, progress=advance
            )
        else:
            results = asyncio.run(
                _in_process(cases, model=model, settings=settings, progress=advance)
            )
    if log is not None:
        log.close()
    return RunResult(
        run_id=run_id,
        started_at=started,
        model=model,
        git_commit=commit,
        uncommitted=dirty,
        duration_s=(datetime.now(UTC) - started).total_seconds(),
        cases=results,
        metrics=metrics.compute(results, model=model),
    )


async def _in_process(
    cases: list[tuple[Suite, Case]],
    *,
    model: str,
    settings: dict[str, Any] | None,
    progress: Callable[[CaseResult], None],
) -> list[CaseResult]:
    from evals.driver import annotate_grounding, make_driver, make_judge, make_simulator

    async with make_driver(model, **(settings or {})) as driver:
        results = await run_cases(
            cases,
            driver,
            progress=progress,
            simulator=make_simulator(model),
            judge=make_judge(model),
        )
        for result in results:
            for turn in result.turns:
                annotate_grounding(turn, driver.shared.texts)
    return results


@app.command()
def report(
    run_dir: Annotated[Path, typer.Argument(help="A run directory (or its run.json)")],
    out: Annotated[Path | None, typer.Option(help="Write here instead of next to run.json")] = None,
    model: Annotated[str, typer.Option(help="The model of a partial run (journal only)")] = "local",
) -> None:
    """Recompute a run's metrics from its cases and write its reports again (e.g. after a
    change to the metrics or the report; the transcripts are not re-run). A directory with only
    a journal (cases.jsonl, a stopped run) gets the reports of the cases that finished."""
    journal = run_dir / JOURNAL
    if run_dir.is_dir() and not (run_dir / "run.json").exists() and journal.exists():
        # a run that was stopped: its journal holds every case that finished
        cases = [
            CaseResult.model_validate_json(line)
            for line in journal.read_text(encoding="utf-8").splitlines()
            if line.strip()
        ]
        run_result = RunResult(
            run_id=f"{run_dir.name} (partial: {len(cases)} cases from {JOURNAL})",
            started_at=datetime.fromtimestamp(journal.stat().st_mtime, UTC),
            model=model,
            git_commit=git_commit(),
            cases=cases,
        )
    else:
        run_result = read_run(run_dir)
    run_result.metrics = metrics.compute(run_result.cases, model=run_result.model)
    directory = out or (run_dir if run_dir.is_dir() else run_dir.parent)
    paths = write_reports(run_result, directory)
    for label, value in headline(run_result.metrics):
        console.print(f"  {label}: [bold]{value}[/bold]")
    console.print(f"Reports: {paths['html']} {paths['markdown']} {paths['json']}")


@app.command()
def compare(
    run_a: Annotated[Path, typer.Argument(help="The earlier run (directory or run.json)")],
    run_b: Annotated[Path, typer.Argument(help="The later run (directory or run.json)")],
    fail_on_regression: Annotated[bool, typer.Option(help="Exit 1 when a case regressed")] = False,
) -> None:
    """List the cases that regressed or improved from RUN_A to RUN_B, and the metric changes."""
    before, after = read_run(run_a), read_run(run_b)
    result = comparing.compare(before, after)
    typer.echo(comparing.render(result, before=before.run_id, after=after.run_id))
    if fail_on_regression and result.regressions:
        raise typer.Exit(EXIT_GATE_FAILED)
