from pathlib import Path

import pytest

from knowledge.evaluation import LabelledQuestion, evaluate_retrieval, load_questions
from knowledge.factory import build_retriever, ingest
from switchboard.settings import Settings
from tests.knowledge.conftest import FakeEmbedder


async def test_all_three_methods_are_scored_in_one_run(
    kb_settings: Settings, embedder: FakeEmbedder
) -> None:
    await ingest(kb_settings, embedder=embedder)
    questions = [
        LabelledQuestion(question="how do I set up voicemail", expected=["kb-voicemail"]),
        LabelledQuestion(question="roaming price in the EU", expected=["kb-roaming"]),
        LabelledQuestion(
            question="when is my bill due", expected=["kb-bill"], customer_type="postpaid"
        ),
        LabelledQuestion(question="astronaut training", expected=["kb-nowhere"]),
    ]
    report = await evaluate_retrieval(build_retriever(kb_settings, embedder=embedder), questions)
    assert [r.mode for r in report.rows] == ["hybrid", "dense", "bm25"]
    hybrid = report.row("hybrid")
    assert hybrid.recall_at_1 == hybrid.recall_at_5 == hybrid.mrr == pytest.approx(0.75)
    assert [m.question for m in report.misses] == ["astronaut training"]


def test_questions_file_formats(tmp_path: Path) -> None:
    plain = tmp_path / "a.yaml"
    plain.write_text("- question: q1\n  expected: [kb-a]\n")
    wrapped = tmp_path / "b.yaml"
    wrapped.write_text("questions:\n  - q: q2\n    expected: [kb-b, kb-c]\n")
    assert load_questions(plain)[0].expected == ["kb-a"]
    assert load_questions(wrapped)[0].expected == ["kb-b", "kb-c"]
    assert load_questions(wrapped)[0].question == "q2"
