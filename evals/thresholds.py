"""The CI gate's thresholds (evals/thresholds.yaml): minima that may only go up and maxima that
may only go down; `violations` lists the metrics of a run that break them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field

from evals.compare import metric

THRESHOLDS_FILE = Path(__file__).parent / "thresholds.yaml"


class Thresholds(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    suites: list[str] = Field(default_factory=list)  # suite names the gate runs (empty: all own)
    sample: int | None = Field(default=None, ge=1)  # at most this many cases, spread evenly
    minimum: dict[str, float] = Field(default_factory=dict)  # metric path -> lowest allowed
    maximum: dict[str, float] = Field(default_factory=dict)  # metric path -> highest allowed
    # The own knowledge-question suite (evals/knowledge, tests/evals/test_knowledge_gate.py): its
    # minima and maxima over that suite's report (paths like `holdout.stated_cited`), not the
    # suites' metrics; only `minimum` and `maximum` are read from it.
    knowledge: Thresholds | None = None


Thresholds.model_rebuild()


def parse(text: str) -> Thresholds:
    data: Any = yaml.safe_load(text) or {}
    return Thresholds.model_validate(data)


def load(path: Path = THRESHOLDS_FILE) -> Thresholds:
    return parse(path.read_text(encoding="utf-8"))


def violations(thresholds: Thresholds, metrics: dict[str, Any]) -> list[str]:
    """Human-readable reasons the metrics fail the gate (empty when they pass)."""
    found: list[str] = []
    for name, low in sorted(thresholds.minimum.items()):
        value = metric(metrics, name)
        if value is None or value < low:
            found.append(f"{name} = {_show(value)} < {low:g}")
    for name, high in sorted(thresholds.maximum.items()):
        value = metric(metrics, name)
        if value is None or value > high:
            found.append(f"{name} = {_show(value)} > {high:g}")
    return found


def loosened(old: Thresholds, new: Thresholds) -> list[str]:
    """How `new` is looser than `old`: a minimum lowered or dropped, a maximum raised or dropped."""
    found: list[str] = []
    for name, low in old.minimum.items():
        if name not in new.minimum:
            found.append(f"minimum {name} was removed (was {low})")
        elif new.minimum[name] < low:
            found.append(f"minimum {name} went down: {low} -> {new.minimum[name]}")
    for name, high in old.maximum.items():
        if name not in new.maximum:
            found.append(f"maximum {name} was removed (was {high})")
        elif new.maximum[name] > high:
            found.append(f"maximum {name} went up: {high} -> {new.maximum[name]}")
    if old.knowledge is not None:
        if new.knowledge is None:
            found.append("the knowledge block was removed")
        else:
            found += [f"knowledge: {f}" for f in loosened(old.knowledge, new.knowledge)]
    return found


def _show(value: float | None) -> str:
    return "None" if value is None else f"{value:.4g}"
