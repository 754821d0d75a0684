"""Which language a message is in, when it is clearly not English, and what to say back.

The vocabulary and the replies live in `knowledge/data/acts/languages.yaml`: a message is in
language L when at least two of its words are L's common words and they outnumber the English
ones two to one; another script than Latin is "other" (answered in English)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from assistant.local.speech_acts import default_acts_dir

OTHER = "other"


@dataclass(frozen=True, slots=True)
class Language:
    code: str
    words: frozenset[str]
    reply: str
    yes: frozenset[str]
    no: frozenset[str]


@dataclass(frozen=True, slots=True)
class Languages:
    english: frozenset[str]
    known: tuple[Language, ...]
    other_reply: str

    def detect(self, text: str) -> str | None:
        """A language code, `other` (another script), or None for English or too little."""
        letters = [c for c in text if c.isalpha()]
        if len(letters) < 4:
            return None
        latin = sum(1 for c in letters if "a" <= c.lower() <= "z" or "\u00c0" <= c <= "\u024f")
        if latin / len(letters) < 0.5:
            return OTHER
        words = re.findall(r"[^\W\d_]+(?:'[^\W\d_]+)?", text.lower())
        if len(words) < 2:
            return None
        english = sum(w in self.english for w in words)
        best = max(self.known, key=lambda lang: sum(w in lang.words for w in words))
        hits = sum(w in best.words and w not in self.english for w in words)
        return best.code if hits >= 2 and hits > 2 * english else None

    def reply(self, code: str) -> str:
        found = next((lang for lang in self.known if lang.code == code), None)
        return found.reply if found else self.other_reply

    def yes_no(self, text: str) -> bool | None:
        """A yes or no in one of the known languages ("tak", "ie", "non merci")."""
        norm = " ".join(re.findall(r"[^\W\d_]+", text.lower()))
        for lang in self.known:
            if norm in lang.yes:
                return True
            if norm in lang.no:
                return False
        return None


@lru_cache(maxsize=2)
def load_languages(path: Path | None = None) -> Languages:
    data = yaml.safe_load((path or default_acts_dir() / "languages.yaml").read_text("utf-8"))
    known = tuple(
        Language(
            code=str(code),
            words=frozenset(str(w).lower() for w in spec["words"]),
            reply=str(spec["reply"]),
            yes=frozenset(str(w).lower() for w in spec["yes"]),
            no=frozenset(str(w).lower() for w in spec["no"]),
        )
        for code, spec in data["languages"].items()
    )
    return Languages(
        english=frozenset(str(w).lower() for w in data["english"]),
        known=known,
        other_reply=str(data["other_script"]["reply"]),
    )


__all__ = ["OTHER", "Languages", "load_languages"]
