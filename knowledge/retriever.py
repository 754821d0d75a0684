"""Hybrid retrieval: dense (Chroma) and BM25 rankings fused by reciprocal rank, per document."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from knowledge.document import CUSTOMER_TYPES
from knowledge.embedding import Embedder
from knowledge.fusion import (
    Candidate,
    FusionOptions,
    doc_of,
    doc_ranks,
    doc_strength,
    passage,
)
from knowledge.lexical import LexicalIndex
from knowledge.passage import Passage, RetrievalSignals, SearchResult
from knowledge.store import ChunkStore

Mode = Literal["hybrid", "dense", "bm25"]
DOC_PRIOR = 1.0  # `sections`: weight of the chunk's document rank next to its own rank
TOPIC_BOOST = 0.1  # `sections`: a chunk of the asked topic's (capability's) articles, likewise
SEGMENT_BOOST = 0.1  # `sections`: a chunk for the customer's own segment ranks this much higher


class Retriever:
    """Searches the chunk store; rebuilds its BM25 index when an ingestion changed the store."""

    def __init__(
        self,
        *,
        store: ChunkStore,
        embedder: Embedder,
        fusion: FusionOptions | None = None,
        refresh_interval_s: float = 5.0,
    ) -> None:
        self.store = store
        self.embedder = embedder
        self.fusion = fusion or FusionOptions()
        self._refresh_interval_s = refresh_interval_s
        self._lexical = LexicalIndex([], [], [])
        self._version: str | None = None
        self._checked_at = float("-inf")
        self._lock = asyncio.Lock()

    async def refresh(self, *, force: bool = False) -> None:
        """Reload the lexical index if the store's ingestion version changed."""
        async with self._lock:
            if not force and time.monotonic() - self._checked_at < self._refresh_interval_s:
                return
            version = await self.store.version()
            self._checked_at = time.monotonic()
            if version == self._version and not force:
                return
            chunks = await self.store.all_chunks()
            self._lexical = await asyncio.to_thread(
                LexicalIndex, chunks.ids, chunks.texts, chunks.metadatas
            )
            self._version = version

    async def search(
        self, query: str, *, k: int = 5, customer_type: str | None = None, locale: str | None = "en"
    ) -> list[Passage]:
        """The `k` best passages, at most one per document, best first."""
        result = await self.search_result(query, k=k, customer_type=customer_type, locale=locale)
        return result.passages

    async def search_result(
        self,
        query: str,
        *,
        k: int = 5,
        customer_type: str | None = None,
        locale: str | None = "en",
        mode: Mode = "hybrid",
    ) -> SearchResult:
        """Passages and query-level signals; `mode` picks one ranking alone (for evaluation)."""
        customer_type = _segment(customer_type)
        await self.refresh()
        lexical = self._lexical
        if not query.strip() or not len(lexical):
            return SearchResult(passages=[], signals=RetrievalSignals())
        corrected = lexical.correct(query)
        n = min(self.fusion.candidates, len(lexical))
        candidates: dict[str, Candidate] = {}
        rankings: list[tuple[str, float]] = []
        mask = lexical.mask(locale=locale, customer_type=customer_type)
        if mode in ("hybrid", "dense"):
            await self._dense(corrected, n, candidates, mask, customer_type, locale)
            rankings.append(("dense", self.fusion.dense_weight))
        if mode in ("hybrid", "bm25"):
            for rank, hit in enumerate(lexical.search(corrected, n=n, mask=mask), 1):
                cand = candidates.setdefault(
                    lexical.ids[hit.index],
                    Candidate(
                        lexical.ids[hit.index],
                        lexical.texts[hit.index],
                        lexical.metadatas[hit.index],
                    ),
                )
                cand.bm25, cand.ranks["bm25"] = hit.score, rank
            rankings.append(("bm25", self.fusion.bm25_weight))
        return self._fuse(
            candidates.values(),
            rankings,
            k=k,
            query=corrected,
            corrected=corrected if corrected != query.lower() else None,
        )

    async def sections(
        self,
        query: str,
        *,
        k: int = 6,
        per_doc: int = 3,
        customer_type: str | None = None,
        locale: str | None = "en",
        topic: str | None = None,
    ) -> list[Passage]:
        """The `k` best chunks (sections), up to `per_doc` from one document, best first.

        Unlike `search`, a chunk is ranked on its own (an article's second section can beat
        another article's first), and the customer's segment is boosted, not filtered: a
        prepaid customer asking about Direct Debit before switching still gets the answer.
        `topic` (a capability id) boosts that capability's articles the same way."""
        segment = _segment(customer_type)
        await self.refresh()
        lexical = self._lexical
        if not query.strip() or not len(lexical):
            return []
        corrected = lexical.correct(query)
        n = min(self.fusion.candidates, len(lexical))
        candidates: dict[str, Candidate] = {}
        mask = lexical.mask(locale=locale, customer_type=None)
        await self._dense(corrected, n, candidates, mask, None, locale)
        for rank, hit in enumerate(lexical.search(corrected, n=n, mask=mask), 1):
            cand = candidates.setdefault(
                lexical.ids[hit.index],
                Candidate(
                    lexical.ids[hit.index], lexical.texts[hit.index], lexical.metadatas[hit.index]
                ),
            )
            cand.bm25, cand.ranks["bm25"] = hit.score, rank
        rankings = [("dense", self.fusion.dense_weight), ("bm25", self.fusion.bm25_weight)]
        rrf_k = self.fusion.rrf_k
        best_possible = sum(w / (rrf_k + 1) for _, w in rankings)

        doc_prior = {
            doc: sum(w / (rrf_k + r[name]) for name, w in rankings if name in r) / best_possible
            for doc, r in doc_ranks(list(candidates.values()), rankings).items()
        }

        def fused(c: Candidate) -> float:
            score = sum(w / (rrf_k + c.ranks[name]) for name, w in rankings if name in c.ranks)
            prior = DOC_PRIOR * doc_prior.get(doc_of(c), 0.0)
            return (score / best_possible + prior) / (1 + DOC_PRIOR)

        def boosted(c: Candidate) -> float:  # the order only; the score stays comparable
            own = SEGMENT_BOOST if segment and c.metadata.get(f"ct_{segment}") else 0.0
            on_topic = TOPIC_BOOST if topic and c.metadata.get("capability") == topic else 0.0
            return fused(c) + own + on_topic

        chunks = sorted(
            (c for c in candidates.values() if c.metadata.get("kind") != "title"),
            key=lambda c: (-boosted(c), c.chunk_id),
        )
        top_dense = max((c.dense for c in candidates.values() if c.dense is not None), default=0.0)
        opts = self.fusion
        relevance = min(
            1.0,
            max(
                0.0,
                (top_dense - opts.relevance_floor) / (opts.relevance_full - opts.relevance_floor),
            ),
        )
        signals = RetrievalSignals(top_dense=top_dense, relevance=relevance)
        out: list[Passage] = []
        taken: dict[str, int] = {}
        for c in chunks:
            doc = doc_of(c)
            if taken.get(doc, 0) >= per_doc:
                continue
            taken[doc] = taken.get(doc, 0) + 1
            score = min(1.0, fused(c)) * relevance
            out.append(passage(c, score, corrected, lexical, signals))
            if len(out) == k:
                break
        return out

    async def _dense(
        self,
        query: str,
        n: int,
        candidates: dict[str, Candidate],
        mask: NDArray[np.bool_] | None,
        customer_type: str | None,
        locale: str | None,
    ) -> None:
        """Nearest chunks by cosine. Chroma's own metadata filter costs ~50 ms of CPU per query
        even when it keeps most chunks, so the filter is applied here to an over-fetched
        unfiltered result, with Chroma's filter only as the fallback for a rare segment."""
        lexical = self._lexical
        vector = (await self.embedder.embed([query]))[0]
        share = 1.0 if mask is None else float(mask.mean())
        fetch = min(len(lexical), n if mask is None else int(n / max(share, 0.05) * 1.5) + 1)
        hits: list[tuple[int, float]] = []
        if share >= 0.2:
            for chunk_id, cosine in await self.store.nearest(vector, n=fetch):
                index = lexical.index_of(chunk_id)
                if index is not None and (mask is None or mask[index]):
                    hits.append((index, cosine))
        if len(hits) < min(n, int(share * len(lexical))):
            where = _where(customer_type=customer_type, locale=locale)
            hits = [
                (index, hit.cosine)
                for hit in await self.store.query(vector, n=n, where=where)
                if (index := lexical.index_of(hit.id)) is not None
            ]
        for rank, (index, cosine) in enumerate(hits[:n], 1):
            chunk_id = lexical.ids[index]
            cand = candidates.setdefault(
                chunk_id, Candidate(chunk_id, lexical.texts[index], lexical.metadatas[index])
            )
            cand.dense, cand.ranks["dense"] = cosine, rank

    def _fuse(
        self,
        candidates: Iterable[Candidate],
        rankings: list[tuple[str, float]],
        *,
        k: int,
        query: str,
        corrected: str | None,
    ) -> SearchResult:
        rrf_k = self.fusion.rrf_k
        cands = list(candidates)
        best_possible = sum(w / (rrf_k + 1) for _, w in rankings) or 1.0

        def fused(ranks: dict[str, int]) -> float:
            return sum(w / (rrf_k + ranks[name]) for name, w in rankings if name in ranks)

        doc_scores = {
            doc: fused(r) / best_possible for doc, r in doc_ranks(cands, rankings).items()
        }
        # equal fused ranks (1st + 3rd vs 2nd + 2nd) are common; break ties by the scores
        strength = doc_strength(cands, rankings)
        ranked = sorted(doc_scores, key=lambda d: (-doc_scores[d], -strength.get(d, 0.0), d))
        ordered = ranked[:k]
        shown = self._representatives(cands, ordered, fused)
        scores = [doc_scores[d] for d in ranked[:2]]  # the margin looks past k = 1
        top_dense = max((c.dense for c in cands if c.dense is not None), default=0.0)
        coverage = (
            self._lexical.coverage(query, shown[0].chunk_id, shown[0].text, shown[0].metadata)
            if shown
            else 0.0
        )
        opts = self.fusion
        relevance = (
            min(
                1.0,
                max(
                    0.0,
                    (top_dense - opts.relevance_floor)
                    / (opts.relevance_full - opts.relevance_floor),
                ),
            )
            if any(name == "dense" for name, _ in rankings)
            else coverage
        )
        signals = RetrievalSignals(
            top_dense=top_dense,
            top_bm25=max((c.bm25 for c in cands if c.bm25 is not None), default=0.0),
            top_coverage=coverage,
            relevance=relevance,
            margin=scores[0] - scores[1] if len(scores) > 1 else (scores[0] if scores else 0.0),
            corrected_query=corrected,
        )
        passages = [
            passage(c, min(1.0, doc_scores[d]) * relevance, query, self._lexical, signals)
            for d, c in zip(ordered, shown, strict=True)
        ]
        return SearchResult(passages=passages, signals=signals)

    def _representatives(
        self, cands: list[Candidate], docs: list[str], fused: Callable[[dict[str, int]], float]
    ) -> list[Candidate]:
        """The passage shown for each document: its best-fused real chunk, or its first chunk
        when only its title record matched."""
        best: dict[str, Candidate] = {}
        for c in cands:
            doc = doc_of(c)
            if c.metadata.get("kind") != "title" and (
                doc not in best or fused(c.ranks) > fused(best[doc].ranks)
            ):
                best[doc] = c
        lexical = self._lexical
        for doc in docs:
            index = lexical.first_chunk(doc)
            if doc not in best and index is not None:
                best[doc] = Candidate(
                    lexical.ids[index], lexical.texts[index], lexical.metadatas[index]
                )
            elif doc not in best:  # the snapshot predates this document: show the title record
                best[doc] = next(c for c in cands if doc_of(c) == doc)
        return [best[d] for d in docs]


def _segment(customer_type: str | None) -> str | None:
    if customer_type in (None, "", "all"):
        return None
    if customer_type not in CUSTOMER_TYPES:
        raise ValueError(f"unknown customer_type {customer_type!r}")
    return customer_type


def _where(*, customer_type: str | None, locale: str | None) -> dict[str, Any] | None:
    clauses: list[dict[str, Any]] = []
    if locale:
        clauses.append({"locale": locale})
    if customer_type:
        clauses.append({f"ct_{customer_type}": True})
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}
