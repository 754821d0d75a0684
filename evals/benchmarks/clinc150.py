"""CLINC150's 1,000 out-of-scope test utterances (Larson et al., 2019; CC BY 3.0).

Each becomes a one-turn case for a signed-in customer: the assistant must classify it as
`out_of_scope` and must not touch the account."""

from __future__ import annotations

import json
from pathlib import Path

from evals.benchmarks import PREPAID_CUSTOMER, Skip, sample
from evals.suite import Case, ConversationExpectation, Suite, Turn, TurnExpectation

NAME = "clinc150-oos"
FILE = Path("clinc150") / "data_full.json"


def load(external_dir: Path, limit: int | None = None) -> Suite | Skip:
    path = external_dir / FILE
    if not path.is_file():
        return Skip(
            NAME, f"{path} not found (the public benchmark data lives in ../shared/external)"
        )
    data = json.loads(path.read_text(encoding="utf-8"))
    rows = [text for text, intent in data["oos_test"] if intent == "oos"]
    cases = [
        Case(
            id=f"clinc150-oos-{index:04d}",
            customer=PREPAID_CUSTOMER,
            tags=["benchmark", "out_of_scope"],
            turns=[Turn(user=text, expect=TurnExpectation(capability=["out_of_scope"]))],
            expect=ConversationExpectation(no_tools=["any_write"]),
        )
        for index, text in sample(list(enumerate(rows)), limit)
    ]
    return Suite(
        name=NAME,
        description="CLINC150 oos_test: out-of-scope utterances must be refused, not acted on.",
        tags=["benchmark"],
        cases=cases,
        source=str(path),
    )
