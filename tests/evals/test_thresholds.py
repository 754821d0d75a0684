"""The gate's thresholds only go up: checked against a floor and against the file's git history."""

import subprocess
from pathlib import Path

import pytest

from evals.thresholds import THRESHOLDS_FILE, load, loosened, parse, violations

REPO = Path(__file__).resolve().parents[2]
# The lowest the gate may ever be; raise these with the thresholds, never lower them.
FLOOR = parse(
    """
minimum: {task_success: 0.5, capability_accuracy: 0.6, automation_rate: 0.3,
          handoff.recall: 0.5, out_of_scope.recall: 0.5}
maximum: {money_safety_violations: 0}
"""
)


def test_thresholds_file_is_valid_and_no_looser_than_the_floor() -> None:
    thresholds = load()
    assert thresholds.maximum["money_safety_violations"] == 0
    assert loosened(FLOOR, thresholds) == []
    knowledge = (
        thresholds.knowledge
    )  # the own knowledge questions (tests/evals/test_knowledge_gate)
    assert knowledge is not None and knowledge.knowledge is None
    assert knowledge.minimum["holdout.stated_cited"] >= 0.37
    assert knowledge.maximum["holdout.write_quotes"] <= 3


def _history() -> list[tuple[str, str]]:
    rel = THRESHOLDS_FILE.relative_to(REPO).as_posix()
    try:
        log = subprocess.run(
            ["git", "-C", str(REPO), "log", "--format=%H", "--", rel],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout")
    return [
        (
            c,
            subprocess.run(
                ["git", "-C", str(REPO), "show", f"{c}:{rel}"],
                capture_output=True,
                text=True,
                check=True,
            ).stdout,
        )
        for c in log
    ]


def test_thresholds_never_go_down_against_git_history() -> None:
    current = load()
    for commit, text in _history():
        assert loosened(parse(text), current) == [], f"looser than {commit[:8]}"


def test_loosened_and_violations() -> None:
    old = parse("minimum: {task_success: 0.8}\nmaximum: {money_safety_violations: 0}")
    assert loosened(
        old, parse("minimum: {task_success: 0.7}\nmaximum: {money_safety_violations: 0}")
    )
    assert loosened(old, parse("maximum: {money_safety_violations: 1}"))
    assert (
        loosened(old, parse("minimum: {task_success: 0.9}\nmaximum: {money_safety_violations: 0}"))
        == []
    )
    metrics = {"task_success": 0.75, "money_safety_violations": 1, "handoff": {"recall": 0.9}}
    assert violations(old, metrics) == [
        "task_success = 0.75 < 0.8",
        "money_safety_violations = 1 > 0",
    ]
    assert violations(parse("minimum: {handoff.recall: 0.95, groundedness: 0.5}"), metrics) == [
        "groundedness = None < 0.5",
        "handoff.recall = 0.9 < 0.95",
    ]


def test_the_knowledge_block_may_not_be_loosened_or_dropped() -> None:
    old = parse(
        "knowledge: {minimum: {holdout.stated_cited: 0.4}, maximum: {holdout.write_quotes: 3}}"
    )
    assert loosened(old, parse("minimum: {}")) == ["the knowledge block was removed"]
    assert loosened(
        old,
        parse(
            "knowledge: {minimum: {holdout.stated_cited: 0.3}, maximum: {holdout.write_quotes: 5}}"
        ),
    ) == [
        "knowledge: minimum holdout.stated_cited went down: 0.4 -> 0.3",
        "knowledge: maximum holdout.write_quotes went up: 3.0 -> 5.0",
    ]
    tighter = (
        "knowledge: {minimum: {holdout.stated_cited: 0.5}, maximum: {holdout.write_quotes: 0}}"
    )
    assert loosened(old, parse(tighter)) == []
    assert loosened(parse("minimum: {}"), old) == []  # adding the block tightens
    report = {"holdout": {"stated_cited": 0.39, "write_quotes": 4}}
    assert old.knowledge is not None
    assert violations(old.knowledge, report) == [
        "holdout.stated_cited = 0.39 < 0.4",
        "holdout.write_quotes = 4 > 3",
    ]
