"""Two runs side by side: cases that regressed or improved, and how the headline metrics moved."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from evals.result import CaseResult, RunResult

# (path into metrics, True when higher is better)
HEADLINE: tuple[tuple[str, bool], ...] = (
    ("task_success", True),
    ("automation_rate", True),
    ("verified_automation_rate", True),
    ("capability_accuracy", True),
    ("tool.precision", True),
    ("tool.recall", True),
    ("handoff.precision", True),
    ("handoff.recall", True),
    ("out_of_scope.precision", True),
    ("out_of_scope.recall", True),
    ("groundedness", True),
    ("retrieval_recall_at_5", True),
    ("money_safety_violations", False),
    ("latency_ms.p50", False),
    ("latency_ms.p95", False),
    ("cost_usd", False),
)


def metric(metrics: dict[str, Any], path: str) -> float | None:
    value: Any = metrics
    for part in path.split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return float(value) if isinstance(value, int | float) else None


@dataclass(frozen=True)
class MetricChange:
    name: str
    before: float | None
    after: float | None
    higher_is_better: bool

    @property
    def delta(self) -> float | None:
        if self.before is None or self.after is None:
            return None
        return self.after - self.before

    @property
    def worse(self) -> bool:
        d = self.delta
        return d is not None and abs(d) > 1e-9 and (d < 0) == self.higher_is_better


@dataclass
class Comparison:
    regressions: list[tuple[str, str]] = field(default_factory=list)  # (case key, why now failing)
    improvements: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    metrics: list[MetricChange] = field(default_factory=list)

    @property
    def worse_metrics(self) -> list[MetricChange]:
        return [m for m in self.metrics if m.worse]


def _key(case: CaseResult) -> str:
    return f"{case.suite}/{case.case_id}"


def _why(case: CaseResult) -> str:
    if case.error:
        return case.error
    return "; ".join(
        f"{c.name}{'' if c.turn is None else f'@{c.turn}'}: {c.detail}" for c in case.failed_checks
    )


def compare(before: RunResult, after: RunResult) -> Comparison:
    a = {_key(c): c for c in before.executed()}
    b = {_key(c): c for c in after.executed()}
    out = Comparison()
    for key in sorted(a.keys() & b.keys()):
        if a[key].passed and not b[key].passed:
            out.regressions.append((key, _why(b[key])))
        elif not a[key].passed and b[key].passed:
            out.improvements.append(key)
    out.added = sorted(b.keys() - a.keys())
    out.removed = sorted(a.keys() - b.keys())
    out.metrics = [
        MetricChange(name, metric(before.metrics, name), metric(after.metrics, name), better)
        for name, better in HEADLINE
    ]
    return out


def render(comparison: Comparison, *, before: str, after: str) -> str:
    """Plain-text summary, regressions first."""
    lines = [f"Comparing {before} -> {after}", ""]
    lines.append(f"Regressions ({len(comparison.regressions)}):")
    lines += [f"  - {key}: {why}" for key, why in comparison.regressions] or ["  none"]
    lines.append(f"Improvements ({len(comparison.improvements)}):")
    lines += [f"  + {key}" for key in comparison.improvements] or ["  none"]
    if comparison.added or comparison.removed:
        lines.append(
            f"Cases only in {after}: {len(comparison.added)}; "
            f"only in {before}: {len(comparison.removed)}"
        )
    lines += ["", "Metrics:"]
    for m in comparison.metrics:
        if m.before is None and m.after is None:
            continue
        d = m.delta
        mark = " (worse)" if m.worse else ""
        lines.append(
            f"  {m.name}: {_num(m.before)} -> {_num(m.after)}"
            f"{'' if d is None else f' ({d:+.4g})'}{mark}"
        )
    return "\n".join(lines)


def _num(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.4g}"
