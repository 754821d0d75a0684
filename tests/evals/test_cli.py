"""`switchboard eval run` end to end on the local engine: a malformed suite file is rejected with
its file, case and reason while the other suites still run, and the command exits 3."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from evals.cli import EXIT_SUITE_REJECTED, app
from evals.report import read_run

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]

GOOD = """
name: good
cases:
  - id: good-hello
    turns:
      - user: hi there
        expect: {capability: greeting, no_tools: [any_write]}
"""
BAD = """
name: bad
cases:
  - id: bad-weather
    turns:
      - user: what's the weather
        expect: {capability: weather}
"""


def test_a_malformed_suite_is_rejected_and_the_others_still_run(tmp_path: Path) -> None:
    good, bad = tmp_path / "good.yaml", tmp_path / "bad.yaml"
    good.write_text(GOOD)
    bad.write_text(BAD)
    out = tmp_path / "run"
    result = CliRunner().invoke(app, ["run", str(bad), str(good), "--jobs", "1", "--out", str(out)])
    assert result.exit_code == EXIT_SUITE_REJECTED, result.output
    printed = "".join(result.output.split())  # the console wraps long lines
    assert str(bad) in printed
    assert "'bad-weather'" in printed and "unknowncapability" in printed
    run = read_run(out)
    assert [c.case_id for c in run.cases] == ["good-hello"]
    assert run.cases[0].error is None and run.cases[0].turns
    assert any("bad-weather" in p and "unknown capability" in p for p in run.problems)
    assert "Rejected suite files" in (out / "report.md").read_text()
    # every finished case is journalled; a stopped run's journal still gives its reports
    assert len((out / "cases.jsonl").read_text().splitlines()) == 1
    (out / "run.json").unlink()
    (out / "report.md").unlink()
    again = CliRunner().invoke(app, ["report", str(out)])
    assert again.exit_code == 0, again.output
    partial = read_run(out)
    assert "partial: 1 cases" in partial.run_id
    assert [c.case_id for c in partial.cases] == ["good-hello"]
    assert partial.metrics["cases_run"] == 1
    assert "partial" in (out / "report.md").read_text()


def test_a_run_with_no_valid_suite_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "run"
    result = CliRunner().invoke(app, ["run", "no-such-suite", "--out", str(out)])
    assert result.exit_code == 2 and "no suite to run" in result.output
    assert not out.exists()
