"""Learned decisions about what a message *does*, apart from what it is about.

Two nearest-neighbour classifiers over examples kept in data (`knowledge/data/acts/*.yaml`):

- the dialogue act of a new message: `how` (a question about how things work: answer from the
  help articles), `account` (a question about this customer's account: a read tool) or `change`
  (a request to change something: a write tool and a quote);
- the reply to an open question or quote: `yes`, `no` or `other`.

Each label's score is `0.5 * embedding + 0.25 * character n-gram + 0.25 * opener n-gram`
similarity, the mean of its three nearest examples; the probability is a softmax over the labels.
The opener (the first words) carries the form of a message: "how do i ...", "can you ...",
"i want ...", which the topic-heavy sentence embedding underweights.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np
import yaml
from numpy.typing import NDArray

from assistant.local.lexical import NgramIndex
from assistant.local.recognizer import SyncEmbedder
from assistant.local.text import normalise
from switchboard.errors import ConfigError

EMBEDDING_WEIGHT = 0.35
OPENER_WEIGHT = 0.4
OPENER_WORDS = 4
TOP_K = 3
TEMPERATURE = 0.05  # softmax temperature over label similarities


class CachedEmbedder:
    """Remembers the vectors of recent short texts: the recognizer and the act classifiers read
    the same message in the same turn, so it is embedded once."""

    def __init__(self, inner: SyncEmbedder, size: int = 1024) -> None:
        self.inner = inner
        self.model_id = str(getattr(inner, "model_id", type(inner).__name__))
        self._size = size
        self._vectors: OrderedDict[str, NDArray[np.float32]] = OrderedDict()
        self._lock = threading.Lock()

    def embed_sync(self, texts: Sequence[str]) -> NDArray[np.float32]:
        if not texts or len(texts) > 64:  # start-up batches are cached on disk by their owners
            return np.asarray(self.inner.embed_sync(texts), dtype=np.float32)
        with self._lock:
            missing = [t for t in dict.fromkeys(texts) if t not in self._vectors]
        fresh: Sequence[NDArray[np.float32]] = (
            list(self.inner.embed_sync(missing)) if missing else []
        )
        with self._lock:
            for text, vector in zip(missing, fresh, strict=True):
                self._vectors[text] = np.asarray(vector, dtype=np.float32)
            rows = []
            for text in texts:
                self._vectors.move_to_end(text)
                rows.append(self._vectors[text])
            while len(self._vectors) > self._size:
                self._vectors.popitem(last=False)
        return np.stack(rows)


@dataclass(frozen=True, slots=True)
class Decision:
    label: str
    probability: float
    scores: Mapping[str, float]


def default_acts_dir() -> Path:
    return Path(str(resources.files("knowledge") / "data" / "acts"))


def load_examples(path: Path) -> dict[str, list[str]]:
    """`{label: [texts]}` from a YAML file `{labels: {label: [texts]}}`."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(str(path), f"cannot be read: {exc}", "Fix the YAML") from exc
    labels = data.get("labels") if isinstance(data, dict) else None
    if not isinstance(labels, dict) or not all(
        isinstance(v, list) and all(isinstance(t, str) for t in v) for v in labels.values()
    ):
        raise ConfigError(str(path), "needs a `labels` mapping of lists", "See its README")
    return {str(k): [t.strip() for t in v if t.strip()] for k, v in labels.items()}


def load_word_list(path: Path, key: str) -> frozenset[str]:
    """A list of words kept next to the examples (e.g. `not_a_plain_yes` in reply.yaml)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    words = data.get(key) if isinstance(data, dict) else None
    return frozenset(str(w).lower() for w in words or [])


class ExampleClassifier:
    """A deterministic nearest-neighbour classifier over labelled example texts."""

    def __init__(self, examples: Mapping[str, Sequence[str]], *, embedder: SyncEmbedder | None):
        self.labels = sorted(examples)
        texts = [normalise(t) for label in self.labels for t in examples[label]]
        self._rows = np.asarray(
            [i for i, label in enumerate(self.labels) for _ in examples[label]], dtype=np.int64
        )
        self._lexical = NgramIndex(texts)
        self._opener = NgramIndex([_opener(t) for t in texts])
        self._embedder = embedder
        self._vectors = (
            np.asarray(embedder.embed_sync(texts), dtype=np.float32) if embedder else None
        )
        self.classify = lru_cache(maxsize=512)(self._classify)  # type: ignore[method-assign]

    def classify(self, text: str) -> Decision:
        return self._classify(text)

    def _classify(self, text: str) -> Decision:
        norm = normalise(text)
        lexical_weight = 1 - EMBEDDING_WEIGHT - OPENER_WEIGHT
        sims = lexical_weight * self._lexical.scores(norm) + OPENER_WEIGHT * self._opener.scores(
            _opener(norm)
        )
        if self._vectors is not None and self._embedder is not None:
            sims = sims + EMBEDDING_WEIGHT * (self._vectors @ self._embedder.embed_sync([norm])[0])
        else:
            sims = sims / (1 - EMBEDDING_WEIGHT)
        per_label = np.asarray([_top_mean(sims[self._rows == i]) for i in range(len(self.labels))])
        weights = np.exp((per_label - per_label.max()) / TEMPERATURE)
        probs = weights / weights.sum()
        best = int(np.argmax(probs))
        return Decision(
            label=self.labels[best],
            probability=round(float(probs[best]), 4),
            scores={
                label: round(float(s), 4) for label, s in zip(self.labels, per_label, strict=True)
            },
        )


def _opener(text: str) -> str:
    return " ".join(text.split()[:OPENER_WORDS])


def _top_mean(values: NDArray[np.float32]) -> float:
    if not len(values):
        return -1.0
    top = np.sort(values)[-TOP_K:]
    return float(top.mean())


@dataclass(frozen=True)
class SpeechActs:
    """The engine's two learned act decisions."""

    dialogue: ExampleClassifier
    reply: ExampleClassifier

    def act(self, text: str) -> Decision:
        return self.dialogue.classify(text)

    def answer(self, text: str) -> Decision:
        return self.reply.classify(text)


def make_speech_acts(embedder: SyncEmbedder | None, directory: Path | None = None) -> SpeechActs:
    directory = directory or default_acts_dir()
    return SpeechActs(
        dialogue=ExampleClassifier(
            load_examples(directory / "dialogue_act.yaml"), embedder=embedder
        ),
        reply=ExampleClassifier(load_examples(directory / "reply.yaml"), embedder=embedder),
    )


@lru_cache(maxsize=1)
def shared_reply_classifier() -> ExampleClassifier | None:
    """The reply classifier over the process's shared offline embedder (the turn loop's
    confirmation reads it whatever the chat model), or None if that model cannot load."""
    try:
        from knowledge.embedding import local_embedder

        embedder: SyncEmbedder | None = CachedEmbedder(local_embedder())
    except Exception:  # no offline model: the word lists alone decide
        embedder = None
    return ExampleClassifier(load_examples(default_acts_dir() / "reply.yaml"), embedder=embedder)


@lru_cache(maxsize=2)
def reply_modifiers(key: str) -> frozenset[str]:
    """`not_a_plain_yes` / `not_a_plain_no` from reply.yaml."""
    return load_word_list(default_acts_dir() / "reply.yaml", key)


__all__ = ["Decision", "ExampleClassifier", "SpeechActs", "make_speech_acts"]
