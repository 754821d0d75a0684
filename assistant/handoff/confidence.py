"""Turn confidence in [0, 1] from explicit signals; docs/decisions/0006-confidence-formula.md
explains each factor and why it has the weight it has.

confidence = base × margin × retrieval × support × tool_errors × repetition × frustration × prices

Each factor is 1.0 when its signal is absent, so a factor only ever lowers the score, and the
reasons it was lowered are kept (`factors`) for the handoff record and the analytics."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from pydantic import BaseModel, Field

from switchboard.currency import CURRENCY_SIGN

LLM_PRIOR = 0.85  # base for a provider that reports no recognition score of its own
_WORD = rf"(?:[a-z0-9.]|{CURRENCY_SIGN}){{3,}}"
_STOP = {
    "the", "and", "you", "your", "for", "are", "with", "that", "this", "have", "can", "will",
    "from", "our", "not", "but", "any", "all", "per", "into", "there", "they", "them", "what",
    "when", "which", "would", "could", "should", "about", "also", "just", "here", "more",
}  # fmt: skip


class ConfidenceInputs(BaseModel):
    model_confidence: float | None = None  # the model's calibrated estimate (local engine)
    recognition_score: float | None = None
    recognition_margin: float | None = None
    recognition_calibrated: bool = False  # the score already accounts for the margin
    retrieval_top: float | None = None  # best passage score, when the turn retrieved
    answer_uses_passages: bool = False
    support: float | None = None  # share of reply sentences supported by the cited passages
    tool_errors: int = 0
    repeated: bool = False
    frustrated: bool = False
    unverified_prices: int = 0
    empty_reply: bool = False


class Confidence(BaseModel):
    value: float = Field(ge=0.0, le=1.0)
    factors: dict[str, float]


def score(inputs: ConfidenceInputs) -> Confidence:
    factors: dict[str, float] = {}
    if inputs.model_confidence is not None:
        base = inputs.model_confidence
    elif inputs.recognition_score is not None:
        base = inputs.recognition_score
        margin = inputs.recognition_margin
        if margin is not None and margin < 0.15 and not inputs.recognition_calibrated:
            factors["recognition_margin"] = 0.6 + 0.4 * max(margin, 0.0) / 0.15
    else:
        base = LLM_PRIOR
    factors["base"] = base
    if inputs.answer_uses_passages and inputs.model_confidence is None:
        top = inputs.retrieval_top if inputs.retrieval_top is not None else 0.0
        factors["retrieval"] = 0.5 + 0.5 * min(1.0, top / 0.6)
    if inputs.answer_uses_passages and inputs.support is not None:
        factors["support"] = 0.5 + 0.5 * inputs.support
    if inputs.tool_errors:
        factors["tool_errors"] = 0.6**inputs.tool_errors
    if inputs.repeated:
        factors["repetition"] = 0.7
    if inputs.frustrated:
        factors["frustration"] = 0.8
    if inputs.unverified_prices:
        factors["unverified_price"] = 0.5
    if inputs.empty_reply:
        factors["empty_reply"] = 0.2
    value = 1.0
    for factor in factors.values():
        value *= factor
    return Confidence(value=round(min(1.0, max(0.0, value)), 3), factors=factors)


def _content_words(text: str) -> set[str]:
    return {w for w in re.findall(_WORD, text.lower()) if w not in _STOP}


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+|\n+", text) if len(_content_words(s)) >= 2]


def support(reply: str, passages: Iterable[str]) -> float | None:
    """Share of the reply's sentences whose content words mostly (≥ 60%) occur in the passages;
    None when there is nothing to check."""
    evidence = set().union(*(_content_words(p) for p in passages))
    sentences = _sentences(reply)
    if not evidence or not sentences:
        return None
    supported = 0
    for sentence in sentences:
        words = _content_words(sentence)
        if len(words & evidence) / len(words) >= 0.6:
            supported += 1
    return supported / len(sentences)


def supports(sentence_source: str, passage: str) -> bool:
    """Whether one passage supports at least one sentence of the reply (for citations)."""
    value = support(sentence_source, [passage])
    return bool(value and value > 0)


def is_repeated(text: str, earlier: Sequence[str], threshold: float = 0.8) -> bool:
    """The customer said (nearly) the same thing in one of their last three messages."""
    words = _content_words(text) or set(text.lower().split())
    if not words:
        return False
    for previous in earlier[-3:]:
        other = _content_words(previous) or set(previous.lower().split())
        if other and len(words & other) / len(words | other) >= threshold:
            return True
    return False
