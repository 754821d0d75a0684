"""The Markdown report: headline metrics, per suite, per capability, failures."""

from __future__ import annotations

from typing import Any

from evals.result import RunResult

CITATION = (
    "Public benchmarks: CLINC150 (Larson et al., 2019, CC BY 3.0), BANKING77 (Casanueva et al., "
    "2020, CC BY 4.0), τ²-bench telecom (Sierra Research, MIT)."
)


def fmt(value: Any, *, pct: bool = True) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return f"{value * 100:.1f}%" if pct else f"{value:.1f}"
    return str(value)


def headline(metrics: dict[str, Any]) -> list[tuple[str, str]]:
    """The numbers a reader wants first, as (label, value) rows."""
    lat = metrics.get("latency_ms", {})
    cost = metrics.get("cost_usd")
    return [
        ("Cases run / passed", f"{metrics.get('cases_run')} / {metrics.get('cases_passed')}"),
        ("Task success", fmt(metrics.get("task_success"))),
        ("Automation rate", fmt(metrics.get("automation_rate"))),
        (
            "Verified automation rate (automated and passed)",
            fmt(metrics.get("verified_automation_rate")),
        ),
        ("Capability accuracy", fmt(metrics.get("capability_accuracy"))),
        (
            "Tool precision / recall",
            f"{fmt(metrics['tool']['precision'])} / {fmt(metrics['tool']['recall'])}",
        ),
        (
            "Handoff precision / recall",
            f"{fmt(metrics['handoff']['precision'])} / {fmt(metrics['handoff']['recall'])}",
        ),
        (
            "Out-of-scope precision / recall",
            f"{fmt(metrics['out_of_scope']['precision'])} / "
            f"{fmt(metrics['out_of_scope']['recall'])}",
        ),
        ("Groundedness", fmt(metrics.get("groundedness"))),
        ("Retrieval recall@5", fmt(metrics.get("retrieval_recall_at_5"))),
        ("Money-safety violations", str(metrics.get("money_safety_violations"))),
        (
            "Latency p50 / p95",
            f"{fmt(lat.get('p50'), pct=False)} ms / {fmt(lat.get('p95'), pct=False)} ms",
        ),
        (
            "Tokens (prompt / completion)",
            f"{metrics['tokens']['prompt']} / {metrics['tokens']['completion']}",
        ),
        ("Cost", "n/a" if cost is None else f"${cost:.4f}"),
        (
            "Calibration error (ECE)",
            fmt(metrics.get("calibration_ece"), pct=False)
            if metrics.get("calibration_ece") is None
            else f"{metrics['calibration_ece']:.3f}",
        ),
    ]


GROUP_COLUMNS = (
    "group",
    "cases (passed)",
    "task success",
    "automation",
    "capability acc.",
    "tool P / R",
    "handoff P / R",
    "out-of-scope P / R",
    "groundedness",
    "retrieval@5",
    "money-safety violations",
    "latency p50 / p95 (ms)",
)


def _pr(pair: dict[str, Any]) -> str:
    return f"{fmt(pair.get('precision'))} / {fmt(pair.get('recall'))}"


def group_rows(metrics: dict[str, Any]) -> list[list[str]]:
    """One row per group (our suites, each public benchmark), in `GROUP_COLUMNS` order."""
    rows = []
    for name, g in (metrics.get("groups") or {}).items():
        lat = g.get("latency_ms", {})
        rows.append(
            [
                name,
                f"{g.get('cases_run')} ({g.get('cases_passed')})",
                fmt(g.get("task_success")),
                fmt(g.get("automation_rate")),
                fmt(g.get("capability_accuracy")),
                _pr(g["tool"]),
                _pr(g["handoff"]),
                _pr(g["out_of_scope"]),
                fmt(g.get("groundedness")),
                fmt(g.get("retrieval_recall_at_5")),
                str(g.get("money_safety_violations")),
                f"{fmt(lat.get('p50'), pct=False)} / {fmt(lat.get('p95'), pct=False)}",
            ]
        )
    return rows


def render(run: RunResult, *, max_failures: int = 200) -> str:
    m = run.metrics
    lines = [
        f"# Eval run {run.run_id}",
        "",
        f"Model `{run.model}` · commit `{run.git_commit or 'unknown'}`"
        f"{f' + {len(run.uncommitted)} uncommitted files' if run.uncommitted else ''} · "
        f"{run.started_at:%Y-%m-%d %H:%M} UTC"
        f" · {run.duration_s:.0f} s",
        "",
        "| metric | value |",
        "|---|---|",
        *(f"| {k} | {v} |" for k, v in headline(m)),
    ]
    if rows := group_rows(m):
        lines += [
            "",
            "## By group",
            "",
            "Our own suites and each public benchmark apart (the table above is over all cases).",
            "",
            "| " + " | ".join(GROUP_COLUMNS) + " |",
            "|" + "---|" * len(GROUP_COLUMNS),
            *("| " + " | ".join(r) + " |" for r in rows),
        ]
    lines += [
        "",
        "## Suites",
        "",
        "| suite | cases | passed | task success | automation |",
        "|---|---|---|---|---|",
        *(
            f"| {name} | {s['cases']} | {s['passed']} | {fmt(s['task_success'])} "
            f"| {fmt(s['automation_rate'])} |"
            for name, s in m.get("per_suite", {}).items()
        ),
    ]
    if run.uncommitted:
        lines += ["", "Uncommitted changes when the run started: " + ", ".join(run.uncommitted)]
    if run.skipped_suites:
        lines += ["", "Skipped suites:", *(f"- {k}: {v}" for k, v in run.skipped_suites.items())]
    if run.problems:
        lines += ["", "## Rejected suite files", "", *(f"- {p}" for p in run.problems)]
    lines += [
        "",
        "## Capabilities",
        "",
        "| capability | turns | accuracy |",
        "|---|---|---|",
        *(
            f"| {cap} | {c['turns']} | {fmt(c['accuracy'])} |"
            for cap, c in m.get("per_capability", {}).items()
        ),
        "",
        "## Failures",
        "",
    ]
    failed = [c for c in run.cases if c.skipped is None and not c.passed]
    for c in failed[:max_failures]:
        why = c.error or "; ".join(
            f"{ch.name}{'' if ch.turn is None else f'@{ch.turn}'}: {ch.detail}"
            for ch in c.failed_checks
        )
        lines.append(f"- `{c.suite}/{c.case_id}` — {why}")
    if len(failed) > max_failures:
        lines.append(f"- … and {len(failed) - max_failures} more (see the JSON)")
    if not failed:
        lines.append("None.")
    lines += ["", CITATION, ""]
    return "\n".join(lines)
