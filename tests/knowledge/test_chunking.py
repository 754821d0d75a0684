import itertools

import pytest

from knowledge.chunking import (
    Chunk,
    ChunkingOptions,
    chunk_document,
    encoding,
    split_sections,
)
from knowledge.document import Document


def doc(body: str, **kw: object) -> Document:
    return Document(id="kb-x", title="Roaming guide", url="https://x", body=body, **kw)  # type: ignore[arg-type]


def passages(document: Document, options: ChunkingOptions | None = None) -> list[Chunk]:
    chunks = chunk_document(document, options)
    assert [c.kind for c in chunks] == ["title"] + ["chunk"] * (len(chunks) - 1)
    return chunks[1:]


def test_every_document_gets_one_title_record() -> None:
    title = chunk_document(doc("Body.", tags=("roaming", "abroad")))[0]
    assert (title.kind, title.text) == ("title", "Roaming guide\nroaming, abroad")
    assert title.embedding_text(doc("Body.")) == title.text


def test_sections_follow_headings_and_skip_a_title_heading() -> None:
    body = (
        "# Roaming guide\nIntro.\n## Zone 1\nEU.\n### Prices\n£2.25.\n"
        "## Zone 2\nUSA.\n```\n# not a heading\n```"
    )
    assert split_sections(body, title="Roaming guide") == [
        ("", "Intro."),
        ("Zone 1", "EU."),
        ("Zone 1 > Prices", "£2.25."),
        ("Zone 2", "USA.\n```\n# not a heading\n```"),
    ]


def test_chunks_never_cross_a_heading_and_respect_the_token_limit() -> None:
    para = " ".join(f"Sentence number {i} about roaming charges." for i in range(40))
    body = f"## First\n{para}\n\n{para}\n## Second\nShort one."
    options = ChunkingOptions(max_tokens=64, overlap_tokens=16)
    chunks = passages(doc(body), options)
    enc = encoding("cl100k_base")
    assert all(len(enc.encode(c.text)) <= 64 + 2 for c in chunks)
    assert chunks[-1].section == "Second" and chunks[-1].text == "Short one."
    assert {c.section for c in chunks[:-1]} == {"First"}
    assert [c.position for c in chunks] == list(range(len(chunks)))


def test_consecutive_chunks_overlap() -> None:
    body = "\n\n".join(f"Paragraph {i} says something short." for i in range(30))
    chunks = passages(doc(body), ChunkingOptions(max_tokens=40, overlap_tokens=12))
    assert len(chunks) > 3
    for a, b in itertools.pairwise(chunks):
        assert a.text.split("\n\n")[-1] == b.text.split("\n\n")[0]


def test_ids_are_content_hashes() -> None:
    body = "## A\nAlpha text.\n## B\nBeta text."
    first = passages(doc(body))
    assert [c.id for c in first] == [c.id for c in passages(doc(body))]
    edited = passages(doc(body.replace("Beta", "Gamma")))
    assert first[0].id == edited[0].id and first[1].id != edited[1].id
    retitled = chunk_document(doc(body).model_copy(update={"title": "Other"}))
    assert not {c.id for c in first} & {c.id for c in retitled}


def test_a_repeated_passage_gets_distinct_ids() -> None:
    chunks = chunk_document(doc("## A\nSame.\n## A\nSame."))
    assert len({c.id for c in chunks}) == 3


def test_options_are_validated() -> None:
    with pytest.raises(ValueError):
        ChunkingOptions(max_tokens=100, overlap_tokens=60)
