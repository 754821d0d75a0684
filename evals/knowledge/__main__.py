"""`python -m evals.knowledge [--split tune|holdout|all] [--failures out.jsonl] [--gate]`: the own
knowledge-question suite on the local engine, numbers per split (evals/knowledge/__init__.py)."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from evals.devsets import emit
from evals.knowledge import QUESTIONS_FILE, SPLITS, measure


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="The own knowledge-question suite, per split.")
    parser.add_argument("--split", choices=(*SPLITS, "all"), default="all")
    parser.add_argument("--questions", type=Path, default=QUESTIONS_FILE)
    parser.add_argument("--failures", type=Path, default=None, help="write failures (JSONL)")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument(
        "--gate", action="store_true", help="the gate's set: anonymous + one signed-in customer"
    )
    args = parser.parse_args(argv)
    out = measure(args.split, path=args.questions, jobs=args.jobs, gate=args.gate)
    emit(out, args.failures)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
