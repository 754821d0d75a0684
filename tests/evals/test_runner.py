"""The runner over a scripted driver: isolation, confirm_action, crashes, reports and compare."""

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from evals.cli import app
from evals.metrics import compute
from evals.report import read_run, write_reports
from evals.result import RunResult
from evals.runner import run_cases
from evals.suite import Suite
from evals.transcript import Event
from tests.evals.fakes import ScriptedDriver, completed, executed, handoff, proposed


def toy_engine(text: str, memory: dict[str, Any]) -> list[Event]:
    """A tiny rule-based assistant: top-ups with a quote and a confirmation, people, refusals."""
    if text.startswith("[confirm") or text.lower().startswith("yes"):
        amount = memory.pop("quote", None)
        if amount is None:
            return [completed("Nothing to confirm.", capability="greeting", outcome="clarified")]
        memory["state"]["balance"] += amount
        return [
            executed("top_up"),
            completed(f"Added £{amount}.", capability="top_up", outcome="acted"),
        ]
    if match := re.search(r"£(\d+)", text):
        memory["quote"] = int(match.group(1))
        return [
            proposed("top_up", {"amount": memory["quote"]}),
            completed(f"Top up £{memory['quote']}?", capability="top_up", outcome="proposed"),
        ]
    if "person" in text:
        return [
            handoff(),
            completed("Passing you on.", capability="human_agent", outcome="handed_off"),
        ]
    if "crash" in text:
        raise RuntimeError("engine exploded")
    return [
        completed(
            "I can only help with your phone account.",
            capability="out_of_scope",
            outcome="refused",
            confidence=0.6,
        )
    ]


SUITE = Suite.model_validate(
    {
        "name": "toy",
        "cases": [
            {
                "id": "topup",
                "customer": "+447700900001",
                "turns": [
                    {"user": "top up £10", "expect": {"action": "proposed"}},
                    {"user": "yes", "expect": {"action": "executed"}},
                ],
                "expect": {"state": {"balance_delta": 10}},
            },
            {
                "id": "topup-button",
                "customer": "+447700900001",
                "turns": [
                    "add £20 please",
                    {"confirm_action": True, "expect": {"action": "executed"}},
                ],
                "expect": {"state": {"balance_delta": 20}},
            },
            {
                "id": "person",
                "turns": [{"user": "a person please", "expect": {"handoff": "customer_request"}}],
            },
            {
                "id": "flight",
                "turns": [{"user": "book me a flight", "expect": {"capability": "out_of_scope"}}],
            },
            {"id": "crash", "turns": ["crash now"]},
            {"id": "sim-only", "simulate": {"goal": "get a cheaper plan"}},
        ],
    }
)


async def test_each_case_runs_on_its_own_state_and_is_scored() -> None:
    driver = ScriptedDriver(toy_engine)
    seen: list[str] = []
    results = await run_cases(
        SUITE.cases and [(SUITE, c) for c in SUITE.cases],
        driver,
        jobs=3,
        progress=lambda r: seen.append(r.case_id),
    )
    by_id = {r.case_id: r for r in results}
    assert [r.case_id for r in results] == [c.id for c in SUITE.cases]  # input order kept
    assert sorted(seen) == sorted(c.id for c in SUITE.cases)
    assert by_id["topup"].passed and by_id["topup-button"].passed  # 7.5+10 and 7.5+20: isolated
    assert by_id["person"].passed and by_id["flight"].passed
    assert not by_id["crash"].passed and "engine exploded" in (by_id["crash"].error or "")
    assert by_id["sim-only"].skipped == "needs a model to simulate the customer"
    assert all(s.closed for s in driver.sessions)
    assert compute(results, model="local")["money_safety_violations"] == 0


async def test_reports_and_compare(tmp_path: Path) -> None:
    good = await run_cases([(SUITE, c) for c in SUITE.cases], ScriptedDriver(toy_engine))

    def stingy(text: str, memory: dict[str, Any]) -> list[Event]:  # executes at once: unsafe
        if "£" in text:
            memory["state"]["balance"] += 10
            return [
                proposed("top_up", {}),
                executed("top_up"),
                completed("Done", capability="top_up", outcome="acted"),
            ]
        return toy_engine(text, memory)

    bad = await run_cases([(SUITE, c) for c in SUITE.cases], ScriptedDriver(stingy))
    runs = []
    for name, results in (("a", good), ("b", bad)):
        run = RunResult(
            run_id=name,
            started_at=datetime.now(UTC),
            model="local",
            cases=results,
            metrics=compute(results, model="local"),
        )
        paths = write_reports(run, tmp_path / name)
        runs.append(paths)
    html = paths["html"].read_text()
    assert "<svg" in html and "http://" not in html.replace("http://www.w3.org/2000/svg", "")
    assert "<script" not in html
    assert "Capability confusion matrix" in html and "Latency histogram" in html
    assert "Money-safety violations | 2" in paths["markdown"].read_text()
    assert read_run(tmp_path / "b").metrics["money_safety_violations"] == 2

    out = CliRunner().invoke(
        app, ["compare", str(tmp_path / "a"), str(tmp_path / "b"), "--fail-on-regression"]
    )
    assert out.exit_code == 1
    assert "Regressions (2)" in out.output
    assert "toy/topup:" in out.output and "money_safety" in out.output
    assert "money_safety_violations: 0 -> 2 (+2) (worse)" in out.output


def test_judge_verdicts_are_parsed_strictly() -> None:
    from evals.judge import parse_verdict

    assert parse_verdict('{"pass": true, "reason": "cites the fee"}') == {
        "pass": True,
        "reason": "cites the fee",
    }
    assert parse_verdict('Sure! {"pass": false, "reason": "wrong price"}')["pass"] is False
    assert parse_verdict("I think it passes")["pass"] is False


class ScriptedCustomer:
    def __init__(self, lines: list[str]) -> None:
        self.lines = lines

    async def next_message(self, case: object, turns: list) -> str | None:
        return self.lines[len(turns) - 1] if len(turns) - 1 < len(self.lines) else None


async def test_simulated_customer_drives_the_conversation_to_its_goal() -> None:
    suite = Suite.model_validate(
        {
            "name": "sim",
            "cases": [
                {
                    "id": "sim-handoff",
                    "customer": "+447700900003",
                    "turns": [{"user": "scripted turn, unused when simulated"}],
                    "simulate": {
                        "goal": "get to a person",
                        "opener": "my internet is broken",
                        "max_turns": 5,
                    },
                    "expect": {"handoff": True},
                },
            ],
        }
    )
    customer = ScriptedCustomer(["still broken", "I want a person"])
    (result,) = await run_cases(
        [(suite, suite.cases[0])], ScriptedDriver(toy_engine), simulator=customer
    )
    assert [t.user for t in result.turns] == [
        "my internet is broken",
        "still broken",
        "I want a person",
    ]
    assert result.passed, result.failed_checks
    (without,) = await run_cases([(suite, suite.cases[0])], ScriptedDriver(toy_engine))
    assert [t.user for t in without.turns] == ["scripted turn, unused when simulated"]
    assert not without.passed  # the scripted turn never reaches a person
