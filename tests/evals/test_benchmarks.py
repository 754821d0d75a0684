from pathlib import Path

import pytest

from evals.benchmarks import BENCHMARKS, DEFAULT_EXTERNAL_DIR, Skip, load_benchmarks, sample
from evals.selection import select


def test_missing_data_skips_with_a_reason(tmp_path: Path) -> None:
    loaded = load_benchmarks(BENCHMARKS, external_dir=tmp_path)
    assert all(isinstance(s, Skip) and "not found" in s.reason for s in loaded)
    chosen = select(["clinc150-oos"], external_dir=tmp_path)
    assert chosen.suites == [] and "clinc150-oos" in chosen.skipped


def test_sample_is_deterministic_and_spread() -> None:
    assert sample(list(range(10)), 3) == [0, 3, 6]
    assert sample(list(range(3)), None) == [0, 1, 2]


@pytest.mark.skipif(not DEFAULT_EXTERNAL_DIR.is_dir(), reason="../shared/external is absent")
def test_benchmarks_build_valid_suites() -> None:
    clinc, banking, tau2 = load_benchmarks(BENCHMARKS)
    assert not isinstance(clinc, Skip) and len(clinc.cases) == 1000
    assert all(c.turns[0].expect.capability == ["out_of_scope"] for c in clinc.cases)
    assert not isinstance(banking, Skip)
    assert all(c.expect.no_tools == ["any_write"] for c in banking.cases)
    assert not isinstance(tau2, Skip) and len(tau2.cases) == 20
    assert all(c.expect.handoff is not None and c.expect.handoff.expected for c in tau2.cases)
    limited = load_benchmarks(["banking77-distractors"], limit=50)[0]
    assert not isinstance(limited, Skip) and len(limited.cases) == 50
