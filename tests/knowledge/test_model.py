"""End to end with the real offline model: CLI ingest, search, eval, and the re-ingest cost."""

import shutil
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from knowledge.chunking import chunk_document
from knowledge.cli import app, eval_app
from knowledge.embedding import local_embedder
from knowledge.factory import SHIPPED_VECTORS, default_article_dir, ingest
from knowledge.loader import load_articles
from knowledge.vector_cache import VectorCache
from switchboard.settings import Settings, load_settings

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
    full = await ingest(real, rebuild=True, embedder=local_embedder())  # no shipped vectors
    again = await ingest(real)
    assert full.chunks_embedded > 50 and again.chunks_embedded == 0
    assert again.seconds < 0.05 * full.seconds, (again.seconds, full.seconds)


async def test_the_shipped_vectors_are_the_models_vectors() -> None:
    cache = VectorCache.load(SHIPPED_VECTORS)
    embedder = local_embedder()
    assert cache.model_id == embedder.model_id and len(cache) > 100
    settings_dir = default_article_dir(load_settings())
    docs = load_articles([settings_dir], root=settings_dir).documents[:5]
    pairs = [(c, d) for d in docs for c in chunk_document(d)]
    texts = [c.embedding_text(d) for c, d in pairs]
    cached = [cache.get(t) for t in texts]
    assert sum(v is not None for v in cached) >= len(texts) // 2  # mostly current
    fresh = embedder.embed_sync(texts)
    for vector, row in zip(cached, fresh, strict=True):
        if vector is not None:
            assert float(vector @ row) > 0.999
