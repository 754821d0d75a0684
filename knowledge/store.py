"""The vector store: one Chroma collection per embedding model, always with explicit vectors.

Chroma's default embedding function downloads a model, so it is never given a chance to run:
every collection is opened with `embedding_function=None`. The embedded client blocks, so every
call runs in a worker thread. The collection's metadata carries an ingestion version that
retrievers poll to know when to rebuild their lexical index.
"""

from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

import chromadb
import numpy as np
from chromadb.config import Settings as ChromaSettings

from switchboard.errors import ConfigError

if TYPE_CHECKING:
    from knowledge.embedding import Vectors
    from switchboard.settings import Settings

Metadata = Mapping[str, str | int | float | bool]


@dataclass(frozen=True)
class StoredChunks:
    ids: list[str]
    texts: list[str]
    metadatas: list[dict[str, Any]]


@dataclass(frozen=True)
class DenseHit:
    id: str
    cosine: float
    text: str
    metadata: dict[str, Any]


def make_chroma_client(settings: Settings) -> Any:
    """A Chroma server client for `chroma_url`, else a persistent client in the data directory."""
    chroma = ChromaSettings(anonymized_telemetry=False, allow_reset=True)
    if settings.chroma_url:
        url = urlparse(settings.chroma_url)
        if url.scheme not in ("http", "https") or not url.hostname:
            raise ConfigError(
                "SWITCHBOARD_CHROMA_URL", "is not an http(s) URL", "Use e.g. http://127.0.0.1:8001"
            )
        port = url.port or (443 if url.scheme == "https" else 80)
        return chromadb.HttpClient(
            host=url.hostname, port=port, ssl=url.scheme == "https", settings=chroma
        )
    path = settings.resolved_chroma_path
    path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(path), settings=chroma)


def collection_name(model_id: str) -> str:
    """`kb-<model>`: vectors of different models never share a collection."""
    slug = re.sub(r"[^a-zA-Z0-9._-]+", "-", model_id).strip("-._")[:50]
    return f"kb-{slug or 'model'}"


class ChunkStore:
    """Async access to the chunk collection of one embedding model."""

    def __init__(self, client: Any, *, model_id: str) -> None:
        self._client = client
        self._name = collection_name(model_id)
        self._collection: Any = None

    async def _col(self) -> Any:
        if self._collection is None:
            self._collection = await asyncio.to_thread(
                self._client.get_or_create_collection,
                self._name,
                embedding_function=None,
                configuration={"hnsw": {"space": "cosine"}},
            )
        return self._collection

    async def count(self) -> int:
        col = await self._col()
        return int(await asyncio.to_thread(col.count))

    async def version(self) -> str:
        col = await self._col()
        fresh = await asyncio.to_thread(
            self._client.get_collection, self._name, embedding_function=None
        )
        self._collection = fresh if fresh is not None else col
        return str((self._collection.metadata or {}).get("ingest_version", ""))

    async def bump_version(self) -> str:
        col = await self._col()
        version = uuid.uuid4().hex
        await asyncio.to_thread(col.modify, metadata={"ingest_version": version})
        return version

    async def metadata_by_id(self) -> dict[str, dict[str, Any]]:
        """Every stored chunk id with its metadata (no texts or vectors)."""
        ids, _, metas = await self._pages(["metadatas"])
        return dict(zip(ids, metas, strict=True))

    async def vectors(self, ids: Sequence[str]) -> dict[str, Vectors]:
        """The stored vectors of `ids` (those that exist)."""
        col = await self._col()
        got = await asyncio.to_thread(col.get, ids=list(ids), include=["embeddings"])
        embeddings = got["embeddings"] if got["embeddings"] is not None else []
        return {
            i: np.asarray(e, dtype=np.float32) for i, e in zip(got["ids"], embeddings, strict=True)
        }

    async def all_chunks(self) -> StoredChunks:
        ids, texts, metas = await self._pages(["documents", "metadatas"])
        return StoredChunks(ids, texts, metas)

    async def _pages(
        self, include: list[str], page: int = 5000
    ) -> tuple[list[str], list[str], list[dict[str, Any]]]:
        """Everything, a page at a time: one `get` of 100k rows fails in Chroma with
        "too many SQL variables"."""
        col = await self._col()
        ids: list[str] = []
        texts: list[str] = []
        metas: list[dict[str, Any]] = []
        while True:
            got = await asyncio.to_thread(col.get, include=include, limit=page, offset=len(ids))
            ids.extend(got["ids"])
            texts.extend(got["documents"] or [])
            metas.extend(dict(m) for m in got["metadatas"] or [])
            if len(got["ids"]) < page:
                return ids, texts, metas

    async def upsert(
        self,
        *,
        ids: Sequence[str],
        vectors: Vectors,
        texts: Sequence[str],
        metadatas: Sequence[Metadata],
    ) -> None:
        col = await self._col()
        step = max(1, min(5000, int(self._client.get_max_batch_size())))
        for i in range(0, len(ids), step):
            await asyncio.to_thread(
                col.upsert,
                ids=list(ids[i : i + step]),
                embeddings=vectors[i : i + step],
                documents=list(texts[i : i + step]),
                metadatas=[dict(m) for m in metadatas[i : i + step]],
            )

    async def delete(self, ids: Sequence[str]) -> None:
        if not ids:
            return
        col = await self._col()
        for i in range(0, len(ids), 5000):
            await asyncio.to_thread(col.delete, ids=list(ids[i : i + 5000]))

    async def nearest(self, vector: Vectors, *, n: int) -> list[tuple[str, float]]:
        """(chunk id, cosine) of the `n` nearest chunks, unfiltered: the fast path."""
        col = await self._col()
        result = await asyncio.to_thread(
            col.query, query_embeddings=vector.reshape(1, -1), n_results=n, include=["distances"]
        )
        distances = (result["distances"] or [[]])[0]
        return [(i, 1.0 - float(d)) for i, d in zip(result["ids"][0], distances, strict=True)]

    async def query(
        self, vector: Vectors, *, n: int, where: dict[str, Any] | None = None
    ) -> list[DenseHit]:
        col = await self._col()
        result = await asyncio.to_thread(
            col.query,
            query_embeddings=vector.reshape(1, -1),
            n_results=n,
            where=where,
            include=["distances", "documents", "metadatas"],
        )
        ids, dists = result["ids"][0], (result["distances"] or [[]])[0]
        texts, metas = (result["documents"] or [[]])[0], (result["metadatas"] or [[]])[0]
        return [
            DenseHit(i, 1.0 - float(d), t or "", dict(m or {}))
            for i, d, t, m in zip(ids, dists, texts, metas, strict=True)
        ]

    async def reset(self) -> None:
        """Drop the collection (a `--rebuild`)."""
        names = {
            getattr(c, "name", c) for c in await asyncio.to_thread(self._client.list_collections)
        }
        if self._name in names:
            await asyncio.to_thread(self._client.delete_collection, self._name)
        self._collection = None
