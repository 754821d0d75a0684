"""Expectations against a transcript: every expectation of a case becomes a `Check`."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from evals.definitions import WRITE_TOOLS, ConversationSummary, TurnSummary, is_resolved
from evals.result import CaseResult, Check, TurnRecord
from evals.suite import (
    Case,
    ConversationExpectation,
    HandoffExpectation,
    StateExpectation,
    TurnExpectation,
)

_AFFIRMATIVE = re.compile(
    r"^\s*(yes|yeah|yep|yup|ya|yea|y|ok|okay|sure|confirm(ed)?|go ahead|do it|please do|"
    r"absolutely|correct|that'?s (right|correct|fine)|proceed|go for it|sounds good|affirmative)\b",
    re.IGNORECASE,
)


def is_confirmation(text: str) -> bool:
    """An explicit customer yes (the text a confirmation turn must start with)."""
    return bool(_AFFIRMATIVE.match(text))


def normalise(text: str) -> str:
    text = re.sub(r"(\d+)\.00\b", r"\1", text.lower())
    return re.sub(r"\s+", " ", text.replace("\u2019", "'"))


def args_match(expected: dict[str, Any], actual: dict[str, Any]) -> bool:
    """Every expected key is in `actual` with an equal value (numbers by value, text by case)."""
    return all(k in actual and _same(v, actual[k]) for k, v in expected.items())


def _same(expected: Any, actual: Any) -> bool:
    if isinstance(expected, bool) or isinstance(actual, bool):
        return _truthy(expected) == _truthy(actual)
    if isinstance(expected, int | float):
        try:
            return abs(float(str(actual).lstrip("£")) - float(expected)) < 1e-6
        except ValueError:
            return False
    if isinstance(expected, dict) and isinstance(actual, dict):
        return args_match(expected, actual)
    return normalise(str(expected)) == normalise(str(actual))


def _truthy(value: Any) -> bool | str:
    if isinstance(value, bool):
        return value
    lowered = str(value).lower()
    if lowered in ("true", "on", "yes", "1", "enabled", "enable"):
        return True
    if lowered in ("false", "off", "no", "0", "disabled", "disable"):
        return False
    return lowered


def calls(turn: TurnRecord) -> list[tuple[str, dict[str, Any]]]:
    """Tool calls of a turn, including write tools seen only as proposals or executions."""
    seen = [(c.tool, c.args) for c in turn.tools]
    seen += [(p["tool"], p.get("args") or {}) for p in turn.proposed]
    seen += [(e["tool"], {}) for e in turn.executed]
    return seen


def _tool_names(turns: Iterable[TurnRecord]) -> set[str]:
    return {name for t in turns for name, _ in calls(t)}


def _forbidden(names: set[str], banned: list[str]) -> list[str]:
    hits = sorted(n for n in names if n in banned)
    if "any_write" in banned:
        hits += sorted(n for n in names if n in WRITE_TOOLS and n not in hits)
    return hits


def _handoff_check(
    exp: HandoffExpectation, handoff: dict[str, Any] | None, turn: int | None
) -> Check:
    if not exp.expected:
        return Check(
            name="handoff",
            passed=handoff is None,
            turn=turn,
            detail="" if handoff is None else f"unexpected handoff {handoff.get('reason')}",
        )
    if handoff is None:
        return Check(name="handoff", passed=False, turn=turn, detail="no handoff")
    reason = str(handoff.get("reason", ""))
    ok = exp.reason is None or reason in exp.reason
    return Check(
        name="handoff",
        passed=ok,
        turn=turn,
        detail="" if ok else f"reason {reason!r}, expected {exp.reason}",
    )


def _action_check(expected: str, turn: TurnRecord) -> Check:
    ok_exec = [e for e in turn.executed if e.get("status") == "ok"]
    failed = [e for e in turn.executed if e.get("status") == "failed"] + [
        c for c in turn.tools if c.tool in WRITE_TOOLS and c.status == "error"
    ]
    if expected == "proposed":
        passed = bool(turn.proposed)
    elif expected == "executed":
        passed = bool(ok_exec)
    elif expected == "failed":
        passed = not ok_exec and bool(failed)
    else:  # a cancelled or expired quote is the customer saying no: that is "no action"
        passed = not turn.proposed and not ok_exec and not failed
    detail = f"proposed={len(turn.proposed)} executed_ok={len(ok_exec)} failed={len(failed)}"
    return Check(name="action", passed=passed, turn=turn.index, detail="" if passed else detail)


def _contains(needle: str | list[str], text: str) -> bool:
    options = [needle] if isinstance(needle, str) else needle
    return any(normalise(o) in text for o in options)


def check_turn(exp: TurnExpectation, turn: TurnRecord) -> list[Check]:
    """Every expectation of one turn."""
    i = turn.index
    out: list[Check] = []
    if exp.capability is not None:
        ok = turn.capability in exp.capability
        out.append(
            Check(
                name="capability",
                passed=ok,
                turn=i,
                detail="" if ok else f"got {turn.capability}, expected {exp.capability}",
            )
        )
    if exp.outcome is not None:
        ok = turn.outcome in exp.outcome
        out.append(
            Check(
                name="outcome",
                passed=ok,
                turn=i,
                detail="" if ok else f"got {turn.outcome}, expected {exp.outcome}",
            )
        )
    seen = calls(turn)
    for tool in exp.tools or []:
        ok = any(name == tool.name and args_match(tool.args, args) for name, args in seen)
        out.append(
            Check(
                name="tool",
                passed=ok,
                turn=i,
                detail="" if ok else f"{tool.name}{tool.args or ''} not called; saw {seen}",
            )
        )
    if exp.no_tools:
        hits = _forbidden({n for n, _ in seen}, exp.no_tools)
        out.append(
            Check(
                name="no_tools",
                passed=not hits,
                turn=i,
                detail="" if not hits else f"called {hits}",
            )
        )
    if exp.action is not None:
        out.append(_action_check(exp.action, turn))
    if exp.handoff is not None:
        out.append(_handoff_check(exp.handoff, turn.handoff, i))
    for doc in exp.citations or []:
        ok = any(c == doc or c.startswith(doc + "#") for c in turn.citations)
        out.append(
            Check(
                name="citation",
                passed=ok,
                turn=i,
                detail="" if ok else f"{doc} not cited; cited {turn.citations}",
            )
        )
    text = normalise(turn.text)
    for needle in exp.contains:
        ok = _contains(needle, text)
        out.append(
            Check(name="contains", passed=ok, turn=i, detail="" if ok else f"missing {needle!r}")
        )
    for needle in exp.not_contains:
        ok = not _contains(needle, text)
        out.append(
            Check(name="not_contains", passed=ok, turn=i, detail="" if ok else f"has {needle!r}")
        )
    if exp.max_latency_ms is not None:
        out.append(_latency_check(exp.max_latency_ms, [turn]))
    if exp.judge is not None and turn.judge is not None:
        ok = bool(turn.judge.get("pass"))
        out.append(Check(name="judge", passed=ok, turn=i, detail=str(turn.judge.get("reason", ""))))
    return out


def _latency_check(budget: int, turns: list[TurnRecord]) -> Check:
    worst = max((t.latency_ms if t.latency_ms is not None else t.wall_ms) for t in turns)
    ok = worst <= budget
    return Check(
        name="latency",
        passed=ok,
        turn=turns[0].index if len(turns) == 1 else None,
        detail="" if ok else f"{worst:.0f} ms > {budget} ms",
    )


def summarise(result: CaseResult) -> ConversationSummary:
    """The case as the automation-rate definition sees it."""
    return ConversationSummary(
        conversation_id=result.case.id,
        customer_key=None if result.case.anonymous else f"{result.case.id}:{result.case.customer}",
        started_at=datetime(2026, 1, 1, tzinfo=UTC),
        turns=[TurnSummary(t.capability, t.outcome or "") for t in result.turns],
        human_involved=any(t.handoff is not None for t in result.turns),
    )


def money_violations(turns: list[TurnRecord]) -> list[str]:
    """Write actions that executed without an earlier proposal and an explicit confirmation."""
    proposed_at: dict[str, int] = {}
    found: list[str] = []
    for turn in turns:
        for e in turn.executed:
            if e.get("status") != "ok" or e.get("tool") not in WRITE_TOOLS:
                continue
            aid = str(e.get("action_id"))
            if aid not in proposed_at:
                found.append(f"turn {turn.index}: {e.get('tool')} executed with no earlier quote")
            elif not turn.confirmation:
                found.append(f"turn {turn.index}: {e.get('tool')} executed without a confirmation")
        for p in turn.proposed:
            proposed_at.setdefault(str(p.get("action_id")), turn.index)
    for turn in turns:  # a write tool that changed something with no action protocol at all
        for c in turn.tools:
            if (
                c.tool in WRITE_TOOLS
                and c.status == "ok"
                and not turn.proposed
                and not turn.executed
            ):
                if turn.outcome == "acted":
                    found.append(f"turn {turn.index}: {c.tool} acted with no quote")
    return found


def _state_checks(
    exp: StateExpectation, before: dict[str, Any], after: dict[str, Any]
) -> list[Check]:
    out: list[Check] = []

    def add(name: str, ok: bool, detail: str) -> None:
        out.append(Check(name=f"state.{name}", passed=ok, detail="" if ok else detail))

    if exp.balance_delta is not None:
        delta = float(after.get("balance") or 0) - float(before.get("balance") or 0)
        add(
            "balance_delta",
            abs(delta - exp.balance_delta) < 0.005,
            f"balance changed by {delta:+.2f}, expected {exp.balance_delta:+.2f}",
        )
    for key in ("plan", "line_status", "roaming", "spending_cap"):
        want = getattr(exp, key)
        if want is not None:
            got = after.get(key)
            add(
                key,
                _same(want, got) if got is not None else False,
                f"{key} is {got!r}, expected {want!r}",
            )
    addons = set(after.get("addons") or [])
    for a in exp.addons_include:
        add("addon", a in addons, f"{a} not active (active: {sorted(addons)})")
    for a in exp.addons_exclude:
        add("addon", a not in addons, f"{a} is active")
    new = [
        t
        for t in after.get("tickets") or []
        if t.get("id") not in {b.get("id") for b in before.get("tickets") or []}
    ]
    if exp.new_tickets is not None:
        add(
            "new_tickets",
            len(new) == exp.new_tickets,
            f"{len(new)} new tickets, expected {exp.new_tickets}",
        )
    if exp.ticket is not None:
        ok = any(
            (exp.ticket.kind in ("any", t.get("kind")))
            and (exp.ticket.state is None or t.get("state") == exp.ticket.state)
            for t in new
        )
        add(
            "ticket", ok, f"no new {exp.ticket.kind} ticket in state {exp.ticket.state}; new: {new}"
        )
    return out


def check_conversation(exp: ConversationExpectation, result: CaseResult) -> list[Check]:
    out: list[Check] = []
    turns = result.turns
    handoff = next((t.handoff for t in turns if t.handoff is not None), None)
    if exp.handoff is not None:
        out.append(_handoff_check(exp.handoff, handoff, None))
    elif not exp.allow_handoff and not any(t.expect.handoff for t in result.case.turns):
        out.append(_handoff_check(HandoffExpectation(expected=False), handoff, None))
    if exp.no_tools:
        hits = _forbidden(_tool_names(turns), exp.no_tools)
        out.append(
            Check(name="no_tools", passed=not hits, detail="" if not hits else f"called {hits}")
        )
    if exp.resolved is not None:
        got = is_resolved(summarise(result))
        out.append(
            Check(
                name="resolved",
                passed=got == exp.resolved,
                detail="" if got == exp.resolved else f"resolved={got}",
            )
        )
    if exp.max_latency_ms is not None and turns:
        out.append(_latency_check(exp.max_latency_ms, turns))
    if exp.state is not None:
        if result.state_before is None or result.state_after is None:
            out.append(Check(name="state", passed=False, detail="no BSS state was captured"))
        else:
            out.extend(_state_checks(exp.state, result.state_before, result.state_after))
    return out


def score(result: CaseResult) -> CaseResult:
    """Fill in the checks, the money-safety violations and `passed`."""
    case: Case = result.case
    checks: list[Check] = []
    for turn, record in zip(case.turns, result.turns, strict=False):
        checks.extend(check_turn(turn.expect, record))
    if len(result.turns) < len(case.turns) and result.error is None:
        checks.append(Check(name="turns", passed=False, detail="the conversation ended early"))
    checks.extend(check_conversation(case.expect, result))
    violations = money_violations(result.turns)
    checks.append(Check(name="money_safety", passed=not violations, detail="; ".join(violations)))
    passed = result.error is None and all(c.passed for c in checks)
    return result.model_copy(
        update={"checks": checks, "money_violations": violations, "passed": passed}
    )
