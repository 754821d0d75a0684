"""Gap clustering recovers known topics from a generated set (tests/api/gap_topics.py).

Measured with the shipped MiniLM embedder at the default `gaps_similarity` (0.4), 72 questions,
6 topics: 7 groups, purity 1.000 (no group mixes topics), inverse purity 0.958 (one topic split
9 + 3). At 0.3 two pairs of topics merge (purity 0.708); at 0.5 topics split (inverse 0.750)."""

from __future__ import annotations

from collections import Counter

from knowledge.clustering import cluster, purity
from knowledge.embedding import local_embedder
from switchboard.settings import Settings
from tests.api.gap_topics import TOPICS, generated


def _inverse_purity(groups: list[list[int]], labels: list[str]) -> float:
    """Share of points that sit in the group holding most of their topic (1.0 = none split)."""
    best = sum(max(sum(1 for i in g if labels[i] == topic) for g in groups) for topic in TOPICS)
    return best / len(labels)


def test_clustering_recovers_generated_topics() -> None:
    pairs = generated()
    labels = [topic for _, topic in pairs]
    vectors = local_embedder().embed_sync([text for text, _ in pairs])
    groups = cluster(vectors, threshold=Settings().gaps_similarity)

    assert purity(groups, labels) >= 0.95
    assert _inverse_purity(groups, labels) >= 0.9
    assert len(TOPICS) <= len(groups) <= len(TOPICS) + 2
    # ranked by volume, the largest groups are the known topics, one each
    majority = [Counter(labels[i] for i in g).most_common(1)[0][0] for g in groups]
    assert sorted(majority[: len(TOPICS)]) == sorted(TOPICS)


def test_clustering_is_deterministic_and_ordered() -> None:
    pairs = generated()
    vectors = local_embedder().embed_sync([text for text, _ in pairs])
    first = cluster(vectors, threshold=0.4)
    assert first == cluster(vectors, threshold=0.4)
    assert [len(g) for g in first] == sorted((len(g) for g in first), reverse=True)
    assert sorted(i for g in first for i in g) == list(range(len(pairs)))


def test_thresholds_at_the_extremes() -> None:
    vectors = local_embedder().embed_sync(["top up", "roaming", "voicemail pin"])
    assert cluster(vectors, threshold=1.01) == [[0], [1], [2]]
    assert cluster(vectors, threshold=-1.0) == [[0, 1, 2]]
    assert cluster(vectors[:0], threshold=0.4) == []
