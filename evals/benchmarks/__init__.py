"""Public benchmark suites built at run time from ../shared/external (never copied into the repo).

Each loader returns a `Suite`, or a `Skip` with the reason when its data is absent."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from evals.suite import Suite

DEFAULT_EXTERNAL_DIR = Path(__file__).resolve().parents[2].parent / "shared" / "external"
# Signed-in customers give the assistant every tool, so refusing to act is a real test.
PREPAID_CUSTOMER = "+447700900001"
POSTPAID_CUSTOMER = "+447700900003"

T = TypeVar("T")


@dataclass(frozen=True)
class Skip:
    suite: str
    reason: str


Loader = Callable[[Path, int | None], "Suite | Skip"]


def sample(rows: Sequence[T], limit: int | None) -> list[T]:
    """A deterministic, evenly spread subset of at most `limit` rows (all when None)."""
    if limit is None or limit >= len(rows):
        return list(rows)
    if limit <= 0:
        return []
    step = len(rows) / limit
    return [rows[int(i * step)] for i in range(limit)]


def load_benchmarks(
    names: Sequence[str], *, external_dir: Path = DEFAULT_EXTERNAL_DIR, limit: int | None = None
) -> list[Suite | Skip]:
    from evals import perturb
    from evals.benchmarks import banking77, clinc150, tau2_telecom

    loaders: dict[str, Loader] = {
        perturb.NAME: lambda _dir, _limit: perturb.load(),
        clinc150.NAME: clinc150.load,
        banking77.NAME: banking77.load,
        tau2_telecom.NAME: tau2_telecom.load,
    }
    out: list[Suite | Skip] = []
    for name in names:
        if name not in loaders:
            out.append(Skip(name, f"unknown benchmark (known: {', '.join(sorted(loaders))})"))
            continue
        out.append(loaders[name](external_dir, limit))
    return out


BENCHMARKS: tuple[str, ...] = ("clinc150-oos", "banking77-distractors", "tau2-telecom-transfer")
