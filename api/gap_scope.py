"""Does a refused question read like a telco one? Its nearest exemplar utterance
(knowledge/data/exemplars, the same files the local engine learns from) decides: nearest to a
telco capability's exemplar means telco, nearest to an `out_of_scope` one (travel, cooking,
banking...) means not. One nearest neighbour, no threshold to tune: a question the engine
refused only because it was phrased unlike anything it knew still lands near its topic."""

from __future__ import annotations

import asyncio
from pathlib import Path

import numpy as np

from assistant.local.exemplars import load_exemplars
from knowledge.embedding import Embedder, Vectors, get_embedder
from switchboard.settings import Settings

NOT_TELCO: frozenset[str] = frozenset({"out_of_scope", "greeting"})


class ExemplarScope:
    """A `ScopeCheck` (api/gaps.py) over the exemplar files; their vectors are computed once."""

    def __init__(self, embedder: Embedder, directory: Path | None = None) -> None:
        self._embedder = embedder
        self._exemplars = load_exemplars(directory)
        self._vectors: Vectors | None = None
        self._lock = asyncio.Lock()

    async def __call__(self, vectors: Vectors) -> list[bool]:
        reference = await self._reference()
        nearest = np.argmax(np.asarray(vectors) @ reference.T, axis=1)
        return [self._exemplars[int(i)].capability not in NOT_TELCO for i in nearest]

    async def _reference(self) -> Vectors:
        async with self._lock:
            if self._vectors is None:
                self._vectors = await self._embedder.embed([e.text for e in self._exemplars])
            return self._vectors


_SHARED: dict[tuple[str, Path | None], ExemplarScope] = {}


def shared_scope(settings: Settings) -> ExemplarScope:
    """One scope check per embedder and exemplar folder in a process (its vectors take seconds)."""
    key = (settings.embeddings, settings.exemplars_dir)
    if key not in _SHARED:
        _SHARED[key] = ExemplarScope(get_embedder(settings), settings.exemplars_dir)
    return _SHARED[key]
