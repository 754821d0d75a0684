"""Wiring from settings: the store, the retriever, ingestion of the configured knowledge base."""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Sequence
from importlib import resources
from pathlib import Path

import numpy as np

from knowledge.catalog import CATALOG_SOURCE, CatalogSource, load_catalog
from knowledge.chunking import ChunkingOptions, chunk_document
from knowledge.document import Document
from knowledge.embedding import Embedder, get_embedder
from knowledge.fusion import FusionOptions
from knowledge.ingest import IngestReport, Progress, ingest_documents
from knowledge.loader import DEFAULT_MAX_BYTES, LoadProblem, load_articles
from knowledge.offline import seed_tiktoken_cache
from knowledge.retriever import Retriever
from knowledge.store import ChunkStore, make_chroma_client
from knowledge.vector_cache import CachedEmbedder, VectorCache
from switchboard.errors import ConfigError
from switchboard.settings import Settings

ARTICLES_SOURCE = "articles"
SHIPPED_VECTORS = Path(str(resources.files("knowledge") / "assets" / "demo-kb-vectors.npz"))
_retrievers: dict[tuple[str, str], Retriever] = {}
log = logging.getLogger(__name__)


def default_article_dir(settings: Settings) -> Path:
    """`Settings.knowledge_dir`, else the demo knowledge base shipped in the package."""
    return settings.knowledge_dir or Path(str(resources.files("knowledge") / "data" / "articles"))


def open_store(settings: Settings, embedder: Embedder) -> ChunkStore:
    return ChunkStore(make_chroma_client(settings), model_id=embedder.model_id)


def build_retriever(
    settings: Settings, *, embedder: Embedder | None = None, fusion: FusionOptions | None = None
) -> Retriever:
    """A new retriever over the configured store (tests pass a fake `embedder`)."""
    embedder = embedder or get_embedder(settings)
    return Retriever(store=open_store(settings, embedder), embedder=embedder, fusion=fusion)


def get_retriever(settings: Settings) -> Retriever:
    """The process's shared retriever for `settings` (one per store and embedding model)."""
    key = (str(settings.chroma_url or settings.resolved_chroma_path), settings.embeddings)
    if key not in _retrievers:
        _retrievers[key] = build_retriever(settings)
    return _retrievers[key]


