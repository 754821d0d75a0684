"""`switchboard ingest`, `switchboard search` and `switchboard eval retrieval`.

`app` holds `ingest` and `search`; `eval_retrieval` is a plain command function the lead mounts
under `eval` (it is also on `eval_app` as `retrieval`).
"""

from __future__ import annotations

import asyncio
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from knowledge.ingest import IngestReport
from switchboard.settings import Settings, get_settings


class Segment(StrEnum):
    prepaid = "prepaid"
    postpaid = "postpaid"
    business = "business"


app = typer.Typer(help="The knowledge base: ingest articles, search them.", no_args_is_help=True)
eval_app = typer.Typer(help="Offline evaluations.", no_args_is_help=True)
console = Console()


def _settings() -> Settings:
    return get_settings()


@app.command()
def ingest(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Article files or folders to add or update (default: SWITCHBOARD_KNOWLEDGE_DIR "
            "or the demo knowledge base); other articles in the index are left alone"
        ),
    ] = None,
    prune: Annotated[
        bool,
        typer.Option(
            "--prune",
            help="Also remove indexed articles that are not among PATHS (printed first)",
        ),
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would change; write nothing")
    ] = False,
    rebuild: Annotated[
        bool, typer.Option("--rebuild", help="Drop the index and embed all")
    ] = False,
    write_vector_cache: Annotated[
        bool,
        typer.Option(
            "--write-vector-cache",
            hidden=True,
            help="Then save the articles' vectors as the shipped cache (maintainers)",
        ),
    ] = False,
) -> None:
    """Index articles incrementally: only new or changed passages are embedded."""
    from knowledge.factory import KnowledgeSourceError
    from knowledge.factory import ingest as run_ingest
    from knowledge.factory import write_vector_cache as write_cache

    settings = _settings()
    try:
        if prune and not dry_run:  # say what will go before it goes
            plan = asyncio.run(run_ingest(settings, paths=paths or None, prune=True, dry_run=True))
            for doc_id in plan.removed:
                console.print(f"[red]removing[/] {doc_id}", highlight=False)
        report = _run_ingest(
            settings, paths=paths or None, rebuild=rebuild, prune=prune, dry_run=dry_run
        )
    except KnowledgeSourceError as exc:
        typer.echo(f"switchboard ingest: {exc}", err=True)
        raise typer.Exit(2) from None
    _print_report(report, dry_run=dry_run)
    if write_vector_cache and not dry_run:
        rows = asyncio.run(write_cache(settings))
        console.print(f"wrote {rows} vectors to the shipped cache")
    if report.problems:
        raise typer.Exit(1)


def _run_ingest(
    settings: Settings, *, paths: list[Path] | None, rebuild: bool, prune: bool, dry_run: bool
) -> IngestReport:
    """A dry run (nothing embedded, so no progress to show), or the ingest behind a bar."""
    from knowledge.factory import ingest as run_ingest

    if dry_run:
        return asyncio.run(
            run_ingest(settings, paths=paths, rebuild=rebuild, prune=prune, dry_run=True)
        )
    with Progress(
        TextColumn("[bold]embedding"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as bar:
        task = bar.add_task("embed", total=None)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        return asyncio.run(
            run_ingest(settings, paths=paths, rebuild=rebuild, prune=prune, progress=progress)
        )


def _print_report(report: IngestReport, *, dry_run: bool) -> None:
    for problem in report.problems:
        console.print(f"[yellow]skipped[/] {problem}", highlight=False)
    table = Table(
        "added",
        "updated",
        "removed",
        "unchanged",
        "chunks embedded",
        "chunks deleted",
        "chunks",
        "seconds",
    )
    table.add_row(
        *(str(len(x)) for x in (report.added, report.updated, report.removed, report.unchanged)),
        str(report.chunks_embedded),
        str(report.chunks_deleted),
        str(report.chunks_total),
        f"{report.seconds:.2f}",
    )
    console.print(table)
    if dry_run:
        for doc_id in report.removed:
            console.print(f"would remove {doc_id}", highlight=False)
        console.print("dry run: nothing was written")
    if report.stale:
        console.print(
            f"{len(report.stale)} indexed article(s) are not among these paths and were kept; "
            "`--prune` removes them",
            highlight=False,
        )


@app.command()
def search(
    query: Annotated[str, typer.Argument(help="What a customer might ask")],
    k: Annotated[int, typer.Option("-k", min=1, max=50, help="How many passages")] = 5,
    customer_type: Annotated[
        Segment | None, typer.Option(help="Only articles for this customer type")
    ] = None,
    locale: Annotated[str, typer.Option(help="Locale of the articles")] = "en",
) -> None:
    """Print the ranked passages for QUERY."""
    from knowledge.factory import build_retriever
    from knowledge.offline import seed_tiktoken_cache

    settings = _settings()
    seed_tiktoken_cache(settings.data_dir / "tiktoken")
    result = asyncio.run(
        build_retriever(settings).search_result(
            query, k=k, customer_type=customer_type.value if customer_type else None, locale=locale
        )
    )
    if not result.passages:
        console.print("no passages (is the knowledge base ingested? try `switchboard ingest`)")
        raise typer.Exit(1)
    s = result.signals
    console.print(
        f"[dim]top cosine {s.top_dense:.3f}  top bm25 {s.top_bm25:.2f}  "
        f"coverage {s.top_coverage:.2f}  margin {s.margin:.3f}"
        + (f"  corrected: {s.corrected_query!r}" if s.corrected_query else "")
        + "[/]"
    )
    for rank, p in enumerate(result.passages, 1):
        section = f" › {p.section}" if p.section else ""
        console.print(
            f"\n[bold]{rank}. {p.title}{section}[/]  [cyan]{p.score:.3f}[/]  "
            f"[dim]{p.doc_id}  {p.url}[/]",
            highlight=False,
        )
        console.print(p.text if len(p.text) < 600 else p.text[:600] + "…", highlight=False)


@eval_app.command("retrieval")
def eval_retrieval(
    questions: Annotated[
        Path | None,
        typer.Option(help="Labelled questions (default: knowledge/data/retrieval_eval.yaml)"),
    ] = None,
    k: Annotated[int, typer.Option("-k", min=1, help="Depth of the ranking")] = 5,
    show_misses: Annotated[bool, typer.Option(help="List questions hybrid missed at 5")] = False,
) -> None:
    """Recall@1, recall@5 and MRR for dense-only, BM25-only and hybrid, side by side."""
    from knowledge.evaluation import default_questions_path, evaluate_retrieval, load_questions
    from knowledge.factory import build_retriever
    from knowledge.offline import seed_tiktoken_cache

    settings = _settings()
    seed_tiktoken_cache(settings.data_dir / "tiktoken")
    labelled = load_questions(questions or default_questions_path())
    report = asyncio.run(evaluate_retrieval(build_retriever(settings), labelled, k=k))
    table = Table("method", "recall@1", "recall@5", "MRR", "questions")
    for row in report.rows:
        table.add_row(
            row.mode,
            f"{row.recall_at_1:.3f}",
            f"{row.recall_at_5:.3f}",
            f"{row.mrr:.3f}",
            str(row.questions),
        )
    console.print(table)
    if show_misses:
        for miss in report.misses:
            console.print(
                f"[yellow]miss[/] {miss.question!r} expected {miss.expected} got {miss.got}",
                highlight=False,
            )
