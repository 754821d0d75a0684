"""Turn knowledge-gap topics into work for a writer: per topic, a draft article stub (Markdown with
the front matter of knowledge/data/articles) and an eval suite (the format of evals/suites) whose
cases ask the topic's questions and expect them answered from that article.

The article is marked draft three ways (file name, `draft: true`, a heading) because the loader
ignores unknown keys: a stub copied into the knowledge folder unedited would otherwise be served.
The eval cases fail until the article is written and ingested: that is the point of them."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from api.gaps import NOT_QUESTIONS, GapTopic
from assistant.events import CAPABILITIES
from switchboard.automation import NON_NEED_CAPABILITIES

_SLUG = re.compile(r"[^a-z0-9]+")
# a capability a drafted article can be filed under: a customer need, not "a person please"
NEED_CAPABILITIES = frozenset(CAPABILITIES) - NON_NEED_CAPABILITIES - NOT_QUESTIONS


def slug(topic: GapTopic, rank: int) -> str:
    """A file-safe name: its rank and keywords (or label), e.g. `01-voicemail-pin`."""
    words = "-".join(topic.keywords) or topic.label
    return f"{rank:02d}-" + (_SLUG.sub("-", words.lower()).strip("-")[:48] or "topic")


def _capability(topic: GapTopic) -> str | None:
    for name in topic.capabilities:
        if name in NEED_CAPABILITIES:
            return name
    return None


def article_stub(topic: GapTopic, name: str) -> str:
    """The draft article: front matter a writer completes, the questions it must answer."""
    meta: dict[str, object] = {
        "id": f"kb-gap-{name}",
        "title": f"DRAFT: {topic.label}",
        "url": f"https://help.example/draft/{name}",
        "tags": [*topic.keywords, "draft"],
        "locale": "en",
        "customer_type": "all",
        "draft": True,
    }
    capability = _capability(topic)
    if capability is not None:
        meta["capability"] = capability
    why = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in topic.reasons.items())
    asked = "\n".join(f"- {q}" for q in topic.examples)
    front = yaml.safe_dump(meta, sort_keys=False, allow_unicode=True, width=100).strip()
    return (
        f"---\n{front}\n---\n"
        "## DRAFT — not reviewed, do not publish as is\n\n"
        f"Customers asked this {topic.count} times in {topic.conversations} conversations "
        f"and the assistant could not answer well ({why}). Write the answer below, remove "
        "`draft: true` and the DRAFT marks, then add the file to the knowledge folder.\n\n"
        f"## What customers asked\n\n{asked}\n\n"
        "## Answer\n\nTODO: the answer, in the customer's words.\n"
    )


def eval_suite(topic: GapTopic, name: str) -> str:
    """An eval suite with one case per example question: answered, citing the new article."""
    expect: dict[str, object] = {"outcome": ["answered"], "citations": [f"kb-gap-{name}"]}
    capability = _capability(topic)
    if capability is not None:
        expect["capability"] = [capability]
    suite = {
        "name": f"gaps-{name}",
        "description": f"Knowledge gap: {topic.label} ({topic.count} questions). Draft.",
        "tags": ["gaps", "draft"],
        "cases": [
            {"id": f"gap-{name}-{i}", "turns": [{"user": q, "expect": dict(expect)}]}
            for i, q in enumerate(topic.examples, start=1)
        ],
    }
    return yaml.safe_dump(suite, sort_keys=False, allow_unicode=True, width=100)


def write_export(topics: list[GapTopic], out: Path) -> list[Path]:
    """Write `articles/draft-<name>.md` and `evals/gaps-<name>.yaml` per topic under `out`."""
    articles, evals = out / "articles", out / "evals"
    articles.mkdir(parents=True, exist_ok=True)
    evals.mkdir(parents=True, exist_ok=True)
    written = []
    for rank, topic in enumerate(topics, start=1):
        name = slug(topic, rank)
        article = articles / f"draft-{name}.md"
        article.write_text(article_stub(topic, name), encoding="utf-8")
        suite = evals / f"gaps-{name}.yaml"
        suite.write_text(eval_suite(topic, name), encoding="utf-8")
        written += [article, suite]
    return written
