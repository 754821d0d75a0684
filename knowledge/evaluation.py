"""Retrieval evaluation: recall@1, recall@5 and MRR per method on a labelled question set.

recall@k is the share of questions with at least one expected document in the top k;
MRR is the mean of 1 / rank of the first expected document (0 when it is not in the top k).
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import get_args

import yaml
from pydantic import AliasChoices, BaseModel, ConfigDict, Field, TypeAdapter

from knowledge.retriever import Mode, Retriever


class LabelledQuestion(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    question: str = Field(min_length=1, validation_alias=AliasChoices("question", "q"))
    expected: list[str] = Field(min_length=1)
    customer_type: str | None = None
    locale: str | None = "en"


class MethodScore(BaseModel):
    mode: Mode
    recall_at_1: float
    recall_at_5: float
    mrr: float
    questions: int


class Miss(BaseModel):
    question: str
    expected: list[str]
    got: list[str]


class RetrievalReport(BaseModel):
    rows: list[MethodScore]
    misses: list[Miss]

    def row(self, mode: Mode) -> MethodScore:
        return next(r for r in self.rows if r.mode == mode)


def default_questions_path() -> Path:
    return Path(str(resources.files("knowledge") / "data" / "retrieval_eval.yaml"))


def load_questions(path: Path) -> list[LabelledQuestion]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if isinstance(data, dict):  # allow {questions: [...]}
        data = data.get("questions", [])
    return TypeAdapter(list[LabelledQuestion]).validate_python(data)


async def evaluate_retrieval(
    retriever: Retriever, questions: list[LabelledQuestion], *, k: int = 5
) -> RetrievalReport:
    """Every method over every question, in one run."""
    rows: list[MethodScore] = []
    misses: list[Miss] = []
    for mode in get_args(Mode):
        hits1 = hits5 = 0
        reciprocal = 0.0
        for q in questions:
            result = await retriever.search_result(
                q.question, k=max(k, 5), customer_type=q.customer_type, locale=q.locale, mode=mode
            )
            ranked = [p.doc_id for p in result.passages]
            rank = next((i for i, d in enumerate(ranked[:k], 1) if d in q.expected), None)
            hits1 += rank == 1
            hits5 += rank is not None and rank <= 5
            reciprocal += 1.0 / rank if rank else 0.0
            if mode == "hybrid" and (rank is None or rank > 5):
                misses.append(Miss(question=q.question, expected=q.expected, got=ranked[:5]))
        n = max(1, len(questions))
        rows.append(
            MethodScore(
                mode=mode,
                recall_at_1=hits1 / n,
                recall_at_5=hits5 / n,
                mrr=reciprocal / n,
                questions=len(questions),
            )
        )
    return RetrievalReport(rows=rows, misses=misses)
