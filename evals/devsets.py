"""The development sets written outside the team (../shared/dev, README there), run through the
real turn loop as the eval runner runs any case, and scored by the README's rules.

    python -m evals.devsets                       # all three files
    python -m evals.devsets requests --limit 100  # an evenly spread sample of one file
    python -m evals.devsets --failures out.jsonl  # also write every failing item's transcript
    python -m evals.devsets --base http://127.0.0.1:8000  # over the public API of a server

The files are read at run time and never copied into the project (docs/evals.md)."""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import sys
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from evals.benchmarks import DEFAULT_EXTERNAL_DIR, sample
from evals.result import CaseResult, TurnRecord
from evals.runner import run_cases
from evals.suite import Case, Suite, Turn

DEFAULT_DEV_DIR = DEFAULT_EXTERNAL_DIR.parent / "dev"
FILES = ("requests", "knowledge", "dialogues")


@dataclass
class Item:
    """One dev-set row as a case, and what its score needs."""

    file: str
    case: Case
    expect: dict[str, Any] = field(default_factory=dict)


def _case(case_id: str, turns: Sequence[str], customer: str = "anonymous") -> Case:
    return Case(id=case_id, customer=customer, turns=[Turn(user=t) for t in turns])


def load(name: str, directory: Path = DEFAULT_DEV_DIR) -> list[Item]:
    if name == "requests":
        with (directory / "requests.csv").open(encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
        return [
            Item(name, _case(f"req-{i:04d}", [r["text"]]), {"capability": r["capability"]})
            for i, r in enumerate(rows)
        ]
    if name == "knowledge":
        with (directory / "knowledge.csv").open(encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
        return [
            Item(
                name,
                _case(f"kn-{i:04d}", [r["text"]]),
                {"doc_ids": r["doc_ids"].split("|"), "must_contain": r["must_contain"]},
            )
            for i, r in enumerate(rows)
        ]
    if name == "dialogues":
        items = []
        for line in (directory / "dialogues.jsonl").read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            row = json.loads(line)
            case = _case(row["id"], row["turns"], row.get("msisdn") or "anonymous")
            items.append(Item(name, case, row["expect"]))
        return items
    raise ValueError(f"unknown dev file {name!r} (one of {', '.join(FILES)})")


def _latest_proposed(turns: Sequence[TurnRecord]) -> dict[str, Any] | None:
    proposed = [p for t in turns for p in t.proposed]
    return proposed[-1] if proposed else None


def dialogue_failures(expect: dict[str, Any], turns: Sequence[TurnRecord]) -> list[str]:
    """The README's `expect` keys that do not hold (empty: the dialogue passes)."""
    last = turns[-1]
    executed_ok = [e for t in turns for e in t.executed if e.get("status") == "ok"]
    latest = _latest_proposed(turns)
    failed = []
    for key, want in expect.items():
        if key == "last_outcome_in":
            ok = last.outcome in want
        elif key == "last_capability_in":
            ok = last.capability in want
        elif key == "reply_contains_any":
            ok = any(w.lower() in last.text.lower() for w in want)
        elif key == "proposed_tool":
            ok = latest is not None and latest.get("tool") == want
        elif key == "proposed_amount":
            amount = None if latest is None else latest.get("amount")
            ok = amount is not None and abs(float(amount) - float(want)) < 0.005
        elif key == "executed_count":
            ok = len(executed_ok) == want
        elif key == "no_executed":
            ok = not executed_ok
        elif key == "no_proposed_anywhere":
            ok = not any(t.proposed for t in turns)
        elif key == "handoff":
            ok = any(t.handoff for t in turns)
        else:
            raise ValueError(f"unknown expectation {key!r}")
        if not ok:
            failed.append(key)
    return failed


def knowledge_verdict(
    doc_ids: Sequence[str], must_contain: str, turn: TurnRecord
) -> tuple[bool, bool]:
    """A knowledge question's answer: (stated: the reply contains the fact, case-insensitive;
    cited: it cites one of the articles that answer it). The README's rule, shared with
    evals/knowledge (the project's own question suite)."""
    stated = must_contain.lower() in turn.text.lower()
    cited = bool(set(turn.citations) & set(doc_ids))
    return stated, cited


def score(item: Item, result: CaseResult) -> tuple[bool, dict[str, Any]]:
    """Whether the item passes, and what a report shows about it."""
    if result.error or not result.turns:
        return False, {"error": result.error}
    last = result.turns[-1]
    if item.file == "requests":
        return last.capability in item.expect["capability"].split("|"), {"got": last.capability}
    if item.file == "knowledge":
        stated, cited = knowledge_verdict(item.expect["doc_ids"], item.expect["must_contain"], last)
        return stated, {"cited": cited, "stated": stated}
    failed = dialogue_failures(item.expect, result.turns)
    return not failed, {"failed": failed}


async def _run(items: Sequence[Item]) -> list[CaseResult]:
    from evals.driver import make_driver

    suite = Suite(name="dev", cases=[i.case for i in items])
    async with make_driver("local") as driver:
        return await run_cases([(suite, i.case) for i in items], driver)


def _transcript(result: CaseResult) -> list[dict[str, Any]]:
    return [
        {
            "user": t.user,
            "text": t.text,
            "capability": t.capability,
            "outcome": t.outcome,
            "tools": [c.tool for c in t.tools],
            "citations": t.citations,
            "proposed": [(p.get("tool"), p.get("amount")) for p in t.proposed],
            "executed": [(e.get("tool"), e.get("status")) for e in t.executed],
        }
        for t in result.turns
    ]


def report(items: Sequence[Item], results: Sequence[CaseResult]) -> dict[str, Any]:
    per_file: dict[str, list[bool]] = defaultdict(list)
    per_group: dict[str, list[bool]] = defaultdict(list)
    cited: list[bool] = []
    confusions: Counter[tuple[str, str]] = Counter()
    failures = []
    for item, result in zip(items, results, strict=True):
        passed, info = score(item, result)
        per_file[item.file].append(passed)
        if item.file == "requests":
            per_group[f"requests/{item.expect['capability']}"].append(passed)
            if not passed:
                confusions[(item.expect["capability"], str(info.get("got")))] += 1
        elif item.file == "knowledge":
            cited.append(bool(info.get("cited")))
            per_group["knowledge/cited+stated"].append(passed and bool(info.get("cited")))
        else:
            per_group[f"dialogues/{item.case.id.rsplit('-', 1)[0].split('-')[0]}"].append(passed)
        if not passed:
            failures.append(
                {
                    "id": item.case.id,
                    "expect": item.expect,
                    **info,
                    "turns": _transcript(result),
                }
            )
    out: dict[str, Any] = {
        "files": {k: _rate(v) for k, v in per_file.items()},
        "groups": {k: _rate(v) for k, v in sorted(per_group.items())},
        "confusions": [f"{a} -> {b}: {n}" for (a, b), n in confusions.most_common(15)],
        "failures": failures,
    }
    if cited:
        out["files"]["knowledge/cited"] = _rate(cited)
    return out


def _rate(values: Sequence[bool]) -> str:
    return f"{sum(values) / max(1, len(values)):.3f} ({sum(values)}/{len(values)})"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", help=f"some of {', '.join(FILES)} (default: all)")
    parser.add_argument("--dir", type=Path, default=DEFAULT_DEV_DIR)
    parser.add_argument("--limit", type=int, default=None, help="items per file")
    parser.add_argument("--failures", type=Path, default=None, help="write failures (JSONL)")
    parser.add_argument(
        "--base", default=None, help="a running server's URL: measure over its public API"
    )
    parser.add_argument("--jobs", type=int, default=4, help="conversations at once over HTTP")
    args = parser.parse_args(argv)
    if not (args.dir / "README.md").is_file():
        print(f"{args.dir} not found: the dev sets live in ../shared/dev", file=sys.stderr)  # noqa: T201
        return 2
    items = [i for name in args.files or FILES for i in sample(load(name, args.dir), args.limit)]
    if args.base:
        from evals.over_http import ApiRunner

        runner = ApiRunner(args.base, jobs=args.jobs)
        results = asyncio.run(runner.run("dev", [i.case for i in items]))
    else:
        results = asyncio.run(_run(items))
    out = report(items, results)
    emit(out, args.failures)
    return 0


def emit(out: dict[str, Any], failures_path: Path | None) -> None:
    """Print a report without its failures; write those, one JSON line each, where asked."""
    failures = out.pop("failures")
    print(json.dumps(out, indent=1))  # noqa: T201
    if failures_path:
        with failures_path.open("w", encoding="utf-8") as handle:
            for row in failures:
                handle.write(json.dumps(row) + "\n")


if __name__ == "__main__":
    raise SystemExit(main())
