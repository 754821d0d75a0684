"""The eval gate's knowledge part: the own knowledge-question suite's holdout split
(evals/knowledge), each question asked anonymously and by one signed-in customer on the local
engine through the real turn loop, must meet the `knowledge` block of evals/thresholds.yaml.
260 turns: ~45 s of CPU on the 2-core machine (76 s wall while three others shared it)."""

from __future__ import annotations

from typing import Any

import pytest

from evals.knowledge import measure
from evals.thresholds import load, violations

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]
GATE = load().knowledge


@pytest.fixture(scope="module")
def holdout() -> dict[str, Any]:
    assert GATE is not None and GATE.minimum and GATE.maximum, "thresholds.yaml: knowledge block"
    return measure("holdout", gate=True)["splits"]


def test_the_holdout_questions_meet_the_knowledge_thresholds(holdout: dict[str, Any]) -> None:
    assert GATE is not None
    assert holdout["holdout"]["turns"] >= 2 * 120
    assert holdout["holdout"]["errors"] == 0
    assert violations(GATE, holdout) == [], holdout["holdout"]


@pytest.mark.xfail(
    strict=True,
    reason="issue 15 part 1: some how-to questions still get a quote (2 on the gate's holdout "
    "set on 2026-12-07 evening, 3 when written). When this passes, remove the mark and set the "
    "maxima in thresholds.yaml to 0.",
)
def test_no_how_to_question_gets_a_write_quote(holdout: dict[str, Any]) -> None:
    assert holdout["holdout"]["write_quotes"] == 0
