"""The self-contained HTML report: one file, inline CSS and SVG, no script, no network."""

from __future__ import annotations

from html import escape

from evals.metrics import capability_confusion, latencies, reliability
from evals.report.charts import confusion_matrix, histogram, reliability_diagram
from evals.report.markdown import CITATION, GROUP_COLUMNS, fmt, group_rows, headline
from evals.result import CaseResult, RunResult

_CSS = """
body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:1100px;color:#1f2328;
padding:0 1rem}
table{border-collapse:collapse;margin:1rem 0}
td,th{border:1px solid #d0d7de;padding:4px 8px;text-align:left}
th{background:#f6f8fa}.fail{color:#cf222e}.pass{color:#1a7f37}details{margin:4px 0}
.charts{display:flex;flex-wrap:wrap;gap:2rem;align-items:flex-start}code{font-size:90%}
.turn{margin-left:1rem;font-size:90%}
"""


def _case_html(case: CaseResult) -> str:
    status = "pass" if case.passed else "fail"
    checks = "".join(
        f"<li>{escape(ch.name)}{'' if ch.turn is None else f' (turn {ch.turn})'}: "
        f"{escape(ch.detail)}</li>"
        for ch in case.failed_checks
    )
    turns = "".join(
        f'<div class="turn"><b>customer:</b> {escape(t.user or "[confirm button]")}<br>'
        f"<b>assistant</b> [{escape(str(t.capability))}/{escape(str(t.outcome))}, "
        f"conf {t.confidence if t.confidence is not None else 'n/a'}, tools "
        f"{escape(', '.join(c.tool for c in t.tools) or '-')}]: {escape(t.text)}</div>"
        for t in case.turns
    )
    error = f"<p class='fail'>{escape(case.error)}</p>" if case.error else ""
    return (
        f'<details><summary class="{status}">{escape(case.suite)}/{escape(case.case_id)}</summary>'
        f"{error}<ul>{checks}</ul>{turns}</details>"
    )


def render(run: RunResult) -> str:
    m = run.metrics
    ran = run.executed()
    rows = "".join(f"<tr><td>{escape(k)}</td><td>{escape(v)}</td></tr>" for k, v in headline(m))
    suites = "".join(
        f"<tr><td>{escape(n)}</td><td>{s['cases']}</td><td>{s['passed']}</td>"
        f"<td>{fmt(s['task_success'])}</td><td>{fmt(s['automation_rate'])}</td></tr>"
        for n, s in m.get("per_suite", {}).items()
    )
    groups = group_rows(m)
    group_table = (
        "<h2>By group</h2><table><tr>"
        + "".join(f"<th>{escape(c)}</th>" for c in GROUP_COLUMNS)
        + "</tr>"
        + "".join("<tr>" + "".join(f"<td>{escape(v)}</td>" for v in r) + "</tr>" for r in groups)
        + "</table>"
        if groups
        else ""
    )
    failed = [c for c in ran if not c.passed]
    problems = "".join(f"<li>{escape(p)}</li>" for p in run.problems)
    skipped = "".join(f"<li>{escape(k)}: {escape(v)}</li>" for k, v in run.skipped_suites.items())
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Eval run {escape(run.run_id)}</title>
<style>{_CSS}</style></head><body>
<h1>Eval run {escape(run.run_id)}</h1>
<p>Model <code>{escape(run.model)}</code>
· commit <code>{escape(run.git_commit or "unknown")}</code>
{escape(f" + uncommitted: {', '.join(run.uncommitted)}" if run.uncommitted else "")}
· {run.started_at:%Y-%m-%d %H:%M} UTC · {run.duration_s:.0f} s</p>
<table><tr><th>metric</th><th>value</th></tr>{rows}</table>
{group_table}
<h2>Suites</h2>
<table><tr><th>suite</th><th>cases</th><th>passed</th><th>task success</th>
<th>automation</th></tr>{suites}</table>
{f"<h3>Skipped suites</h3><ul>{skipped}</ul>" if skipped else ""}
{f"<h3>Rejected suite files</h3><ul>{problems}</ul>" if problems else ""}
<h2>Charts</h2>
<div class="charts">
<figure>{confusion_matrix(capability_confusion(ran))}
<figcaption>Capability: expected (rows) vs predicted</figcaption></figure>
<figure>{reliability_diagram(reliability(ran))}
<figcaption>Confidence reliability (bars: accuracy; dots: mean confidence)
</figcaption></figure>
<figure>{histogram(latencies(ran))}<figcaption>Turn latency</figcaption></figure>
</div>
<h2>Failures ({len(failed)})</h2>
{"".join(_case_html(c) for c in failed) or "<p>None.</p>"}
<h2>Passed ({len(ran) - len(failed)})</h2>
{"".join(_case_html(c) for c in ran if c.passed)}
<p><small>{escape(CITATION)}</small></p>
</body></html>
"""
