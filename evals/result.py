"""What a run records: per turn what the assistant did, per case the checks, per run the metrics.

A run's JSON file is `RunResult.model_dump_json()`; `eval compare` and the reports read it back."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from evals.suite import Case


class ToolCallRecord(BaseModel):
    tool: str
    args: dict[str, Any] = Field(default_factory=dict)
    status: str | None = None  # ok | error, from the matching tool.result


class TurnRecord(BaseModel):
    """One customer input and everything the assistant emitted for it."""

    index: int
    user: str
    confirm_action: bool = False
    confirmation: bool = False  # the input was an explicit customer confirmation
    text: str = ""
    capability: str | None = None
    outcome: str | None = None
    confidence: float | None = None
    tools: list[ToolCallRecord] = Field(default_factory=list)
    proposed: list[dict[str, Any]] = Field(default_factory=list)  # action.proposed data
    executed: list[dict[str, Any]] = Field(default_factory=list)  # action.executed data
    handoff: dict[str, Any] | None = None
    citations: list[str] = Field(default_factory=list)
    retrieved: list[str] = Field(default_factory=list)  # doc ids, best first
    errors: list[dict[str, Any]] = Field(default_factory=list)
    prompt_tokens: int = 0
    completion_tokens: int = 0
    latency_ms: int | None = None  # as reported by turn.completed
    wall_ms: float = 0.0  # measured by the runner
    judge: dict[str, Any] | None = None  # LLM-judge verdict, when one ran
    answer_sentences: int | None = None  # sentences checked for groundedness (cited turns)
    supported_sentences: int | None = None  # of those, supported by the cited passages


class Check(BaseModel):
    """One expectation and whether the run met it."""

    name: str
    passed: bool
    detail: str = ""
    turn: int | None = None


class CaseResult(BaseModel):
    suite: str
    case: Case
    passed: bool = False
    skipped: str | None = None  # why the case did not run (e.g. needs a model)
    error: str | None = None  # the runner or the assistant crashed
    turns: list[TurnRecord] = Field(default_factory=list)
    checks: list[Check] = Field(default_factory=list)
    state_before: dict[str, Any] | None = None
    state_after: dict[str, Any] | None = None
    money_violations: list[str] = Field(default_factory=list)
    duration_s: float = 0.0

    @property
    def case_id(self) -> str:
        return self.case.id

    @property
    def failed_checks(self) -> list[Check]:
        return [c for c in self.checks if not c.passed]


class RunResult(BaseModel):
    run_id: str
    started_at: datetime
    model: str
    git_commit: str | None = None
    # tracked files that differed from that commit when the run started (the editable install runs
    # the working tree, so a run of a dirty tree is not a run of `git_commit` alone)
    uncommitted: list[str] = Field(default_factory=list)
    duration_s: float = 0.0
    suites: list[str] = Field(default_factory=list)
    problems: list[str] = Field(default_factory=list)  # rejected suite files and cases
    skipped_suites: dict[str, str] = Field(default_factory=dict)  # suite -> reason
    cases: list[CaseResult] = Field(default_factory=list)
    metrics: dict[str, Any] = Field(default_factory=dict)

    def executed(self) -> list[CaseResult]:
        return [c for c in self.cases if c.skipped is None]
