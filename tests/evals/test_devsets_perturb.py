"""The dev-set scorer (evals/devsets.py) and the robustness suite's perturbations (issue 15)."""

from __future__ import annotations

import random

from evals.devsets import dialogue_failures
from evals.perturb import PERTURBATIONS, load, perturb, perturbed_case
from evals.result import TurnRecord
from evals.suite import Case, Turn


def _turn(**kw: object) -> TurnRecord:
    return TurnRecord(index=0, user="x", **kw)  # type: ignore[arg-type]


def test_a_dialogue_passes_only_when_every_expectation_holds() -> None:
    quoted = _turn(proposed=[{"tool": "top_up", "amount": 10.0}], outcome="proposed")
    done = _turn(executed=[{"status": "ok"}], outcome="acted", capability="top_up")
    expect = {"proposed_tool": "top_up", "proposed_amount": 10, "executed_count": 1,
              "last_outcome_in": ["acted"], "last_capability_in": ["top_up"]}  # fmt: skip
    assert dialogue_failures(expect, [quoted, done]) == []
    cancelled = _turn(executed=[{"status": "cancelled"}], outcome="answered")
    assert dialogue_failures(expect, [quoted, cancelled]) == [
        "executed_count",
        "last_outcome_in",
        "last_capability_in",
    ]
    assert dialogue_failures({"no_executed": True, "proposed_amount": 15}, [quoted, done]) == [
        "no_executed",
        "proposed_amount",
    ]


def test_perturbations_change_the_text_but_not_its_numbers() -> None:
    text = "please top up £20 on 07700 900123 today"
    for kind in PERTURBATIONS:
        out = perturb(text, kind, random.Random(kind))
        assert "£20" in out and "07700" in out and "900123" in out, (kind, out)
        if kind not in {"no_punctuation"}:
            assert out != text, kind
    assert perturb("yes", "typo", random.Random(1)) == "yes"  # a short reply keeps its wording


def test_the_robustness_suite_is_every_own_case_perturbed_deterministically() -> None:
    case = Case(id="c1", turns=[Turn(user="how much data have I got left"), Turn(user="yes")])
    one, two = perturbed_case(case), perturbed_case(case)
    assert one == two and one.id.startswith("c1.") and one.turns[1].user == "yes"
    suite = load()
    assert len(suite.cases) > 300 and len({c.id for c in suite.cases}) == len(suite.cases)
