"""The robustness suite: every own-suite case with its customer messages perturbed the way real
customers type — typos, filler, profanity as an intensifier, casing, no punctuation — so that a
score on clean phrasing can be compared with the same cases typed badly (issue 15).

    switchboard eval run robustness          # every own suite, perturbed
    switchboard eval compare RUN_CLEAN RUN_PERTURBED

Perturbations are deterministic (seeded by the case id) and never touch a word with a digit
(amounts, numbers, postcodes, references), nor the wording of a short reply ("yes", "no", a
plan name), which would change what the customer means."""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Sequence

from evals.loader import SUITES_DIR, load_suites, suite_files
from evals.suite import Case, Suite, Turn

NAME = "robustness"
FILLERS = ("um", "like", "pls", "mate", "tbh", "so yeah", "hiya", "quick one")
INTENSIFIERS = ("bloody", "flipping", "damn", "effing")
_WORD = re.compile(r"[A-Za-z]{4,}")
MIN_WORDS = 3  # shorter messages ("yes", "go ahead", "£20") keep their wording


def _typo(text: str, rng: random.Random) -> str:
    words = list(_WORD.finditer(text))
    if not words:
        return text
    m = rng.choice(words)
    w = m.group(0)
    i = rng.randrange(1, len(w) - 1)
    kind = rng.randrange(3)
    if kind == 0:  # swap two letters
        new = w[: i - 1] + w[i] + w[i - 1] + w[i + 1 :]
    elif kind == 1:  # drop one
        new = w[:i] + w[i + 1 :]
    else:  # double one
        new = w[:i] + w[i] + w[i:]
    return text[: m.start()] + new + text[m.end() :]


def _filler(text: str, rng: random.Random) -> str:
    return (
        f"{rng.choice(FILLERS)} {text}" if rng.random() < 0.5 else f"{text} {rng.choice(FILLERS)}"
    )


def _profanity(text: str, rng: random.Random) -> str:
    words = text.split(" ")
    spots = [i for i, w in enumerate(words) if _WORD.fullmatch(w.strip(",.?!")) and i > 0]
    if not spots:
        return f"{rng.choice(INTENSIFIERS)} {text}"
    i = rng.choice(spots)
    return " ".join([*words[:i], rng.choice(INTENSIFIERS), *words[i:]])


def _casing(text: str, rng: random.Random) -> str:
    return text.upper() if rng.random() < 0.5 else text.lower()


def _no_punctuation(text: str, rng: random.Random) -> str:
    return re.sub(r"(?<!\d)[?!.,;:'](?!\d)", "", text)


PERTURBATIONS: dict[str, Callable[[str, random.Random], str]] = {
    "typo": _typo,
    "filler": _filler,
    "profanity": _profanity,
    "casing": _casing,
    "no_punctuation": _no_punctuation,
}


def perturb(text: str, kind: str, rng: random.Random) -> str:
    if len(text.split()) < MIN_WORDS:
        return text
    return PERTURBATIONS[kind](text, rng)


def perturbed_case(case: Case) -> Case:
    """The same case with each customer message perturbed (one kind per case, by its id)."""
    rng = random.Random(case.id)
    kind = rng.choice(sorted(PERTURBATIONS))
    turns = [
        t if t.confirm_action else t.model_copy(update={"user": perturb(t.user, kind, rng)})
        for t in case.turns
    ]
    return case.model_copy(
        update={
            "id": f"{case.id}.{kind}",
            "turns": [Turn.model_validate(t.model_dump()) for t in turns],
            "tags": [*case.tags, "perturbed", kind],
        }
    )


def load(suites: Sequence[Suite] | None = None) -> Suite:
    own = suites if suites is not None else load_suites(suite_files([SUITES_DIR])).suites
    cases = [perturbed_case(c) for s in own for c in s.cases if c.turns]
    return Suite(
        name=NAME,
        description="Every own-suite case with its messages typed badly (evals/perturb.py).",
        tags=["robustness"],
        cases=cases,
        source="evals/perturb.py",
    )


__all__ = ["NAME", "PERTURBATIONS", "load", "perturb", "perturbed_case"]
