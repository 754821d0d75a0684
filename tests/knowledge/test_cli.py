"""`switchboard ingest` refuses what is not there in one line and never empties the index."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from knowledge.cli import app


def test_a_missing_folder_is_one_line_and_exit_2(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["ingest", str(tmp_path / "no-such-folder")])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "no such file or folder" in lines[0], result.output
    assert "nothing was ingested or removed" in lines[0] and "Traceback" not in result.output


def test_pruning_an_empty_folder_is_refused(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    result = CliRunner().invoke(app, ["ingest", "--prune", str(tmp_path / "empty")])
    assert result.exit_code == 2 and "holds no article" in result.output


def test_a_mistyped_knowledge_dir_names_the_setting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SWITCHBOARD_KNOWLEDGE_DIR", str(tmp_path / "artcles"))
    result = CliRunner().invoke(app, ["ingest"])
    assert result.exit_code != 0
    assert "SWITCHBOARD_KNOWLEDGE_DIR" in str(result.exception or result.output)
