"""The CI gate: the project's own suites on the local engine must meet evals/thresholds.yaml,
and a deliberately broken engine (an exemplar file removed, in a temporary copy) must not."""

from __future__ import annotations

import shutil
from importlib import resources
from pathlib import Path

import pytest

from evals.benchmarks import sample
from evals.cli import execute
from evals.report import write_reports
from evals.result import RunResult
from evals.selection import own_suite_names, select
from evals.suite import Case, Suite
from evals.thresholds import load, violations

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1500)]
GATE = load()
JOBS = 2


def gate_cases(names: list[str] | None = None) -> list[tuple[Suite, Case]]:
    chosen = select(names or GATE.suites or own_suite_names())
    assert chosen.problems == [], [str(p) for p in chosen.problems]
    cases = chosen.cases()
    return sample(cases, GATE.sample) if names is None else cases


def run_gate(cases: list[tuple[Suite, Case]], **settings: object) -> RunResult:
    return execute(
        cases, model="local", jobs=JOBS, run_id="gate", settings=dict(settings), show_progress=False
    )


def test_core_suites_meet_the_thresholds(tmp_path: Path) -> None:
    run = run_gate(gate_cases())
    paths = write_reports(run, Path.cwd() / "gate-report")  # kept in the test's folder on failure
    failed = violations(GATE, run.metrics)
    assert failed == [], f"{failed}; see {paths['markdown']}"
    assert run.metrics["money_safety_violations"] == 0


def test_an_engine_missing_an_exemplar_file_fails_the_gate(tmp_path: Path) -> None:
    packaged = Path(str(resources.files("knowledge") / "data" / "exemplars"))
    if not packaged.is_dir():
        pytest.skip("the local engine's exemplars are not installed")
    broken = tmp_path / "exemplars"
    shutil.copytree(packaged, broken)
    removed = [p for p in broken.rglob("*") if p.is_file() and p.stem == "top_up"]
    assert removed, "expected an exemplar file for the top_up capability"
    for path in removed:
        path.unlink()
    run = run_gate(sample(gate_cases(["top_up"]), 15), exemplars_dir=broken)
    assert violations(GATE, run.metrics) != []
