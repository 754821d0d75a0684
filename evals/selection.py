"""Which suites a run means: files, names of our suites, or public benchmark names."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from evals.benchmarks import BENCHMARKS, DEFAULT_EXTERNAL_DIR, Skip, load_benchmarks
from evals.loader import SUITES_DIR, SuiteProblem, load_suites, suite_files
from evals.suite import Case, Suite

ROBUSTNESS = "robustness"  # the own suites perturbed (evals/perturb.py); run by name


@dataclass
class Selection:
    suites: list[Suite] = field(default_factory=list)
    problems: list[SuiteProblem] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)

    def cases(self) -> list[tuple[Suite, Case]]:
        return [(s, c) for s in self.suites for c in s.cases]


def own_suite_names(directory: Path = SUITES_DIR) -> list[str]:
    return [p.stem for p in suite_files([directory])]


def select(
    names: Sequence[str],
    *,
    suites_dir: Path = SUITES_DIR,
    external_dir: Path = DEFAULT_EXTERNAL_DIR,
    benchmark_limit: int | None = None,
    tags: Sequence[str] = (),
) -> Selection:
    """Resolve `names` (empty: every own suite and every benchmark) and load them."""
    names = list(names) or [*own_suite_names(suites_dir), *BENCHMARKS]
    paths: list[Path] = []
    benchmarks: list[str] = []
    out = Selection()
    for name in names:
        path = Path(name)
        if name in BENCHMARKS or name == ROBUSTNESS:
            benchmarks.append(name)
        elif path.exists():
            paths.append(path)
        elif (suites_dir / f"{name}.yaml").exists():
            paths.append(suites_dir / f"{name}.yaml")
        else:
            out.problems.append(SuiteProblem(name, None, "no such suite file, suite or benchmark"))
    loaded = load_suites(paths)
    out.suites += loaded.suites
    out.problems += loaded.problems
    for item in load_benchmarks(benchmarks, external_dir=external_dir, limit=benchmark_limit):
        if isinstance(item, Skip):
            out.skipped[item.suite] = item.reason
        else:
            out.suites.append(item)
    if tags:
        wanted = set(tags)
        out.suites = [
            s.model_copy(update={"cases": [c for c in s.cases if wanted & {*c.tags, *s.tags}]})
            for s in out.suites
        ]
        out.suites = [s for s in out.suites if s.cases]
    return out
