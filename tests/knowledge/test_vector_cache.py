from pathlib import Path

import numpy as np

from knowledge.factory import SHIPPED_VECTORS, ingest
from knowledge.vector_cache import CachedEmbedder, VectorCache
from switchboard.settings import Settings
from tests.knowledge.conftest import FakeEmbedder


async def test_cached_texts_are_not_embedded_again(tmp_path: Path) -> None:
    inner = FakeEmbedder()
    known = ["roaming in spain", "voicemail pin"]
    path = tmp_path / "cache.npz"
    VectorCache.write(path, model_id=inner.model_id, texts=known, vectors=await inner.embed(known))
    inner.texts.clear()
    cached = CachedEmbedder(inner, VectorCache.load(path))
    vectors = await cached.embed(["voicemail pin", "top up", "roaming in spain"])
    assert inner.texts == ["top up"] and cached.hits == 2
    expected = await FakeEmbedder().embed(["voicemail pin", "top up", "roaming in spain"])
    assert np.allclose(vectors, expected, atol=2e-3)  # float16 storage
    assert cached.model_id == inner.model_id


async def test_a_cache_for_another_model_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "cache.npz"
    VectorCache.write(path, model_id="other", texts=["a"], vectors=np.ones((1, 4), np.float32))
    try:
        CachedEmbedder(FakeEmbedder(), VectorCache.load(path))
    except ValueError as exc:
        assert "other" in str(exc)
    else:
        raise AssertionError("a cache for another model was accepted")


async def test_the_shipped_cache_is_not_used_for_another_embedder(
    kb_settings: Settings, embedder: FakeEmbedder
) -> None:
    assert SHIPPED_VECTORS.is_file()
    report = await ingest(kb_settings, embedder=embedder)
    assert len(embedder.texts) == report.chunks_embedded  # all embedded by the given embedder
