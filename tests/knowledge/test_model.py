"""End to end with the real offline model: CLI ingest, search, eval, and the re-ingest cost."""

import shutil
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from knowledge.cli import app, eval_app
from knowledge.embedding import local_embedder
from knowledge.factory import default_article_dir, ingest
from switchboard.settings import Settings

pytestmark = pytest.mark.model


def test_local_model_gives_meaningful_unit_vectors() -> None:
    embedder = local_embedder()
    vectors = embedder.embed_sync(
        ["how do I turn on roaming", "switch on roaming abroad", "what is my bill"]
    )
    assert vectors.shape == (3, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert vectors[0] @ vectors[1] > 0.6 > 0.2 > vectors[0] @ vectors[2]
    # batching pads to the longest text: a text's vector does not depend on its batch-mates
    alone = embedder.embed_sync(["what is my bill"])[0]
    assert float(alone @ vectors[2]) == pytest.approx(1.0, abs=1e-4)


def test_cli_ingest_search_and_eval(
    kb_settings: Settings, articles: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("SWITCHBOARD_KNOWLEDGE_DIR", str(articles))
    runner = CliRunner()
    first = runner.invoke(app, ["ingest"])
    assert first.exit_code == 0, first.output
    assert "4" in first.output  # added
    result = runner.invoke(app, ["search", "how do I change my voicemail pin", "-k", "2"])
    assert result.exit_code == 0, result.output
    assert "1. Setting up voicemail" in result.output and "kb-voicemail" in result.output
    questions = tmp_path / "q.yaml"
    questions.write_text(
        "- question: what does roaming cost in france\n  expected: [kb-roaming]\n"
        "- question: how much can I top up\n  expected: [kb-top-up]\n"
    )
    evaluated = runner.invoke(eval_app, ["--questions", str(questions)])
    assert evaluated.exit_code == 0, evaluated.output
    assert "hybrid" in evaluated.output and "bm25" in evaluated.output


async def test_reingesting_an_unchanged_kb_costs_under_5_percent(
    settings: Settings, tmp_path: Path
) -> None:
    # a snapshot of the demo knowledge base (its authors may be editing it right now)
    snapshot = tmp_path / "demo-kb"
    shutil.copytree(default_article_dir(settings), snapshot)
    real = settings.model_copy(update={"knowledge_dir": snapshot})
    full = await ingest(real, rebuild=True)
    again = await ingest(real)
    assert full.chunks_embedded > 50 and again.chunks_embedded == 0
    assert again.seconds < 0.05 * full.seconds, (again.seconds, full.seconds)
