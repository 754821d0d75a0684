"""The text of cited documents, for the groundedness metric: doc id -> article body."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from evals.groundedness import grounding
from evals.result import TurnRecord


@lru_cache(maxsize=4)
def article_texts(directory: Path) -> dict[str, str]:
    from knowledge.loader import load_articles

    loaded = load_articles([directory], root=directory)
    return {d.id: f"{d.title}\n{d.body}" for d in loaded.documents}


def annotate_grounding(record: TurnRecord, texts: dict[str, str]) -> None:
    """Fill the turn's groundedness counts when it cited documents (or answered a FAQ)."""
    cited = [texts.get(doc.split("#")[0], "") for doc in record.citations]
    if not cited and record.capability != "faq":
        return
    if record.outcome not in ("answered", None) or not record.text:
        return
    result = grounding(record.text, "\n".join(cited))
    record.answer_sentences = result.sentences
    record.supported_sentences = result.supported
