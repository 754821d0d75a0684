"""`switchboard gaps export` (api/gaps_cli.py): draft article stubs the knowledge loader reads and
eval suites the eval loader accepts, from the real database; bad input ends in one line, exit 2."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import typer
import yaml
from sqlalchemy.ext.asyncio import async_sessionmaker
from typer.testing import CliRunner

from api.gaps_cli import mount
from evals.loader import load_suite_file
from evals.suite import Suite
from knowledge.loader import load_articles
from switchboard import clock
from tests.api.test_gaps import turn


async def _run(argv: list[str]) -> Any:
    # The command runs its own event loop, so it goes to a worker thread.
    main = typer.Typer()
    main.command("version")(lambda: None)
    mount(main)
    return await asyncio.to_thread(CliRunner().invoke, main, argv)


async def test_export_writes_a_draft_article_and_eval_cases_per_topic(
    sessionmaker: async_sessionmaker[Any], tmp_path: Path
) -> None:
    at = clock.now() - timedelta(days=1)
    for text in ("how do i reset my voicemail pin", "forgot my voicemail pin", "wifi calling?"):
        await turn(sessionmaker, text, capability="call_features", confidence=0.1, at=at)
    out = tmp_path / "gaps"
    result = await _run(["gaps", "export", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "2 topics from 3 gap questions: 4 files" in result.output

    articles = sorted((out / "articles").iterdir())
    assert articles[0].name.startswith("draft-01-")
    loaded = load_articles([out / "articles"])
    assert loaded.problems == []
    assert {d.capability for d in loaded.documents} == {"call_features"}
    text = articles[0].read_text(encoding="utf-8")
    front = yaml.safe_load(text.split("---")[1])
    assert front["draft"] is True and front["title"].startswith("DRAFT: ")
    assert "DRAFT — not reviewed" in text and "forgot my voicemail pin" in text
    assert all(d.title.startswith("DRAFT: ") for d in loaded.documents)

    suites = sorted((out / "evals").iterdir())
    parsed = [load_suite_file(p) for p in suites]
    assert all(isinstance(s, Suite) for s in parsed), parsed
    voicemail = next(s for s in parsed if isinstance(s, Suite) and len(s.cases) == 2)
    asked = {c.turns[0].user for c in voicemail.cases}
    assert asked == {"how do i reset my voicemail pin", "forgot my voicemail pin"}
    expect = voicemail.cases[0].turns[0].expect
    assert expect.outcome == ["answered"] and expect.capability == ["call_features"]
    assert expect.citations == [front["id"]]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--since", "yesterday"], "--since 'yesterday' is not a date (YYYY-MM-DD)"),
        (["--since", "2026-11-05", "--until", "2026-11-01"], "--since must be before --until"),
        (["--top", "0"], "--top must be at least 1, got 0"),
    ],
)
async def test_bad_input_is_one_line_and_exit_2(
    argv: list[str], message: str, tmp_path: Path
) -> None:
    result = await _run(["gaps", "export", "--out", str(tmp_path / "x"), *argv])
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [f"switchboard gaps export: {message}"]


async def test_out_must_be_a_folder(tmp_path: Path) -> None:
    target = tmp_path / "file.txt"
    target.write_text("x")
    result = await _run(["gaps", "export", "--out", str(target)])
    assert result.exit_code == 2
    assert (
        result.output.strip() == f"switchboard gaps export: --out {target} is a file, not a folder"
    )
