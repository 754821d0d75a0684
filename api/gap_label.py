"""Keywords for a topic of questions: the words frequent in the topic and rare in the other gaps
(class-based TF-IDF), so words every question shares ("my", "how") sink without a stop list."""

from __future__ import annotations

import math
import re
from collections import Counter

_WORD = re.compile(r"[a-z0-9][a-z0-9'+-]*[a-z0-9]|[a-z0-9]")
KEYWORDS = 3


def words(text: str) -> set[str]:
    """The distinct lower-case words of a question (two characters or more)."""
    return {w for w in _WORD.findall(text.lower()) if len(w) > 1}


def keywords(texts: list[str], group: list[int], *, top: int = KEYWORDS) -> list[str]:
    """The `top` words that best set the questions `group` (indices into `texts`) apart."""
    everywhere = Counter(w for t in texts for w in words(t))
    inside = Counter(w for i in group for w in words(texts[i]))
    total = len(texts)
    scored = [
        (count / len(group) * math.log(1 + total / everywhere[w]), w)
        for w, count in inside.items()
        if count >= 2 or len(group) == 1
    ]
    return [w for _, w in sorted(scored, key=lambda s: (-s[0], s[1]))[:top]]
