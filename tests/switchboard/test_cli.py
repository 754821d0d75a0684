"""The `switchboard` command line mounts each part's commands only when they are called."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

PROBE = """
import sys
from cli.main import app, mount_parts
mount_parts(sys.argv[1:])
from typer.main import get_command
names = sorted(get_command(app).commands)
heavy = sorted(m for m in ("bss.app", "chromadb", "evals.runner") if m in sys.modules)
print(",".join(names) + "|" + ",".join(heavy))
"""


def _probe(*argv: str) -> tuple[list[str], list[str]]:
    result = subprocess.run(
        [sys.executable, "-c", PROBE, *argv],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    names, heavy = result.stdout.strip().split("|")
    return names.split(","), [m for m in heavy.split(",") if m]


def test_core_commands_import_no_part() -> None:
    names, heavy = _probe("db", "upgrade")
    assert {"serve", "chat", "db"} <= set(names)
    assert "bss" not in names
    assert heavy == []


def test_a_part_command_mounts_its_part_only() -> None:
    names, heavy = _probe("bss", "--help")
    assert "bss" in names
    assert "eval" not in names
    assert "evals.runner" not in heavy


def test_help_lists_every_command(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-c", "from cli.main import main; main()", "--help"],
        env={**os.environ, "SWITCHBOARD_DATA_DIR": str(tmp_path), "COLUMNS": "200"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    for command in (
        "serve",
        "chat",
        "db",
        "bss",
        "ingest",
        "search",
        "eval",
        "audit",
        "worker",
        "notify",
    ):
        assert f" {command} " in result.stdout, command


def _switchboard(tmp_path: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "from cli.main import main; main()", *argv],
        env={**os.environ, "SWITCHBOARD_DATA_DIR": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        stdin=subprocess.DEVNULL,
    )


def test_chat_mistakes_are_one_line_with_the_fix(tmp_path: Path) -> None:
    for argv, expected in [
        (("--as", "12", "--url", "http://127.0.0.1:9"), "not a phone number"),
        (("--as", "07700900001", "--url", "http://127.0.0.1:9"), "cannot reach"),
        (("--url", "127.0.0.1:8000"), "not an http(s) URL"),
    ]:
        result = _switchboard(tmp_path, "chat", *argv)
        assert result.returncode == 2, (argv, result.stderr)
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and expected in lines[0], (argv, result.stderr)
        assert lines[0].startswith("switchboard chat: ")


def test_ingest_of_a_missing_folder_exits_2_without_a_traceback(tmp_path: Path) -> None:
    result = _switchboard(tmp_path, "ingest", str(tmp_path / "no-such-folder"))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "no such file or folder" in result.stderr
