"""Reciprocal rank fusion's parts: its options, a candidate chunk with its ranks, and the
document-level readings of candidates (rank, strength) that `Retriever` fuses."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from knowledge.lexical import LexicalIndex
from knowledge.passage import Passage, RetrievalSignals


@dataclass(frozen=True)
class FusionOptions:
    """Reciprocal rank fusion: fused(doc) = sum of weight / (rrf_k + rank) over the rankings.

    A passage's `score` is its fused score relative to the best possible (first in every
    ranking) times the query's relevance: how close the best dense cosine is to what a
    relevant passage gets (`relevance_floor` -> 0, `relevance_full` -> 1; the defaults suit
    MiniLM, where relevant passages score 0.45+ and unrelated ones under 0.35). Without the
    dense ranking, relevance is the share of query words the first passage contains.
    """

    rrf_k: int = 60
    dense_weight: float = 1.0
    bm25_weight: float = 1.0
    candidates: int = 40
    relevance_floor: float = 0.25
    relevance_full: float = 0.55


@dataclass
class Candidate:
    chunk_id: str
    text: str
    metadata: dict[str, Any]
    dense: float | None = None
    bm25: float | None = None
    ranks: dict[str, int] = field(default_factory=dict)


def doc_of(c: Candidate) -> str:
    return str(c.metadata.get("doc_id", c.chunk_id))


def doc_strength(cands: list[Candidate], rankings: list[tuple[str, float]]) -> dict[str, float]:
    """Each document's best scores, relative to the best of each ranking, weighted."""
    weights = dict(rankings)
    top_dense = max((c.dense for c in cands if c.dense is not None), default=0.0) or 1.0
    top_bm25 = max((c.bm25 for c in cands if c.bm25 is not None), default=0.0) or 1.0
    dense: dict[str, float] = {}
    bm25: dict[str, float] = {}
    for c in cands:
        doc = doc_of(c)
        if c.dense is not None:
            dense[doc] = max(dense.get(doc, 0.0), c.dense / top_dense)
        if c.bm25 is not None:
            bm25[doc] = max(bm25.get(doc, 0.0), c.bm25 / top_bm25)
    return {
        doc: weights.get("dense", 0.0) * dense.get(doc, 0.0)
        + weights.get("bm25", 0.0) * bm25.get(doc, 0.0)
        for doc in dense.keys() | bm25.keys()
    }


def doc_ranks(
    cands: list[Candidate], rankings: list[tuple[str, float]]
) -> dict[str, dict[str, int]]:
    """A document's rank in each ranking: the rank of its best record among documents."""
    doc_rank: dict[str, dict[str, int]] = {}
    for name, _ in rankings:
        ranked = sorted((c for c in cands if name in c.ranks), key=lambda c: c.ranks[name])
        order: dict[str, None] = {}
        for c in ranked:
            order.setdefault(doc_of(c), None)
        for rank, doc in enumerate(order, 1):
            doc_rank.setdefault(doc, {})[name] = rank
    return doc_rank


def passage(
    c: Candidate, score: float, query: str, lexical: LexicalIndex, signals: RetrievalSignals
) -> Passage:
    m = c.metadata
    return Passage(
        doc_id=str(m.get("doc_id", "")),
        title=str(m.get("title", "")),
        url=str(m.get("url", "")),
        section=str(m.get("section", "")),
        text=c.text,
        chunk_id=c.chunk_id,
        score=score,
        dense_score=c.dense,
        bm25_score=c.bm25,
        coverage=lexical.coverage(query, c.chunk_id, c.text, m),
        signals=signals,
    )
