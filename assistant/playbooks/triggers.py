"""Which playbook a message starts: one whose trigger phrase (a set of words) it contains, else
the one whose example phrasing it is closest to (the engine's typo-tolerant n-gram similarity),
above a bar that keeps a passing mention from starting a journey."""

from __future__ import annotations

import re
from collections.abc import Mapping

from assistant.local.lexical import NgramIndex
from assistant.local.text import normalise
from assistant.playbooks.format import Playbook
from assistant.playbooks.slot_types import SLOT_TYPES

EXAMPLE_BAR = 0.62  # cosine similarity to an example that starts a journey
_WORD = re.compile(r"[a-z0-9']+")
# A how/why/what question (in any clause) is a question about how things work (the knowledge
# base answers it), not a request to be guided: "why would my phone stop getting calls after a
# block" starts no block. A request put as a question ("can I switch to eSIM?") still starts
# its journey.
_HOW_TO = re.compile(
    r"^\W*(how|why|what|whats|what's|when|where|who|which|does|do|is|are)\b", re.IGNORECASE
)


_CLAUSE = re.compile(r"[,;.!?]+\s*|\s+(?:and|but|so)\s+", re.IGNORECASE)
PHRASE_SLACK = 2  # words a trigger phrase's span may hold besides the phrase's own


def _close(phrase: frozenset[str], tokens: list[str]) -> bool:
    """The phrase's words stand near one another: "block my phone", not "block premium numbers
    on my daughter's phone" (the words of one phrase scattered over a sentence)."""
    last: dict[str, int] = {}
    for index, token in enumerate(tokens):
        if token in phrase:
            last[token] = index
            if len(last) == len(phrase) and index - min(last.values()) < len(phrase) + PHRASE_SLACK:
                return True
    return False


class Triggers:
    def __init__(self, playbooks: Mapping[str, Playbook]) -> None:
        self._owners: list[str] = []
        texts: list[str] = []
        self._phrases: list[tuple[str, frozenset[str]]] = []
        self._unless = {n: [u.lower() for u in p.trigger.unless] for n, p in playbooks.items()}
        self._unless_slots = {n: p.trigger.unless_slots for n, p in playbooks.items()}
        for name, playbook in sorted(playbooks.items()):
            for example in playbook.trigger.examples:
                self._owners.append(name)
                texts.append(normalise(example))
            for phrase in playbook.trigger.phrases:
                words = frozenset(normalise(" ".join(phrase)).split())
                self._phrases.append((name, words))
        self._index = NgramIndex(texts) if texts else None

    def match(self, text: str) -> str | None:
        if any(_HOW_TO.match(clause) for clause in _CLAUSE.split(text)):
            return None  # "my phone was stolen, what do I do?" asks; the articles answer
        norm = normalise(text)
        tokens = _WORD.findall(norm)
        words = set(tokens)
        lowered = f" {text.lower()} {norm} "
        barred = {n for n, unless in self._unless.items() if any(u in lowered for u in unless)}
        barred |= {
            n
            for n, types in self._unless_slots.items()
            if any(SLOT_TYPES[t].extract(text, None) is not None for t in types)
        }
        by_phrase = [
            (len(w), n)
            for n, w in self._phrases
            if w <= words and n not in barred and _close(w, tokens)
        ]
        if by_phrase:
            return max(by_phrase)[1]  # the most specific phrase wins
        if self._index is None:
            return None
        scores = self._index.scores(norm)
        best = int(scores.argmax())
        owner = self._owners[best]
        return owner if float(scores[best]) >= EXAMPLE_BAR and owner not in barred else None
