"""Run-level metrics from scored case results. Definitions are in docs/evals.md; the automation
rate itself comes from `evals.definitions` so analytics computes the same number."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Sequence
from typing import Any

from evals.definitions import WRITE_TOOLS, automation_rate, is_automated
from evals.pricing import cost_usd
from evals.result import CaseResult, TurnRecord
from evals.scoring import args_match, calls, summarise
from evals.suite import TurnExpectation

RETRIEVAL_K = 5
RELIABILITY_BINS = 10


def _ratio(num: float, den: float) -> float | None:
    return num / den if den else None


def percentile(values: Sequence[float], q: float) -> float | None:
    """Nearest-rank percentile (q in 0..100)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return float(ordered[rank - 1])


def _pairs(cases: Sequence[CaseResult]) -> list[tuple[TurnExpectation, TurnRecord]]:
    return [
        (turn.expect, record)
        for c in cases
        for turn, record in zip(c.case.turns, c.turns, strict=False)
    ]


def _expects_handoff(case: CaseResult) -> bool:
    exps = [case.case.expect.handoff] + [t.expect.handoff for t in case.case.turns]
    return any(e is not None and e.expected for e in exps)


def _tool_counts(pairs: list[tuple[TurnExpectation, TurnRecord]]) -> tuple[int, int, int]:
    """(true positives, false positives, false negatives) over turns with tool expectations.

    A call is a false positive when it is forbidden (`no_tools`), when the turn expected no tool
    at all (`tools: []`), or when it is a write tool the turn did not expect; read tools that
    were not mentioned are neutral, since `tools` lists a subset."""
    tp = fp = fn = 0
    for exp, rec in pairs:
        if exp.tools is None and not exp.no_tools:
            continue
        seen = calls(rec)
        names = {n for n, _ in seen}
        expected = {t.name for t in exp.tools or []}
        for tool in exp.tools or []:
            if any(n == tool.name and args_match(tool.args, a) for n, a in seen):
                tp += 1
            else:
                fn += 1
        banned = set(exp.no_tools or [])
        for name in names - expected:
            if (
                name in banned
                or ("any_write" in banned and name in WRITE_TOOLS)
                or (exp.tools == [])
                or (exp.tools is not None and name in WRITE_TOOLS)
            ):
                fp += 1
    return tp, fp, fn


def _precision_recall(tp: int, fp: int, fn: int) -> dict[str, float | None]:
    return {"precision": _ratio(tp, tp + fp), "recall": _ratio(tp, tp + fn), "support": tp + fn}


def capability_confusion(cases: Sequence[CaseResult]) -> dict[str, dict[str, int]]:
    """expected capability -> predicted capability -> count (first listed expectation)."""
    matrix: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for exp, rec in _pairs(cases):
        if exp.capability:
            want = rec.capability if rec.capability in exp.capability else exp.capability[0]
            matrix[want][rec.capability or "none"] += 1
    return {k: dict(v) for k, v in matrix.items()}


def reliability(cases: Sequence[CaseResult]) -> list[dict[str, float]]:
    """Confidence bins: mean confidence vs capability accuracy, with counts."""
    bins: list[list[tuple[float, bool]]] = [[] for _ in range(RELIABILITY_BINS)]
    for exp, rec in _pairs(cases):
        if exp.capability and rec.confidence is not None:
            index = min(int(rec.confidence * RELIABILITY_BINS), RELIABILITY_BINS - 1)
            bins[index].append((rec.confidence, rec.capability in exp.capability))
    return [
        {
            "low": i / RELIABILITY_BINS,
            "high": (i + 1) / RELIABILITY_BINS,
            "count": len(b),
            "confidence": sum(c for c, _ in b) / len(b),
            "accuracy": sum(1 for _, ok in b if ok) / len(b),
        }
        for i, b in enumerate(bins)
        if b
    ]


def expected_calibration_error(bins: list[dict[str, float]]) -> float | None:
    total = sum(b["count"] for b in bins)
    if not total:
        return None
    return sum(b["count"] / total * abs(b["accuracy"] - b["confidence"]) for b in bins)


def latencies(cases: Sequence[CaseResult]) -> list[float]:
    return [
        float(t.latency_ms if t.latency_ms is not None else t.wall_ms)
        for c in cases
        for t in c.turns
    ]


def _retrieval_recall(pairs: list[tuple[TurnExpectation, TurnRecord]], k: int) -> float | None:
    found = total = 0
    for exp, rec in pairs:
        wanted = exp.retrieved or exp.citations or []
        for doc in wanted:
            total += 1
            found += any(r == doc or r.startswith(doc + "#") for r in rec.retrieved[:k])
    return _ratio(found, total)


OWN_SUITES = "own suites"


def group_of(suite: str) -> str:
    """A public benchmark is its own group; every project suite is in `OWN_SUITES`."""
    from evals.benchmarks import BENCHMARKS

    return suite if suite in BENCHMARKS else OWN_SUITES