async def ingest(
    settings: Settings,
    *,
    paths: Sequence[Path] | None = None,
    catalog: CatalogSource | None = None,
    embedder: Embedder | None = None,
    rebuild: bool = False,
    prune: bool = False,
    dry_run: bool = False,
    progress: Progress | None = None,
    options: ChunkingOptions | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> IngestReport:
    """Ingest article files (default: the configured knowledge base) and, if given, the catalog.

    Articles are added or updated; one missing from `paths` is removed only with `prune` (the
    catalog's offerings always follow the live catalog). A path that does not exist, or a prune
    of a folder that holds no article, raises `KnowledgeSourceError` before anything is touched.
    """
    roots = check_sources(settings, paths)
    await asyncio.to_thread(seed_tiktoken_cache, settings.data_dir / "tiktoken")
    embedder = embedder or await _with_shipped_vectors(get_embedder(settings))
    loaded = await asyncio.to_thread(
        load_articles, roots, root=_common_root(roots), max_bytes=max_bytes
    )
    if (prune or rebuild) and not loaded.documents:
        raise KnowledgeSourceError(
            f"{', '.join(map(str, roots))} holds no article that loads",
            "nothing was removed; check the path (an empty set would empty the index)",
        )
    store = open_store(settings, embedder)
    if rebuild and not dry_run:
        await store.reset()
    documents: list[Document] = list(loaded.documents)
    problems: list[LoadProblem] = list(loaded.problems)
    sources = {ARTICLES_SOURCE}
    pruned: set[str] = {ARTICLES_SOURCE} if prune else set()
    if catalog is not None:
        documents += await load_catalog(catalog)
        sources.add(CATALOG_SOURCE)
        pruned.add(CATALOG_SOURCE)
    report = await ingest_documents(
        documents,
        store=store,
        embedder=embedder,
        sources=sources,
        prune=pruned,
        skipped_paths=loaded.skipped_paths,
        options=options,
        progress=progress,
        dry_run=dry_run,
    )
    report.problems = problems
    return report


class KnowledgeSourceError(Exception):
    """Articles asked for that are not there: names the problem and what was (not) done."""

    def __init__(self, problem: str, consequence: str) -> None:
        self.problem = problem
        super().__init__(f"{problem}: {consequence}")


def check_sources(settings: Settings, paths: Sequence[Path] | None) -> list[Path]:
    """The article roots of a run, each an existing file or folder; else a clear error."""
    if not paths:
        folder = default_article_dir(settings)
        if not folder.is_dir():
            raise ConfigError(
                "SWITCHBOARD_KNOWLEDGE_DIR",
                f"is not a folder: {folder}",
                "Point it at the folder of article files, or unset it for the demo articles",
            )
        return [folder]
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        raise KnowledgeSourceError(
            f"no such file or folder: {', '.join(missing)}", "nothing was ingested or removed"
        )
    return list(paths)


async def remove_article(settings: Settings, *, path: str) -> list[str]:
    """Remove from the index the document(s) loaded from `path` (an article's label, relative to
    the knowledge folder); returns their ids. The file itself is the caller's business."""
    store = open_store(settings, get_embedder(settings))
    metadata = await store.metadata_by_id()
    doomed = {
        cid: str(meta.get("doc_id"))
        for cid, meta in metadata.items()
        if meta.get("source") == ARTICLES_SOURCE and meta.get("path") == path
    }
    if doomed:
        await store.delete(list(doomed))
        await store.bump_version()
    return sorted(set(doomed.values()))


async def _with_shipped_vectors(embedder: Embedder) -> Embedder:
    """The local model, helped by the vectors shipped for the demo knowledge base."""
    cache = await asyncio.to_thread(_shipped_cache)
    if cache is None or cache.model_id != embedder.model_id:
        return embedder
    return CachedEmbedder(embedder, cache)


def _shipped_cache() -> VectorCache | None:
    return VectorCache.load(SHIPPED_VECTORS) if SHIPPED_VECTORS.is_file() else None


async def write_vector_cache(settings: Settings, path: Path = SHIPPED_VECTORS) -> int:
    """Write the vectors of the configured articles (ingested first) to `path`; returns rows."""
    embedder = get_embedder(settings)
    store = open_store(settings, embedder)
    folder = default_article_dir(settings)
    loaded = await asyncio.to_thread(load_articles, [folder], root=_common_root([folder]))
    chunks = [(c, d) for d in loaded.documents for c in chunk_document(d)]
    stored = await store.vectors([c.id for c, _ in chunks])
    chunks = [(c, d) for c, d in chunks if c.id in stored]
    if not chunks:
        return 0
    vectors = np.stack([stored[c.id] for c, _ in chunks])
    texts = [c.embedding_text(d) for c, d in chunks]
    await asyncio.to_thread(
        VectorCache.write, path, model_id=embedder.model_id, texts=texts, vectors=vectors
    )
    return len(chunks)


def _common_root(paths: Sequence[Path]) -> Path:
    """Files are labelled relative to this, so the same file keeps its label (and chunk ids)
    whether its folder or the file itself is ingested."""
    folders = [str((p if p.is_dir() else p.parent).resolve()) for p in paths]
    return Path(os.path.commonpath(folders))


async def ensure_ingested(
    settings: Settings, *, catalog: CatalogSource | None = None, embedder: Embedder | None = None
) -> IngestReport:
    """Make sure the configured knowledge base is indexed; cheap when nothing changed.

    For `make run`: files are parsed and chunked (milliseconds for the demo set), their content
    hashes compared with the store, and only new chunks embedded. Articles that left the folder
    stay in the index (logged) until `switchboard ingest --prune`: a mistyped folder must not
    empty the knowledge base.
    """
    report = await ingest(settings, catalog=catalog, embedder=embedder)
    if report.stale:
        log.warning(
            "%d article(s) in the index are no longer in %s (%s); "
            "`switchboard ingest --prune` removes them",
            len(report.stale),
            default_article_dir(settings),
            ", ".join(sorted(report.stale.values())[:5]),
        )
    return report
