"""Intent recognition: nearest exemplars by embedding and by character n-grams, keyword cues,
and a calibrated in-scope probability that decides between a capability and `out_of_scope`.

For each clause of a message (long messages are split so a rambling preamble does not drown
the request) every intent gets `0.7 * embedding + 0.3 * lexical` similarity, each the mean of
its two nearest exemplars. The best in-scope and best out-of-scope similarities, telco and
banking vocabulary counts feed a logistic model (`calibration.py`) whose probability is
`Recognition.in_scope`; below its threshold the message is out of scope.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

from assistant.local.acts import classify_act
from assistant.local.calibration import Calibration, load_calibration
from assistant.local.cues import banking_hits, capability_cues, domain_hits
from assistant.local.exemplars import Exemplar, exemplars_digest
from assistant.local.lexical import NgramIndex
from assistant.local.speller import Speller
from assistant.local.text import clauses, normalise

OUT_OF_SCOPE = "out_of_scope"
EMBEDDING_WEIGHT = 0.7
CUE_BONUS = 0.06
TOP_K = 2


class SyncEmbedder(Protocol):
    """What the recognizer needs from an embedder: unit vectors, one row per text."""

    def embed_sync(self, texts: Sequence[str]) -> NDArray[np.float32]: ...


@dataclass(frozen=True, slots=True)
class IntentScore:
    capability: str
    intent: str
    score: float


@dataclass(frozen=True, slots=True)
class Recognition:
    """The capability and intent of a message, with the evidence the turn loop can weigh."""

    capability: str
    intent: str
    score: float  # calibrated probability that this reading is right (0-1)
    margin: float  # similarity gap to the runner-up capability
    in_scope: float  # calibrated probability that the message is for a telco assistant
    clause: str  # the part of the message that carried the decision
    ranked: tuple[IntentScore, ...] = ()
    also: tuple[IntentScore, ...] = ()  # other requests found in other clauses
    also_clauses: tuple[str, ...] = ()  # the clause each of `also` was found in
    features: tuple[float, ...] = field(default=(), repr=False)


@dataclass(frozen=True, slots=True)
class _ClauseScores:
    text: str
    intents: NDArray[np.float64]  # combined similarity per intent
    embedding_top: float
    embedding_in: float
    embedding_oos: float
    lexical_in: float
    lexical_oos: float


class Recognizer:
    """Recognises capability and intent from editable exemplars. Deterministic; thread-safe."""

    def __init__(
        self,
        exemplars: Sequence[Exemplar],
        *,
        embedder: SyncEmbedder | None,
        calibration: Calibration | None = None,
        cache_dir: Path | None = None,
    ) -> None:
        self.exemplars = list(exemplars)
        self.calibration = calibration or load_calibration()
        self._embedder = embedder
        keys = sorted({(e.capability, e.intent) for e in self.exemplars})
        self.intents: list[tuple[str, str]] = keys
        index = {k: i for i, k in enumerate(keys)}
        self._row_intent = np.asarray(
            [index[(e.capability, e.intent)] for e in self.exemplars], dtype=np.int64
        )
        self._sizes = np.bincount(self._row_intent, minlength=len(keys))
        self._starts = np.r_[0, np.cumsum(self._sizes)[:-1]]
        self.recognise = lru_cache(maxsize=512)(self._recognise)  # type: ignore[method-assign]
        self._oos_intent = np.asarray([c == OUT_OF_SCOPE for c, _ in keys], dtype=bool)
        self._in_rows = np.asarray([e.capability != OUT_OF_SCOPE for e in self.exemplars])
        texts = [normalise(e.text) for e in self.exemplars]
        self.speller = Speller(texts)  # misspellings read against the exemplars' own words
        self._lexical = NgramIndex(texts)
        self._vectors = self._embed_exemplars(texts, cache_dir) if embedder else None

    # -- public -------------------------------------------------------------------------------

    def recognise(self, text: str) -> Recognition:
        """The reading of `text`: a capability and intent, or `out_of_scope` (memoised)."""
        return self._recognise(text)

    def _recognise(self, text: str) -> Recognition:
        act = classify_act(self.speller.correct(normalise(text)))
        if act is not None:
            return Recognition(
                capability=act[0],
                intent=act[1],
                score=0.97,
                margin=1.0,
                in_scope=1.0,
                clause=text,
            )
        return self._decide(self._score_clauses(text), text)

    def features(self, text: str, *, exclude: int | None = None) -> tuple[float, ...]:
        """Calibration features of `text` (exemplar `exclude` left out, for leave-one-out)."""
        scores = self._score_clauses(text, exclude=exclude)
        best = max(scores, key=lambda c: float(c.intents[~self._oos_intent].max()))
        return self._features(best)

    # -- scoring ------------------------------------------------------------------------------

    def _score_clauses(self, text: str, *, exclude: int | None = None) -> list[_ClauseScores]:
        norm = self.speller.correct(normalise(text))
        parts = clauses(norm)
        if len(parts) > 1:
            parts = [norm, *parts]
        lexical = [self._lexical.scores(p) for p in parts]
        if self._vectors is not None and self._embedder is not None:
            vectors = self._embedder.embed_sync(parts)
            embedded = [self._vectors @ v for v in vectors]
        else:
            embedded = lexical
        return [
            self._clause(p, e, lx, exclude)
            for p, e, lx in zip(parts, embedded, lexical, strict=True)
        ]

    def _clause(
        self, text: str, emb: NDArray[np.float32], lex: NDArray[np.float32], exclude: int | None
    ) -> _ClauseScores:
        if exclude is not None:
            emb, lex = emb.copy(), lex.copy()
            emb[exclude] = lex[exclude] = -1.0
        emb_intent = self._per_intent(emb)
        lex_intent = self._per_intent(lex)
        combined = EMBEDDING_WEIGHT * emb_intent + (1 - EMBEDDING_WEIGHT) * lex_intent
        for cap in capability_cues(text):
            combined[[i for i, (c, _) in enumerate(self.intents) if c == cap]] += CUE_BONUS
        ins = ~self._oos_intent
        return _ClauseScores(
            text=text,
            intents=combined,
            embedding_top=float(emb[self._in_rows].max()),
            embedding_in=float(emb_intent[ins].max()),
            embedding_oos=float(emb_intent[self._oos_intent].max(initial=0.0)),
            lexical_in=float(lex_intent[ins].max()),
            lexical_oos=float(lex_intent[self._oos_intent].max(initial=0.0)),
        )

    def _per_intent(self, sims: NDArray[np.float32]) -> NDArray[np.float64]:
        """Mean of each intent's two most similar exemplars (an excluded row counts as -1)."""
        order = np.lexsort((-sims, self._row_intent))
        ranked = sims[order].astype(np.float64)
        first = ranked[self._starts]
        has_second = self._sizes > 1
        second = ranked[np.minimum(self._starts + 1, len(ranked) - 1)]
        use_second = has_second & (second > -1.0)
        out = np.where(use_second, (first + second) / 2, first)
        if (first <= -1.0).any():  # an intent whose only exemplar was excluded
            out = np.where(first <= -1.0, -1.0, out)
        return out

    def _features(self, c: _ClauseScores) -> tuple[float, ...]:
        return (
            c.embedding_top,
            c.embedding_in,
            c.embedding_oos,
            c.lexical_in,
            c.lexical_oos,
            min(domain_hits(c.text), 3) / 3,
            min(banking_hits(c.text), 2) / 2,
        )

    # -- decision -----------------------------------------------------------------------------

    def _decide(self, scores: list[_ClauseScores], text: str) -> Recognition:
        ins = ~self._oos_intent
        best = max(scores, key=lambda c: float(c.intents[ins].max()))
        features = self._features(best)
        p_in = self.calibration.probability(features)
        ranked = self._ranked(best.intents)
        margin = _margin(ranked)
        if p_in < self.calibration.threshold:
            return Recognition(
                capability=OUT_OF_SCOPE,
                intent="decline",
                score=round(1 - p_in, 4),
                margin=round(margin, 4),
                in_scope=round(p_in, 4),
                clause=text,
                ranked=tuple(ranked[:5]),
                features=features,
            )
        requests = self._requests(scores)
        if len(requests) > 1:  # several requests: the first one said goes first
            first_clause, first, p_first = requests[0]
            ranked = self._ranked(first_clause.intents)
            return Recognition(
                capability=first.capability,
                intent=first.intent,
                score=round(_confidence(p_first, _margin(ranked)), 4),
                margin=round(_margin(ranked), 4),
                in_scope=round(p_first, 4),
                clause=first_clause.text,
                ranked=tuple(ranked[:5]),
                also=tuple(r for _, r, _ in requests[1:]),
                also_clauses=tuple(c.text for c, _, _ in requests[1:]),
                features=features,
            )
        top = ranked[0]
        return Recognition(
            capability=top.capability,
            intent=top.intent,
            score=round(_confidence(p_in, margin), 4),
            margin=round(margin, 4),
            in_scope=round(p_in, 4),
            clause=best.text,
            ranked=tuple(ranked[:5]),
            features=features,
        )

    def _requests(
        self, scores: list[_ClauseScores]
    ) -> list[tuple[_ClauseScores, IntentScore, float]]:
        """In-scope requests of distinct capabilities, one per clause, in message order."""
        if len(scores) < 3:  # the whole message and one clause: a single request
            return []
        found: list[tuple[_ClauseScores, IntentScore, float]] = []
        for clause in scores[1:]:
            p_in = self.calibration.probability(self._features(clause))
            first = self._ranked(clause.intents)[0]
            seen = {r.capability for _, r, _ in found}
            if p_in >= self.calibration.threshold and first.capability not in seen | {"greeting"}:
                found.append((clause, first, p_in))
        return found

    def _ranked(self, combined: NDArray[np.float64]) -> list[IntentScore]:
        order = np.argsort(-combined, kind="stable")
        return [
            IntentScore(self.intents[i][0], self.intents[i][1], round(float(combined[i]), 4))
            for i in order
            if not self._oos_intent[i]
        ]

    def _embed_exemplars(self, texts: list[str], cache_dir: Path | None) -> NDArray[np.float32]:
        assert self._embedder is not None
        model = str(getattr(self._embedder, "model_id", type(self._embedder).__name__))
        path = None
        if cache_dir is not None:
            digest = exemplars_digest(self.exemplars)
            path = cache_dir / f"exemplars-{model.replace('/', '_').replace(':', '_')}-{digest}.npy"
            if path.is_file():
                cached = np.load(path)
                if cached.shape[0] == len(texts):
                    return np.asarray(cached, dtype=np.float32)
        vectors = np.asarray(self._embedder.embed_sync(texts), dtype=np.float32)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".tmp.npy")
            np.save(tmp, vectors)
            tmp.replace(path)
        return vectors


def _margin(ranked: list[IntentScore]) -> float:
    top = ranked[0]
    runner = next((r for r in ranked[1:] if r.capability != top.capability), None)
    return top.score - (runner.score if runner else 0.0)


def _confidence(p_in: float, margin: float) -> float:
    return p_in * min(1.0, 0.6 + 4 * max(margin, 0.0))