def compute(cases: Sequence[CaseResult], *, model: str) -> dict[str, Any]:
    """Every metric of docs/evals.md over the cases that ran; with more than one group (our own
    suites, each public benchmark), also every metric per group under `groups`."""
    out = _compute(cases, model=model)
    grouped: dict[str, list[CaseResult]] = defaultdict(list)
    for case in cases:
        grouped[group_of(case.suite)].append(case)
    if len(grouped) > 1:
        out["groups"] = {
            name: _compute(group, model=model, details=False)
            for name, group in sorted(grouped.items(), key=lambda kv: kv[0] != OWN_SUITES)
        }
    return out


def own_suites(metrics: dict[str, Any]) -> dict[str, Any]:
    """The metrics of our own suites alone (what the gate's thresholds are about)."""
    groups = metrics.get("groups") or {}
    own: dict[str, Any] = groups.get(OWN_SUITES, metrics)
    return own


def _compute(cases: Sequence[CaseResult], *, model: str, details: bool = True) -> dict[str, Any]:
    ran = [c for c in cases if c.skipped is None]
    pairs = _pairs(ran)
    cap_pairs = [(e, r) for e, r in pairs if e.capability]
    cap_ok = sum(1 for e, r in cap_pairs if r.capability in (e.capability or []))
    oos_tp = sum(
        1
        for e, r in cap_pairs
        if e.capability == ["out_of_scope"] and r.capability == "out_of_scope"
    )
    oos_pred = sum(1 for _, r in cap_pairs if r.capability == "out_of_scope")
    oos_true = sum(1 for e, _ in cap_pairs if e.capability == ["out_of_scope"])
    handoff_true = [c for c in ran if _expects_handoff(c)]
    handoff_pred = [c for c in ran if any(t.handoff is not None for t in c.turns)]
    handoff_tp = sum(1 for c in handoff_pred if _expects_handoff(c))
    summaries = [summarise(c) for c in ran]
    verified = [c for c, s in zip(ran, summaries, strict=True) if c.passed and is_automated(s)]
    with_need = [
        s
        for s in summaries
        if any(t.capability not in (None, "greeting", "out_of_scope") for t in s.turns)
    ]
    grounded = [r for _, r in pairs if r.answer_sentences]
    lat = latencies(ran)
    prompt = sum(t.prompt_tokens for c in ran for t in c.turns)
    completion = sum(t.completion_tokens for c in ran for t in c.turns)
    bins = reliability(ran)
    out: dict[str, Any] = {
        "cases": len(cases),
        "cases_run": len(ran),
        "cases_passed": sum(1 for c in ran if c.passed),
        "cases_errored": sum(1 for c in ran if c.error is not None),
        "task_success": _ratio(sum(1 for c in ran if c.passed), len(ran)),
        "automation_rate": automation_rate(summaries),
        "verified_automation_rate": _ratio(len(verified), len(with_need)),
        "capability_accuracy": _ratio(cap_ok, len(cap_pairs)),
        "tool": _precision_recall(*_tool_counts(pairs)),
        "handoff": {
            "precision": _ratio(handoff_tp, len(handoff_pred)),
            "recall": _ratio(handoff_tp, len(handoff_true)),
            "support": len(handoff_true),
        },
        "out_of_scope": {
            "precision": _ratio(oos_tp, oos_pred),
            "recall": _ratio(oos_tp, oos_true),
            "support": oos_true,
        },
        "groundedness": _ratio(
            sum(r.supported_sentences or 0 for r in grounded),
            sum(r.answer_sentences or 0 for r in grounded),
        ),
        f"retrieval_recall_at_{RETRIEVAL_K}": _retrieval_recall(pairs, RETRIEVAL_K),
        "money_safety_violations": sum(len(c.money_violations) for c in ran),
        "latency_ms": {"p50": percentile(lat, 50), "p95": percentile(lat, 95), "turns": len(lat)},
        "tokens": {"prompt": prompt, "completion": completion},
        "cost_usd": cost_usd(model, prompt_tokens=prompt, completion_tokens=completion),
        "calibration_ece": expected_calibration_error(bins),
    }
    if details:
        out.update(per_suite=per_suite(ran), per_capability=per_capability(ran))
    return out


def per_suite(cases: Sequence[CaseResult]) -> dict[str, dict[str, Any]]:
    groups: dict[str, list[CaseResult]] = defaultdict(list)
    for c in cases:
        groups[c.suite].append(c)
    return {
        name: {
            "cases": len(group),
            "passed": sum(1 for c in group if c.passed),
            "task_success": _ratio(sum(1 for c in group if c.passed), len(group)),
            "automation_rate": automation_rate([summarise(c) for c in group]),
        }
        for name, group in sorted(groups.items())
    }


def per_capability(cases: Sequence[CaseResult]) -> dict[str, dict[str, Any]]:
    totals: Counter[str] = Counter()
    correct: Counter[str] = Counter()
    for exp, rec in _pairs(cases):
        if exp.capability:
            totals[exp.capability[0]] += 1
            correct[exp.capability[0]] += rec.capability in exp.capability
    return {
        cap: {"turns": totals[cap], "accuracy": _ratio(correct[cap], totals[cap])}
        for cap in sorted(totals)
    }
