"""The in-scope probability: a logistic model over the recognizer's features.

Its weights are fitted by `bench/oos_bench.py --calibrate` at evaluation time: positives are the
shipped in-scope exemplars (leave-one-out), negatives are our own out-of-scope exemplars
(leave-one-out) and the CLINC150 *train/val* splits (read from ../shared, never copied). Only
the fitted numbers are stored here, in `calibration.json`; the test splits are never used.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from importlib import resources
from pathlib import Path

FEATURES = (
    "embedding_top",
    "embedding_in",
    "embedding_oos",
    "lexical_in",
    "lexical_oos",
    "domain",
    "banking",
)


@dataclass(frozen=True, slots=True)
class Calibration:
    weights: tuple[float, ...]
    bias: float
    threshold: float
    fitted_on: str = "hand-set defaults"

    def probability(self, features: Sequence[float]) -> float:
        z = self.bias + sum(w * f for w, f in zip(self.weights, features, strict=True))
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def save(self, path: Path) -> None:
        data = asdict(self)
        data["features"] = list(FEATURES)
        path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


DEFAULT = Calibration(weights=(2.0, 8.0, -2.5, 3.5, -2.5, 3.0, -2.3), bias=-4.5, threshold=0.3)


def calibration_path() -> Path:
    return Path(str(resources.files("assistant.local") / "calibration.json"))


def load_calibration(path: Path | None = None) -> Calibration:
    path = path or calibration_path()
    if not path.is_file():
        return DEFAULT
    data = json.loads(path.read_text(encoding="utf-8"))
    return Calibration(
        weights=tuple(float(w) for w in data["weights"]),
        bias=float(data["bias"]),
        threshold=float(data["threshold"]),
        fitted_on=str(data.get("fitted_on", "")),
    )
