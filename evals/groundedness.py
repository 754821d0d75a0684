"""Groundedness: the share of an answer's sentences that the cited passages support.

Offline and deterministic: a sentence is supported when most of its content words appear in the
cited text and every number or price in it does (a wrong price is never "mostly right").
With a model configured, the LLM judge can replace this lexical test (evals/judge.py)."""

from __future__ import annotations

import re
from dataclasses import dataclass

_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")
_WORD = re.compile(r"[a-z0-9£%]+(?:[.'][a-z0-9]+)*")
_NUMBER = re.compile(r"£?\d+(?:\.\d+)?%?")
_STOP = frozenset(
    """a an the and or but if of to in on at for by with from as is are was were be been being it
    its this that these those you your yours we our us i me my he she they them their there here
    can could will would should shall may might must do does did done have has had not no yes so
    than then too very just also any all some each more most such only own same into out up down
    about over after before again further once what which who whom when where why how per
    please thanks thank sure ok okay let know""".split()
)
# Sentences that carry no claim (greetings, offers of more help) are not counted.
_NO_CLAIM = re.compile(
    r"^(hi|hello|hey|thanks|thank you|you're welcome|is there anything else|anything else|"
    r"sources?:|see:|\[\d+\])",
    re.IGNORECASE,
)
MIN_COVERAGE = 0.6


@dataclass(frozen=True)
class Grounding:
    sentences: int
    supported: int

    @property
    def share(self) -> float | None:
        return self.supported / self.sentences if self.sentences else None


def sentences(text: str) -> list[str]:
    parts = [s.strip(" -*•\t") for s in _SENTENCE.split(text)]
    return [s for s in parts if len(_WORD.findall(s.lower())) >= 3 and not _NO_CLAIM.match(s)]


def _numbers(text: str) -> set[str]:
    return {n.lstrip("£").rstrip("%").removesuffix(".00") for n in _NUMBER.findall(text)}


def is_supported(sentence: str, evidence: str) -> bool:
    """Most content words of `sentence` and all its numbers occur in `evidence`."""
    lowered = evidence.lower()
    vocabulary = set(_WORD.findall(lowered))
    words = [w for w in _WORD.findall(sentence.lower()) if w not in _STOP]
    if not words:
        return True
    if not _numbers(sentence) <= _numbers(lowered) | {"1"}:
        return False
    hits = sum(1 for w in words if w in vocabulary or w.rstrip("s") in vocabulary)
    return hits / len(words) >= MIN_COVERAGE


def grounding(answer: str, evidence: str) -> Grounding:
    found = sentences(answer)
    return Grounding(len(found), sum(1 for s in found if is_supported(s, evidence)))
