"""Documents in, passages out: loaders, chunking, offline embeddings, Chroma, hybrid retrieval.

retriever = build_retriever(settings)            # or get_retriever(settings), shared
passages = await retriever.search("how do I turn on roaming", k=5, customer_type="prepaid")
vectors = await embed_texts(["hi", "top up 10"], settings=settings)   # (n, 384) unit rows
"""

from knowledge.catalog import BssCatalogSource, CatalogOffering, CatalogSource, StaticCatalog
from knowledge.embedding import (
    Embedder,
    LocalEmbedder,
    OpenAIEmbedder,
    embed_texts,
    get_embedder,
    local_embedder,
    make_embedder,
)
from knowledge.factory import build_retriever, ensure_ingested, get_retriever, ingest
from knowledge.fusion import FusionOptions
from knowledge.ingest import IngestReport
from knowledge.offline import seed_tiktoken_cache
from knowledge.passage import Passage, RetrievalSignals, SearchResult
from knowledge.retriever import Retriever

__all__ = [
    "BssCatalogSource",
    "CatalogOffering",
    "CatalogSource",
    "Embedder",
    "FusionOptions",
    "IngestReport",
    "LocalEmbedder",
    "OpenAIEmbedder",
    "Passage",
    "RetrievalSignals",
    "Retriever",
    "SearchResult",
    "StaticCatalog",
    "build_retriever",
    "embed_texts",
    "ensure_ingested",
    "get_embedder",
    "get_retriever",
    "ingest",
    "local_embedder",
    "make_embedder",
    "seed_tiktoken_cache",
]
