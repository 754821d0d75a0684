"""Incremental ingestion: chunk every document, embed only chunks whose content hash is new,
replace the chunks of documents that changed, and leave alone whatever a bad file used to
provide. A document that is no longer there is removed only from the sources the caller prunes
(the live catalog always; articles only with `switchboard ingest --prune`)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from knowledge.chunking import Chunk, ChunkingOptions, chunk_document
from knowledge.document import CUSTOMER_TYPES, Document
from knowledge.embedding import Embedder
from knowledge.loader import LoadProblem
from knowledge.store import ChunkStore, Metadata

Progress = Callable[[int, int], None]


@dataclass(repr=False)
class IngestReport:
    """Documents added, updated, removed and unchanged; chunks embedded and deleted."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    # in the index but not in this run, kept because their source was not pruned: doc id -> path
    stale: dict[str, str] = field(default_factory=dict)
    chunks_embedded: int = 0
    chunks_deleted: int = 0
    chunks_total: int = 0
    problems: list[LoadProblem] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def changed(self) -> bool:
        return bool(self.chunks_embedded or self.chunks_deleted)

    def __repr__(self) -> str:  # logs show counts, not 80 document ids
        return f"IngestReport({self.summary()})"

    def summary(self) -> str:
        return (
            f"{len(self.added)} added, {len(self.updated)} updated, {len(self.removed)} removed, "
            f"{len(self.unchanged)} unchanged ({self.chunks_embedded} chunks embedded, "
            f"{self.chunks_deleted} deleted, {self.chunks_total} in the index) "
            f"in {self.seconds:.2f}s; {len(self.problems)} file(s) skipped"
        )


def chunk_metadata(chunk: Chunk, doc: Document) -> Metadata:
    """What the store keeps beside each vector: enough to cite, filter and diff."""
    meta: dict[str, str | int | float | bool] = {
        "doc_id": doc.id,
        "title": doc.title,
        "url": doc.url,
        "section": chunk.section,
        "locale": doc.locale,
        "capability": doc.capability or "",
        "tags": ",".join(doc.tags),
        "source": doc.source,
        "path": doc.path,
        "position": chunk.position,
        "kind": chunk.kind,
    }
    for segment in CUSTOMER_TYPES:
        meta[f"ct_{segment}"] = segment in doc.customer_types
    return meta


def _plan(
    documents: list[Document], options: ChunkingOptions | None
) -> tuple[dict[str, tuple[Chunk, Document]], dict[str, set[str]]]:
    """Every chunk wanted, by id, and each document's chunk ids."""
    wanted: dict[str, tuple[Chunk, Document]] = {}
    doc_chunks: dict[str, set[str]] = {}
    for doc in documents:
        for chunk in chunk_document(doc, options):
            wanted[chunk.id] = (chunk, doc)
            doc_chunks.setdefault(doc.id, set()).add(chunk.id)
    return wanted, doc_chunks


async def ingest_documents(
    documents: Iterable[Document],
    *,
    store: ChunkStore,
    embedder: Embedder,
    sources: set[str],
    prune: set[str] | None = None,
    skipped_paths: Iterable[str] = (),
    options: ChunkingOptions | None = None,
    batch_size: int = 64,
    progress: Progress | None = None,
    dry_run: bool = False,
) -> IngestReport:
    """Bring the store in line with `documents` for the given `sources`.

    Only chunks whose `source` is in `sources` can be deleted, and never those from
    `skipped_paths` (files that failed to load keep their last good version). A document missing
    from this run is removed only if its source is in `prune` (default: every source); otherwise
    it is reported as `stale`. New chunks are written before old ones are deleted, so a reader
    never finds a document missing. `dry_run` reports what would change and writes nothing.
    """
    prune = sources if prune is None else prune
    started = time.perf_counter()
    report = IngestReport()
    skipped = set(skipped_paths)
    wanted, doc_chunks = await asyncio.to_thread(_plan, list(documents), options)
    existing = await store.metadata_by_id()
    in_scope = {
        cid: meta
        for cid, meta in existing.items()
        if meta.get("source") in sources and meta.get("path") not in skipped
    }
    old_docs: dict[str, set[str]] = {}
    for cid, meta in list(in_scope.items()):
        doc_id = str(meta.get("doc_id"))
        if doc_id not in doc_chunks and meta.get("source") not in prune:
            report.stale[doc_id] = str(meta.get("path", ""))
            del in_scope[cid]
            continue
        old_docs.setdefault(doc_id, set()).add(cid)
    for doc_id, ids in doc_chunks.items():
        before = old_docs.get(doc_id)
        bucket = (
            report.added
            if before is None
            else report.unchanged
            if before == ids
            else report.updated
        )
        bucket.append(doc_id)
    report.removed = sorted(set(old_docs) - set(doc_chunks))
    to_embed = [cid for cid in wanted if cid not in existing]
    to_delete = [cid for cid in in_scope if cid not in wanted]
    if dry_run:
        report.chunks_embedded, report.chunks_deleted = len(to_embed), len(to_delete)
        report.chunks_total = len(existing) + len(to_embed) - len(to_delete)
        report.seconds = time.perf_counter() - started
        return report
    for start in range(0, len(to_embed), batch_size):
        batch = [wanted[cid] for cid in to_embed[start : start + batch_size]]
        vectors = await embedder.embed([chunk.embedding_text(doc) for chunk, doc in batch])
        await store.upsert(
            ids=[chunk.id for chunk, _ in batch],
            vectors=vectors,
            texts=[chunk.text for chunk, _ in batch],
            metadatas=[chunk_metadata(chunk, doc) for chunk, doc in batch],
        )
        report.chunks_embedded += len(batch)
        if progress is not None:
            progress(report.chunks_embedded, len(to_embed))
    await store.delete(to_delete)
    report.chunks_deleted = len(to_delete)
    if report.changed:
        await store.bump_version()
    report.chunks_total = len(existing) + len(to_embed) - len(to_delete)
    report.seconds = time.perf_counter() - started
    return report
