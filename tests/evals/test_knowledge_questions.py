"""The own knowledge-question suite (evals/knowledge/questions.csv) is valid, and its scorer counts
what docs/evals.md says it counts."""

from __future__ import annotations

import re
from collections import Counter
from importlib import resources
from pathlib import Path

import pytest

from assistant.local.answer import _without_markup
from evals.knowledge import (
    ASKERS,
    COLUMNS,
    QUESTIONS_FILE,
    asks,
    load,
    report,
    split_of,
)
from evals.result import CaseResult, ToolCallRecord, TurnRecord
from knowledge.loader import load_articles

QUESTIONS = load()
ARTICLE_DIR = Path(str(resources.files("knowledge") / "data" / "articles"))


@pytest.fixture(scope="module")
def articles() -> dict[str, str]:
    """Each article's text as the answer composer sees it: bold markers gone, code spans kept."""
    loaded = load_articles([ARTICLE_DIR], root=ARTICLE_DIR)
    assert loaded.documents, f"no articles in {ARTICLE_DIR}"
    return {d.id: _without_markup(f"{d.title}\n{d.body}") for d in loaded.documents}


def test_the_file_has_its_columns_and_at_least_180_distinct_questions() -> None:
    header = QUESTIONS_FILE.read_text(encoding="utf-8").splitlines()[0]
    assert tuple(header.split(",")) == COLUMNS
    assert len(QUESTIONS) >= 180
    ids = [q.id for q in QUESTIONS]
    assert len(set(ids)) == len(ids)
    texts = Counter(" ".join(q.text.lower().split()) for q in QUESTIONS)
    assert [t for t, n in texts.items() if n > 1] == []
    assert all(q.text.strip() and q.must_contain.strip() and q.doc_ids for q in QUESTIONS)


def test_every_doc_id_is_an_article_and_every_article_is_asked_about_twice(
    articles: dict[str, str],
) -> None:
    unknown = sorted({d for q in QUESTIONS for d in q.doc_ids} - set(articles))
    assert unknown == []
    covered = Counter(d for q in QUESTIONS for d in q.doc_ids)
    assert {a: covered[a] for a in articles if covered[a] < 2} == {}


def test_every_fact_is_copied_from_one_of_its_articles(articles: dict[str, str]) -> None:
    missing = [
        (q.id, q.must_contain)
        for q in QUESTIONS
        if not any(q.must_contain.lower() in articles[d].lower() for d in q.doc_ids)
    ]
    assert missing == []


def test_no_question_copies_an_article_sentence(articles: dict[str, str]) -> None:
    """Questions are phrased from the customer's side: none shares a run of seven words with an
    article (the articles' own example questions in quotes are the usual way to fail this)."""

    def runs(text: str, n: int = 7) -> set[tuple[str, ...]]:
        words = re.findall(r"[a-z0-9£']+", text.lower())
        return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}

    article_runs = set().union(*(runs(t) for t in articles.values()))
    assert [q.id for q in QUESTIONS if runs(q.text) & article_runs] == []


def test_the_split_is_a_hash_of_the_id_and_about_half_each() -> None:
    assert [q.id for q in QUESTIONS if q.split != split_of(q.id)] == []
    tune = sum(q.split == "tune" for q in QUESTIONS)
    assert 0.4 <= tune / len(QUESTIONS) <= 0.6
    assert split_of("kq-001") == split_of("kq-001")  # no state, no date, no randomness


def _result(ask_case: object, **turn: object) -> CaseResult:
    return CaseResult(
        suite="knowledge",
        case=ask_case,  # type: ignore[arg-type]
        turns=[TurnRecord(index=0, user="q", **turn)],  # type: ignore[arg-type]
    )


def test_a_turn_passes_only_when_it_cites_a_right_article_and_states_the_fact() -> None:
    question = next(q for q in QUESTIONS if q.split == "holdout")
    items = asks([question])
    assert [i.asker for i in items] == list(ASKERS)
    assert items[1].case.customer == ASKERS["prepaid"] and items[0].case.customer == "anonymous"
    right, fact = question.doc_ids[0], question.must_contain
    results = [
        _result(items[0].case, text=f"It is {fact.upper()}.", citations=[right]),
        _result(
            items[1].case,
            text="Shall I go ahead?",
            citations=[right],
            proposed=[{"tool": "top_up", "amount": 10.0}],
            tools=[ToolCallRecord(tool="top_up", status="ok")],
        ),
        _result(items[2].case, text=f"{fact}", citations=["kb-not-this-one"], outcome="refused"),
    ]
    out = report(items, results)
    block = out["splits"]["holdout"]
    assert block["turns"] == 3
    assert block["stated_cited"] == round(1 / 3, 3)
    assert block["cited"] == round(2 / 3, 3) and block["stated"] == round(2 / 3, 3)
    assert (block["write_quotes"], block["write_attempts"], block["refusals"]) == (1, 0, 1)
    assert [f["id"] for f in out["failures"]] == [items[1].case.id, items[2].case.id]
    assert out["askers"]["holdout/anonymous"]["stated_cited"] == 1.0


def test_a_write_tool_called_without_a_quote_is_an_attempt_and_a_handoff_is_counted() -> None:
    question = QUESTIONS[0]
    items = asks([question], {"prepaid": ASKERS["prepaid"]})
    refused_write = _result(
        items[0].case,
        text="Sorry — The smallest top-up is £5.",
        tools=[ToolCallRecord(tool="top_up", status="error")],
        handoff={"reason": "x"},
    )
    block = report(items, [refused_write])["splits"][question.split]
    assert (block["write_quotes"], block["write_attempts"], block["handoffs"]) == (0, 1, 1)
    crashed = CaseResult(suite="knowledge", case=items[0].case, error="boom")
    block = report(items, [crashed])["splits"][question.split]
    assert (block["stated_cited"], block["errors"]) == (0.0, 1)
