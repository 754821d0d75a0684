"""Which language a customer writes in, and the reply to one the assistant does not serve
(issue #15 part 5, ADR 0044).

The assistant answers in English. A message in another language it knows
(knowledge/data/acts/languages.yaml) gets, before any model runs, a short reply in that language
and in English asking whether to put the customer through to a person; a yes (in that language
or English) or another message in it hands the conversation over, a no goes on in English. It
is never refused as out of scope.

Detection is py3langid (langid.py's naive Bayes over byte n-grams, trained on 97 languages; its
model ships inside the wheel: nothing is downloaded), restricted to English and the languages
in the YAML. Short, noisy English ("wat date is my bundel renewing on", "30 quid topup") is what
such a detector gets wrong, so it must be sure: a message written mostly in Latin letters counts
as foreign only with at least three words and twelve letters and P(not English) >=
`FOREIGN_MIN_P`; one written
mostly in another script (Cyrillic, Arabic, Devanagari, Han) needs no threshold. Measured with
`python -m evals.languages`: 0 of 1,842 own English texts, 0 of 9,171 written outside the team
(the dev sets, CLINC150 and BANKING77 test splits) taken for another language; 57 of 57 requests
in the 18 languages named."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

import yaml

# The languages, their replies and their words for yes and no: data the team extends freely.
LANGUAGES_FILE = Path(str(resources.files("knowledge") / "data" / "acts" / "languages.yaml"))
FOREIGN_MIN_P = 0.95
MIN_LATIN_WORDS = 3
MIN_LATIN_LETTERS = 12  # "ok ta ra" (6 letters) is English slang, not Swahili
_WORD = re.compile(r"\w+")


@dataclass(frozen=True, slots=True)
class Language:
    code: str  # ISO 639-1, as langid names it
    reply: str  # in the language itself: English only, shall I put you through? (yes/no)
    yes: frozenset[str]
    no: frozenset[str]


@dataclass(frozen=True, slots=True)
class Languages:
    english: str  # the same offer in English
    known: dict[str, Language]

    def reply(self, code: str) -> str:
        """The reply to a message in `code`: in that language, then in English."""
        return f"{self.known[code].reply}\n\n{self.english}"

    def answer(self, text: str) -> bool | None:
        """A yes (True) or no (False) in one of the languages ("tak", "nein danke"), or None."""
        words = " ".join(re.findall(r"[^\W\d_]+", text.lower()))
        for language in self.known.values():
            if words in language.yes:
                return True
            if words in language.no:
                return False
        return None


@cache
def languages() -> Languages:
    raw = yaml.safe_load(LANGUAGES_FILE.read_text(encoding="utf-8"))
    known = {
        str(code): Language(
            code=str(code),
            reply=str(entry["reply"]),
            yes=frozenset(str(w).lower() for w in entry["yes"]),
            no=frozenset(str(w).lower() for w in entry["no"]),
        )
        for code, entry in raw["languages"].items()
    }
    return Languages(english=str(raw["other_script"]["reply"]), known=known)


@cache
def _identifier():  # type: ignore[no-untyped-def]
    from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_modelpath(MODEL_DIR / MODEL_FILE, norm_probs=True)
    identifier.set_languages(["en", *languages().known])
    return identifier


def language_of(text: str) -> str:
    """ "en", or the code of a known language the text is surely written in."""
    letters = [c for c in text if c.isalpha()]
    if len(letters) < 2:
        return "en"
    ranked = dict(_identifier().rank(text))
    best = max((code for code in ranked if code != "en"), key=lambda code: ranked[code])
    latin = sum(c.isascii() or _latin_extended(c) for c in letters) / len(letters)
    if latin < 0.5:
        return str(best)  # another script: not English whatever the probabilities say
    words = len(_WORD.findall(text))
    long_enough = words >= MIN_LATIN_WORDS and len(letters) >= MIN_LATIN_LETTERS
    if long_enough and 1.0 - ranked.get("en", 0.0) >= FOREIGN_MIN_P:
        return str(best)
    return "en"


def _latin_extended(char: str) -> bool:
    return "\u00c0" <= char <= "\u024f" or "\u1e00" <= char <= "\u1eff"  # é, ł, ŵ, ă, ẁ...
