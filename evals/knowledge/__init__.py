"""The project's own knowledge-question suite (issue 15 part 7): customer-phrased questions about
the demo articles, each with every article that answers it and a fact copied from one of them, asked
through the real turn loop by an anonymous, a prepaid and a postpaid customer.

    python -m evals.knowledge                          # both splits
    python -m evals.knowledge --split holdout          # the split nobody tunes on
    python -m evals.knowledge --failures out.jsonl     # also write every failing turn

A turn passes when it cites a right article AND states the fact (the dev sets' rule, scored by
`evals.devsets.knowledge_verdict`). A how-to question never produces a quote: any write tool
proposed or called is counted as a write quote. docs/evals.md says how the questions were
written and why the split is a hash of the id."""

from __future__ import annotations

import asyncio
import csv
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evals.definitions import WRITE_TOOLS
from evals.devsets import knowledge_verdict
from evals.result import CaseResult, TurnRecord
from evals.runner import run_cases
from evals.suite import Case, Suite, Turn

QUESTIONS_FILE = Path(__file__).with_name("questions.csv")
SPLITS = ("tune", "holdout")
COLUMNS = ("id", "text", "doc_ids", "must_contain", "split")
# Who asks each question (docs/demo-world.md): Alice Morgan is prepaid (Bundle 10), Chloe Davies
# postpaid (Smart 30GB). Anonymous sees every article; a signed-in customer's segment matters.
ASKERS: dict[str, str] = {
    "anonymous": "anonymous",
    "prepaid": "+447700900001",
    "postpaid": "+447700900003",
}


@dataclass(frozen=True)
class Question:
    id: str
    text: str
    doc_ids: tuple[str, ...]
    must_contain: str
    split: str


@dataclass(frozen=True)
class Ask:
    """One question asked by one customer: a one-turn case."""

    question: Question
    asker: str
    case: Case


def split_of(question_id: str) -> str:
    """The split a question belongs to: the first byte of the SHA-256 of its id, never chosen by
    hand (so nobody can move a question they failed into the split they tune on)."""
    return "tune" if hashlib.sha256(question_id.encode("utf-8")).digest()[0] < 128 else "holdout"


def load(path: Path = QUESTIONS_FILE) -> list[Question]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        if tuple(reader.fieldnames or ()) != COLUMNS:
            raise ValueError(f"{path}: columns must be {', '.join(COLUMNS)}")
        return [
            Question(
                id=row["id"],
                text=row["text"],
                doc_ids=tuple(row["doc_ids"].split("|")),
                must_contain=row["must_contain"],
                split=row["split"],
            )
            for row in reader
        ]


def select(questions: Sequence[Question], split: str = "all") -> list[Question]:
    if split == "all":
        return list(questions)
    if split not in SPLITS:
        raise ValueError(f"unknown split {split!r} (one of {', '.join(SPLITS)}, all)")
    return [q for q in questions if q.split == split]


def asks(questions: Sequence[Question], askers: dict[str, str] = ASKERS) -> list[Ask]:
    return [
        Ask(q, name, Case(id=f"{q.id}.{name}", customer=who, turns=[Turn(user=q.text)]))
        for q in questions
        for name, who in askers.items()
    ]


def gate_asks(questions: Sequence[Question]) -> list[Ask]:
    """The eval gate's lighter set (it must add under a minute on 2 cores): each question asked
    anonymously and by ONE signed-in customer, prepaid or postpaid by the second byte of the id's
    hash, so both segments are covered about equally."""
    out = []
    for q in questions:
        signed_in = (
            "prepaid" if hashlib.sha256(q.id.encode("utf-8")).digest()[1] < 128 else "postpaid"
        )
        out += asks([q], {name: ASKERS[name] for name in ("anonymous", signed_in)})
    return out


async def run(items: Sequence[Ask], *, jobs: int = 2) -> list[CaseResult]:
    """Every ask through the local engine's real turn loop, each on its own session."""
    from evals.driver import make_driver

    suite = Suite(name="knowledge", cases=[i.case for i in items])
    async with make_driver("local") as driver:
        return await run_cases([(suite, i.case) for i in items], driver, jobs=jobs)


