"""The lexical side of hybrid retrieval: BM25 (bm25s) over stemmed words, with filters.

Titles are indexed twice (a title match is worth more than a body match) and tags once; the
index is rebuilt from the store whenever the store's ingestion version changes.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import bm25s
import numpy as np
from numpy.typing import NDArray

from knowledge.document import CUSTOMER_TYPES
from knowledge.text import CHAT_SPEAK, Speller, normalise, stems, words


@dataclass(frozen=True)
class LexicalHit:
    index: int
    score: float


def indexed_words(text: str, metadata: dict[str, Any]) -> list[str]:
    """The surface words a chunk is indexed under (title boosted)."""
    title = words(str(metadata.get("title", "")))
    section = words(str(metadata.get("section", "")))
    tags = words(str(metadata.get("tags", "")).replace(",", " "))
    return title + title + section + tags + words(text)


class LexicalIndex:
    """BM25 over a snapshot of the store's chunks."""

    def __init__(
        self, ids: Sequence[str], texts: Sequence[str], metadatas: Sequence[dict[str, Any]]
    ):
        self.ids = list(ids)
        self.texts = list(texts)
        self.metadatas = list(metadatas)
        surface = [indexed_words(t, m) for t, m in zip(texts, metadatas, strict=True)]
        self.speller = Speller(Counter(w for doc in surface for w in doc))
        self._bm25 = bm25s.BM25(k1=1.2, b=0.75)
        if self.ids:
            self._bm25.index([stems(doc) or [""] for doc in surface], show_progress=False)
        self._terms: dict[str, frozenset[str]] = {}
        self._index = {chunk_id: i for i, chunk_id in enumerate(self.ids)}
        self._first_chunk: dict[str, int] = {}
        for i, m in enumerate(metadatas):
            doc = str(m.get("doc_id", ""))
            if m.get("kind") != "title" and (
                doc not in self._first_chunk
                or int(m.get("position", 0))
                < int(metadatas[self._first_chunk[doc]].get("position", 0))
            ):
                self._first_chunk[doc] = i
        self._locale = np.array([str(m.get("locale", "")) for m in metadatas])
        self._segments: dict[str, NDArray[np.bool_]] = {
            seg: np.array([bool(m.get(f"ct_{seg}", False)) for m in metadatas])
            for seg in CUSTOMER_TYPES
        }

    def index_of(self, chunk_id: str) -> int | None:
        return self._index.get(chunk_id)

    def first_chunk(self, doc_id: str) -> int | None:
        """Index of a document's first passage (for a document found by its title alone)."""
        return self._first_chunk.get(doc_id)

    def __len__(self) -> int:
        return len(self.ids)

    def correct(self, query: str) -> str:
        """The query with words the corpus has never seen replaced by their likely spelling."""
        tokens = normalise(query).split()
        fixed = [self._fix_token(CHAT_SPEAK.get(tok, tok)) for tok in tokens]
        return " ".join(fixed)

    def _fix_token(self, token: str) -> str:
        core = token.strip(".,!?;:()\"'")
        if not core.isalpha():
            return token
        return token.replace(core, self.speller.correct(core))

    def mask(self, *, locale: str | None, customer_type: str | None) -> NDArray[np.bool_] | None:
        if not self.ids:
            return None
        keep = np.ones(len(self.ids), dtype=bool)
        if locale:
            keep &= self._locale == locale
        if customer_type:
            keep &= self._segments[customer_type]
        return keep

    def search(
        self, query: str, *, n: int, mask: NDArray[np.bool_] | None = None
    ) -> list[LexicalHit]:
        """The `n` best chunks with a positive score, best first."""
        terms = stems(words(query))
        if not self.ids or not terms:
            return []
        weights = None if mask is None else mask.astype(np.float32)
        scores = np.asarray(self._bm25.get_scores(terms, weight_mask=weights))
        n = min(n, len(scores))
        top = np.argpartition(-scores, n - 1)[:n]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [LexicalHit(int(i), float(scores[i])) for i in top if scores[i] > 0]

    def coverage(self, query: str, chunk_id: str, text: str, metadata: dict[str, Any]) -> float:
        """Share of the query's words found in a chunk (0..1): an absolute signal."""
        terms = set(stems(words(query)))
        if not terms:
            return 0.0
        chunk = self._terms.get(chunk_id)
        if chunk is None:
            if len(self._terms) > 10_000:
                self._terms.clear()
            chunk = self._terms[chunk_id] = frozenset(stems(indexed_words(text, metadata)))
        return len(terms & chunk) / len(terms)
