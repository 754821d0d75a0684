"""Knowledge benchmark: ingestion throughput and query latency.

    .venv/bin/python bench/knowledge_bench.py            # 1k, 10k and 100k chunks (~10 min)
    .venv/bin/python bench/knowledge_bench.py --quick    # 1k and 10k chunks (~1 min)

Part 1 ingests the demo knowledge base with the real offline model (chunks/s), then ingests it
again unchanged (the re-ingest must cost under 5% of the full ingest).
Part 2 fills a Chroma directory with synthetic chunks at each scale — texts drawn from the demo
knowledge base's vocabulary, vectors that look like the model's (real chunk vectors plus noise,
renormalised) — and times `Retriever.search` end to end with the real model embedding each
query, with and without a customer-type filter.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import shutil
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from knowledge.chunking import chunk_document
from knowledge.embedding import LocalEmbedder, Vectors, local_embedder
from knowledge.evaluation import load_questions
from knowledge.factory import build_retriever, default_article_dir, ingest, open_store
from knowledge.loader import load_articles
from knowledge.offline import seed_tiktoken_cache
from switchboard.settings import load_settings

DEV_QUESTIONS = Path(__file__).with_name("retrieval_dev.yaml")
SEGMENTS = ("prepaid", "postpaid", "business")


class _FixedEmbedder:
    """Hands back precomputed vectors for the synthetic chunks (never called for queries)."""

    def __init__(self, model_id: str) -> None:
        self.model_id = model_id

    async def embed(self, texts: Any) -> Vectors:
        raise AssertionError("synthetic chunks are stored with their vectors")


async def bench_real_ingest(base: Path, *, quick: bool) -> dict[str, float]:
    """Full ingest of the demo knowledge base with the real model, then an unchanged re-ingest."""
    source = default_article_dir(load_settings(data_dir=base))
    snapshot = base / "articles"
    shutil.copytree(source, snapshot)
    if quick:  # a third of the articles
        for i, path in enumerate(sorted(snapshot.glob("*.md"))):
            if i % 3:
                path.unlink()
    settings = load_settings(data_dir=base / "real", knowledge_dir=snapshot)
    model = local_embedder()
    model.load()
    cpu = time.process_time()
    full = await ingest(settings, rebuild=True, embedder=model)  # the model, no shipped vectors
    full_cpu = time.process_time() - cpu
    again = await ingest(settings, embedder=model)
    shipped = await ingest(
        load_settings(data_dir=base / "shipped", knowledge_dir=snapshot)
    )  # a first start helped by the shipped vectors
    return {
        "first_start_with_shipped_vectors_s": shipped.seconds,
        "articles": len(full.added),
        "chunks": full.chunks_embedded,
        "full_ingest_s": full.seconds,
        "chunks_per_s": full.chunks_embedded / full.seconds,
        "chunks_per_cpu_s": full.chunks_embedded / full_cpu,
        "reingest_s": again.seconds,
        "reingest_ratio": again.seconds / full.seconds,
    }


def _corpus_model(base: Path) -> tuple[list[str], list[float], Vectors]:
    """Vocabulary with frequencies, and real chunk vectors, from the demo knowledge base."""
    docs = load_articles([default_article_dir(load_settings(data_dir=base))]).documents
    chunks = [(c, d) for d in docs for c in chunk_document(d)]
    counts: dict[str, int] = {}
    for chunk, _ in chunks:
        for word in chunk.text.split():
            word = word.strip(".,;:()*|#").lower()
            if word.isalpha():
                counts[word] = counts.get(word, 0) + 1
    vocab = sorted(counts, key=lambda w: -counts[w])
    vectors = local_embedder().embed_sync([c.embedding_text(d) for c, d in chunks])
    return vocab, [float(counts[w]) for w in vocab], vectors


def _synthetic(
    n: int, vocab: list[str], weights: list[float], centres: Vectors, rng: random.Random
) -> tuple[list[str], Vectors, list[str], list[dict[str, Any]]]:
    nprng = np.random.default_rng(rng.randrange(1 << 30))
    texts, metas, ids = [], [], []
    for i in range(n):
        doc = i // 5
        words = rng.choices(vocab, weights=weights, k=rng.randint(60, 110))
        texts.append(" ".join(words))
        ids.append(f"syn-{doc}:{i}")
        segment = rng.choice(SEGMENTS) if rng.random() < 0.4 else None
        meta: dict[str, Any] = {
            "doc_id": f"syn-{doc}",
            "title": " ".join(rng.choices(vocab[:800], k=rng.randint(3, 6))).capitalize(),
            "url": f"https://help.example/{doc}",
            "section": "",
            "locale": "en",
            "source": "synthetic",
            "path": f"syn/{doc}.md",
            "position": i % 5,
            "kind": "chunk",
            "tags": "",
            "capability": "",
        }
        for s in SEGMENTS:
            meta[f"ct_{s}"] = segment is None or segment == s
        metas.append(meta)
    picks = centres[nprng.integers(0, len(centres), size=n)]
    noise = nprng.normal(0.0, 0.045, size=picks.shape).astype(np.float32)
    vectors = picks + noise
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return ids, vectors.astype(np.float32), texts, metas


async def bench_scale(
    base: Path, n: int, corpus: tuple[list[str], list[float], Vectors], queries: list[str]
) -> dict[str, float]:
    settings = load_settings(data_dir=base / f"scale-{n}")
    embedder = LocalEmbedder()  # the real model for queries; stored vectors are synthetic
    embedder.load()
    store = open_store(settings, _FixedEmbedder(embedder.model_id))
    ids, vectors, texts, metas = _synthetic(n, *corpus, random.Random(n))
    started = time.perf_counter()
    await store.upsert(ids=ids, vectors=vectors, texts=texts, metadatas=metas)
    await store.bump_version()
    add_s = time.perf_counter() - started
    retriever = build_retriever(settings, embedder=embedder)
    started = time.perf_counter()
    await retriever.refresh(force=True)
    index_s = time.perf_counter() - started
    result: dict[str, float] = {"chunks": n, "store_add_per_s": n / add_s, "bm25_build_s": index_s}
    for label, segment in (("", None), ("_filtered", "prepaid")):
        for q in queries[:5]:  # warm-up
            await retriever.search(q, customer_type=segment)
        latencies, cpu = [], []
        for q in queries:
            t, c = time.perf_counter(), time.process_time()
            await retriever.search(q, k=5, customer_type=segment)
            latencies.append((time.perf_counter() - t) * 1000)
            cpu.append((time.process_time() - c) * 1000)  # all threads: model, Chroma, BM25
        latencies.sort()
        cpu.sort()
        result[f"p50_ms{label}"] = statistics.median(latencies)
        result[f"p95_ms{label}"] = latencies[int(0.95 * (len(latencies) - 1))]
        result[f"cpu_p50_ms{label}"] = statistics.median(cpu)
        result[f"cpu_p95_ms{label}"] = cpu[int(0.95 * (len(cpu) - 1))]
    return result


async def main(quick: bool, json_path: Path | None) -> None:
    base = Path(tempfile.mkdtemp(prefix="knowledge-bench-"))
    seed_tiktoken_cache(base / "tiktoken")
    try:
        real = await bench_real_ingest(base, quick=quick)
        print(
            f"real model ingest: {real['articles']:.0f} articles, {real['chunks']:.0f} chunks "
            f"in {real['full_ingest_s']:.1f}s = {real['chunks_per_s']:.1f} chunks/s "
            f"({real['chunks_per_cpu_s']:.1f} per CPU-second); "
            f"unchanged re-ingest {real['reingest_s']:.2f}s = "
            f"{100 * real['reingest_ratio']:.1f}% of the full ingest; first start with the "
            f"shipped vectors {real['first_start_with_shipped_vectors_s']:.1f}s"
        )
        corpus = _corpus_model(base)
        queries = [q.question for q in load_questions(DEV_QUESTIONS)]
        queries = (queries * 4)[:200]
        rows: list[dict[str, float]] = []
        for n in (1_000, 10_000) if quick else (1_000, 10_000, 100_000):
            row = await bench_scale(base, n, corpus, queries)
            rows.append(row)
            print(
                f"{n:>7} chunks: store add {row['store_add_per_s']:.0f} chunks/s, "
                f"bm25 build {row['bm25_build_s']:.1f}s, query p50 {row['p50_ms']:.1f} ms "
                f"p95 {row['p95_ms']:.1f} ms; with a customer-type filter p50 "
                f"{row['p50_ms_filtered']:.1f} ms p95 {row['p95_ms_filtered']:.1f} ms; CPU per "
                f"query p50 {row['cpu_p50_ms']:.1f} ms p95 {row['cpu_p95_ms']:.1f} ms "
                f"(filtered {row['cpu_p50_ms_filtered']:.1f} / {row['cpu_p95_ms_filtered']:.1f})",
                flush=True,
            )
        if json_path is not None:
            await asyncio.to_thread(
                json_path.write_text, json.dumps({"real": real, "scale": rows}, indent=2)
            )
    finally:
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="1k and 10k chunks only")
    parser.add_argument("--json", type=Path, default=None, help="also write the numbers here")
    args = parser.parse_args()
    asyncio.run(main(args.quick, args.json))