def write_quoted(turn: TurnRecord) -> bool:
    """The turn proposed a tool that changes the account (a quote awaiting the customer's yes)."""
    return any(p.get("tool") in WRITE_TOOLS for p in turn.proposed)


def write_attempted(turn: TurnRecord) -> bool:
    """The turn called a write tool without a quote coming of it (its own checks refused it,
    e.g. "The smallest top-up is £5" in reply to a question about PINs)."""
    return not write_quoted(turn) and any(c.tool in WRITE_TOOLS for c in turn.tools)


def verdict(item: Ask, result: CaseResult) -> dict[str, Any]:
    """What one ask's reply did: passed (stated AND cited), each half, and the failure kinds."""
    if result.error or not result.turns:
        return {"passed": False, "stated": False, "cited": False, "write_quote": False,
                "write_attempt": False, "refused": False, "handoff": False,
                "error": result.error}  # fmt: skip
    turn = result.turns[-1]
    stated, cited = knowledge_verdict(item.question.doc_ids, item.question.must_contain, turn)
    return {
        "passed": stated and cited,
        "stated": stated,
        "cited": cited,
        "write_quote": write_quoted(turn),
        "write_attempt": write_attempted(turn),
        "refused": turn.outcome == "refused",
        "handoff": bool(turn.handoff) or turn.outcome == "handed_off",
        "error": None,
    }


_FLAGS = ("stated", "cited", "write_quote", "write_attempt", "refused", "handoff")


def _block(verdicts: Sequence[dict[str, Any]]) -> dict[str, Any]:
    n = len(verdicts)

    def rate(key: str) -> float:
        return round(sum(bool(v[key]) for v in verdicts) / n, 3) if n else 0.0

    return {
        "turns": n,
        "stated_cited": rate("passed"),
        "cited": rate("cited"),
        "stated": rate("stated"),
        "write_quotes": sum(bool(v["write_quote"]) for v in verdicts),
        "write_attempts": sum(bool(v["write_attempt"]) for v in verdicts),
        "refusals": sum(bool(v["refused"]) for v in verdicts),
        "handoffs": sum(bool(v["handoff"]) for v in verdicts),
        "errors": sum(v["error"] is not None for v in verdicts),
    }


def report(items: Sequence[Ask], results: Sequence[CaseResult]) -> dict[str, Any]:
    """Numbers per split (and per asker within it), plus every failing turn."""
    by_split: dict[str, list[dict[str, Any]]] = {}
    by_asker: dict[str, list[dict[str, Any]]] = {}
    failures = []
    for item, result in zip(items, results, strict=True):
        v = verdict(item, result)
        by_split.setdefault(item.question.split, []).append(v)
        by_asker.setdefault(f"{item.question.split}/{item.asker}", []).append(v)
        if not v["passed"] or v["write_quote"] or v["write_attempt"]:
            turn = result.turns[-1] if result.turns else None
            failures.append(
                {
                    "id": item.case.id,
                    "text": item.question.text,
                    "doc_ids": list(item.question.doc_ids),
                    "must_contain": item.question.must_contain,
                    **{k: v[k] for k in _FLAGS},
                    "reply": turn.text if turn else None,
                    "citations": turn.citations if turn else [],
                    "capability": turn.capability if turn else None,
                    "outcome": turn.outcome if turn else None,
                    "tools": [c.tool for c in turn.tools] if turn else [],
                    "proposed": [p.get("tool") for p in turn.proposed] if turn else [],
                    "error": v["error"],
                }
            )
    splits = {s: _block(by_split[s]) for s in SPLITS if s in by_split}
    if len(by_split) > 1:
        splits["all"] = _block([v for vs in by_split.values() for v in vs])
    return {
        "splits": splits,
        "askers": {k: _block(v) for k, v in sorted(by_asker.items())},
        "failures": failures,
    }


def measure(
    split: str = "all", *, path: Path = QUESTIONS_FILE, jobs: int = 2, gate: bool = False
) -> dict[str, Any]:
    """Run and report a split: every question by every asker, or `gate_asks` when `gate`."""
    questions = select(load(path), split)
    items = gate_asks(questions) if gate else asks(questions)
    return report(items, asyncio.run(run(items, jobs=jobs)))
