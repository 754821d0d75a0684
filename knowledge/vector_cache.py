"""Precomputed vectors for a known knowledge base, so a first start need not embed it.

A cache maps sha256(model id, embedding text) to a vector. It is exact by construction: a
chunk whose text changed has a different key and is simply embedded. The demo knowledge base
ships one (`knowledge/assets/demo-kb-vectors.npz`), written by `switchboard ingest
--write-vector-cache` after the articles change.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from knowledge.embedding import Embedder, Vectors


def cache_key(model_id: str, text: str) -> str:
    return hashlib.sha256(f"{model_id}\0{text}".encode()).hexdigest()[:32]


class VectorCache:
    """Read-only lookups in a `.npz` of `keys`, `vectors` (float16) and `model_id`."""

    def __init__(self, keys: Sequence[str], vectors: Vectors, model_id: str) -> None:
        self.model_id = model_id
        self._rows = {key: i for i, key in enumerate(keys)}
        self._vectors = vectors

    @classmethod
    def load(cls, path: Path) -> VectorCache:
        with np.load(path, allow_pickle=False) as data:
            vectors = data["vectors"].astype(np.float32)
            vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
            return cls([str(k) for k in data["keys"]], vectors, str(data["model_id"]))

    def __len__(self) -> int:
        return len(self._rows)

    def get(self, text: str) -> Vectors | None:
        row = self._rows.get(cache_key(self.model_id, text))
        return None if row is None else self._vectors[row]

    @staticmethod
    def write(path: Path, *, model_id: str, texts: Sequence[str], vectors: Vectors) -> None:
        np.savez_compressed(
            path,
            keys=np.array([cache_key(model_id, t) for t in texts]),
            vectors=vectors.astype(np.float16),
            model_id=np.array(model_id),
        )


class CachedEmbedder:
    """An embedder that takes what it can from a cache and embeds only the rest."""

    def __init__(self, inner: Embedder, cache: VectorCache) -> None:
        if cache.model_id != inner.model_id:
            raise ValueError(f"cache is for {cache.model_id}, not {inner.model_id}")
        self.inner = inner
        self.cache = cache
        self.hits = 0

    @property
    def model_id(self) -> str:
        return self.inner.model_id

    async def embed(self, texts: Sequence[str]) -> Vectors:
        found = [self.cache.get(t) for t in texts]
        missing = [i for i, v in enumerate(found) if v is None]
        self.hits += len(texts) - len(missing)
        if not missing:
            hits = [v for v in found if v is not None]
            return np.stack(hits) if hits else np.zeros((0, 0), dtype=np.float32)
        fresh = await self.inner.embed([texts[i] for i in missing])
        out = np.empty((len(texts), fresh.shape[1]), dtype=np.float32)
        out[missing] = fresh
        for i, vector in enumerate(found):
            if vector is not None:
                out[i] = vector
        return out
