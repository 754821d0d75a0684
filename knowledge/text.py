"""Text analysis shared by indexing and queries: normalisation, tokens, stems, spelling.

Queries are messy ("e-sim", "5 GB", "cancelation", "roming"); the corpus is tidy. Both sides go
through the same `normalise` and `tokens`, and a query word the corpus has never seen is
corrected to the most frequent corpus word within a small edit distance.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache

import Stemmer

from switchboard.currency import CURRENCY_SIGN

STOPWORDS = frozenset(
    """a about an and are as at be been but by can could did do does doing for from had has have
    how i i'd i'm i've if in into is it it's its me my myself of on or our please so than that the
    their them then there these they this to us was we were what when where which who why will
    with would you your yours hi hello thanks thank want need get got let know tell am
    im ive id dont doesnt didnt cant wont isnt arent youre thats theres whats hows wheres""".split()
)
# chat-speak a customer types -> the word the articles use; applied to queries only
CHAT_SPEAK = {
    "u": "you",
    "ur": "your",
    "r": "are",
    "pls": "please",
    "plz": "please",
    "txt": "text",
    "txts": "texts",
    "msg": "message",
    "msgs": "messages",
    "thx": "thanks",
    "ty": "thanks",
    "bc": "because",
    "cuz": "because",
    "coz": "because",
    "wanna": "want to",
    "gonna": "going to",
    "dunno": "do not know",
    "abt": "about",
    "acc": "account",
    "acct": "account",
    "b4": "before",
    "2day": "today",
    "tmrw": "tomorrow",
    "num": "number",
    "mob": "mobile",
    "fone": "phone",
    "sim's": "sims",
    "mins": "minutes",
    "min": "minute",
    "gigs": "gb",
    "gig": "gb",
    "info": "information",
    "bday": "birthday",
    "intl": "international",
    "int'l": "international",
    "approx": "about",
}
# US spellings and common variants -> the British spellings the knowledge base uses
_VARIANTS = {
    "cancelation": "cancellation",
    "canceled": "cancelled",
    "canceling": "cancelling",
    "color": "colour",
    "center": "centre",
    "fiber": "fibre",
    "cellphone": "phone",
    "cellular": "mobile",
    "license": "licence",
}
_WORD = re.compile(rf"(?:[a-z0-9]|{CURRENCY_SIGN})+(?:'[a-z]+)?")
_NUMBER_UNIT = re.compile(r"^(\d+(?:\.\d+)?)([a-z]+)$")
_stemmer = Stemmer.Stemmer("english")


_SINGLE_LETTER_PREFIX = re.compile(r"\b([a-z])-(?=[a-z]{2,})")  # e-sim -> esim
_WIFI = re.compile(r"\bwi-?fi\b")
_THOUSANDS = re.compile(r"(\d),(\d{3})\b")  # 1,000 -> 1000


def normalise(text: str) -> str:
    """Unicode-fold, lowercase and tidy punctuation so variants compare equal."""
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text).replace("\u2019", "'").replace("\u2018", "'")
    text = text.lower()
    if "-" in text:
        text = _WIFI.sub("wifi", _SINGLE_LETTER_PREFIX.sub(r"\1", text))
    if "," in text:
        text = _THOUSANDS.sub(r"\1\2", text)
    return text.replace("&", " and ")


def words(text: str) -> list[str]:
    """Normalised surface words (no stopwords), numbers and units split as well as joined."""
    out: list[str] = []
    for raw in _WORD.findall(normalise(text)):
        out.extend(_forms(raw))
    return out


@lru_cache(maxsize=262144)
def _forms(raw: str) -> tuple[str, ...]:
    word = raw.removesuffix("'s").replace("'", "")
    word = _VARIANTS.get(word, word)
    if word in STOPWORDS or not word:
        return ()
    match = _NUMBER_UNIT.match(word)
    return (word, *match.groups()) if match else (word,)  # "5gb" also matches "5 gb"


def stems(tokens: Iterable[str]) -> list[str]:
    return [_stem(t) for t in tokens]


@lru_cache(maxsize=65536)
def _stem(token: str) -> str:
    return str(_stemmer.stemWord(token))


class Speller:
    """Corrects words unknown to the corpus: Damerau-Levenshtein 1 (2 for long words)."""

    def __init__(self, vocabulary: Counter[str]) -> None:
        self._freq = vocabulary
        self._stems = {_stem(w) for w in vocabulary}
        self._deletes: dict[str, list[str]] = {}
        for word in vocabulary:
            if len(word) >= 4 and word.isalpha():
                for variant in _deletes(word) | {word}:
                    self._deletes.setdefault(variant, []).append(word)

    def correct(self, word: str) -> str:
        if (
            word in self._freq
            or word in STOPWORDS
            or not word.isalpha()
            or len(word) < 4
            or _stem(word) in self._stems
        ):
            return word
        max_distance = 2 if len(word) >= 8 else 1
        probes = {word} | _deletes(word)
        if max_distance == 2:
            probes |= {d2 for d1 in _deletes(word) for d2 in _deletes(d1)}
        candidates = {c for p in probes for c in self._deletes.get(p, ())}
        best: tuple[int, int, str] | None = None
        for cand in candidates:
            dist = _distance(word, cand)
            if dist <= max_distance:
                key = (dist, -self._freq[cand], cand)
                best = key if best is None or key < best else best
        return best[2] if best else word


def _deletes(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


def _distance(a: str, b: str) -> int:
    """Optimal string alignment distance (Damerau-Levenshtein with adjacent transpositions)."""
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        prev2, prev = prev, cur
    return prev[-1]
