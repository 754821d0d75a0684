"""What retrieval returns: passages to cite, and the signals a confidence model reads."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class RetrievalSignals(BaseModel):
    """Query-level evidence, independent of rank: how well did anything match at all?

    `top_dense` is the best cosine similarity of any candidate chunk (MiniLM: about 0.5+ for a
    relevant passage, under 0.25 for an unrelated one); `top_bm25` is the best raw BM25 score;
    `top_coverage` is the share of the query's words found in the first passage; `relevance`
    (0..1) maps `top_dense` onto "unrelated .. clearly relevant" (see `FusionOptions`); `margin`
    is the rank-fused gap between the first and second document before relevance is applied
    (0..1 scale, small: 0.016 means first vs second place in one ranking).
    """

    model_config = ConfigDict(frozen=True)

    top_dense: float = 0.0
    top_bm25: float = 0.0
    top_coverage: float = 0.0
    relevance: float = 0.0
    margin: float = 0.0
    corrected_query: str | None = None


class Passage(BaseModel):
    """A chunk of one document, ranked, with everything needed to cite it."""

    model_config = ConfigDict(frozen=True)

    doc_id: str
    title: str
    url: str
    section: str
    text: str
    chunk_id: str
    score: float = Field(
        ge=0.0,
        le=1.0,
        description="rank agreement x query relevance: 1 = first in every ranking of a query "
        "that clearly matches the knowledge base; near 0 for an unrelated query",
    )
    dense_score: float | None = Field(default=None, description="cosine similarity of this chunk")
    bm25_score: float | None = Field(default=None, description="raw BM25 score of this chunk")
    coverage: float = Field(default=0.0, ge=0.0, le=1.0, description="share of query words in it")
    signals: RetrievalSignals = RetrievalSignals()


class SearchResult(BaseModel):
    model_config = ConfigDict(frozen=True)

    passages: list[Passage]
    signals: RetrievalSignals
