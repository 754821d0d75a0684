"""Misspellings corrected against the vocabulary of the exemplars themselves.

A word of six letters or more that no exemplar uses, and that is one edit (a letter dropped,
added, changed or two swapped) from exactly the words the exemplars do use, is read as the most
frequent of them: "singal" -> "signal", "minites" -> "minutes", "manger" -> "manager". The
vocabulary is the data the recognizer already learns from, so a new exemplar teaches the speller
its words too; no list of misspellings is kept."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

MIN_LENGTH = 6  # shorter words have too many real neighbours one edit away ("cell", "fare")
_TOKEN = re.compile(r"[a-z]+")


class Speller:
    def __init__(self, texts: Iterable[str]) -> None:
        self.counts: Counter[str] = Counter(w for t in texts for w in _TOKEN.findall(t.lower()))
        self._deletes: dict[str, set[str]] = {}
        for word in self.counts:
            if len(word) >= MIN_LENGTH - 1:
                for variant in _deletes(word):
                    self._deletes.setdefault(variant, set()).add(word)

    def correct(self, text: str) -> str:
        """`text` (already normalised) with unknown words replaced by their known neighbour."""
        return _TOKEN.sub(lambda m: self.word(m.group(0)), text)

    def word(self, word: str) -> str:
        if len(word) < MIN_LENGTH or word in self.counts:
            return word
        candidates = {c for v in _deletes(word) for c in self._deletes.get(v, ())}
        # the first letter is kept: a typo rarely changes it, a different word often does
        close = [c for c in candidates if c[0] == word[0] and _one_edit(word, c)]
        if not close:
            return word
        return max(close, key=lambda c: (self.counts[c], c))


def _deletes(word: str) -> set[str]:
    return {word} | {word[:i] + word[i + 1 :] for i in range(len(word))}


def _one_edit(a: str, b: str) -> bool:
    """Optimal string alignment distance of exactly one (a swap of neighbours counts as one)."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        if len(diff) == 1:
            return True
        return (
            len(diff) == 2
            and diff[1] == diff[0] + 1
            and a[diff[0]] == b[diff[1]]
            and a[diff[1]] == b[diff[0]]
        )
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))
