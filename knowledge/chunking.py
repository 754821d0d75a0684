"""Heading-aware, token-sized chunks with content-hash ids.

A chunk never crosses a heading; inside a section, paragraphs are packed up to `max_tokens`
(tiktoken), a paragraph too long is split at sentences and a sentence too long at token windows;
consecutive chunks of one section share up to `overlap_tokens`. The id hashes everything that
is embedded or stored, so re-ingestion only embeds what changed.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

import tiktoken
from pydantic import BaseModel, ConfigDict

from knowledge.document import Document
from switchboard.currency import CURRENCY_SIGN

_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
_FENCE = re.compile(r"^\s*(```|~~~)")
_SENTENCE_END = re.compile(rf"(?<=[.!?])\s+(?=[A-Z0-9\"'(*-]|{CURRENCY_SIGN})")


@dataclass(frozen=True)
class ChunkingOptions:
    max_tokens: int = 160
    overlap_tokens: int = 24
    encoding: str = "cl100k_base"

    def __post_init__(self) -> None:
        if self.max_tokens < 16 or not 0 <= self.overlap_tokens < self.max_tokens // 2:
            raise ValueError("need max_tokens >= 16 and 0 <= overlap_tokens < max_tokens / 2")


class Chunk(BaseModel):
    """A passage of one document, as indexed."""

    model_config = ConfigDict(frozen=True)

    id: str
    doc_id: str
    section: str
    text: str
    position: int
    kind: Literal["chunk", "title"] = "chunk"

    def embedding_text(self, doc: Document) -> str:
        """What the dense model sees: the title and section give a short chunk its context."""
        if self.kind == "title":
            return self.text
        header = doc.title if not self.section else f"{doc.title} — {self.section}"
        return f"{header}\n{self.text}"


@lru_cache(maxsize=4)
def encoding(name: str) -> tiktoken.Encoding:
    """A tiktoken encoding; seed the offline cache first (`knowledge.offline`)."""
    return tiktoken.get_encoding(name)


def chunk_document(doc: Document, options: ChunkingOptions | None = None) -> list[Chunk]:
    """Split `doc` into chunks; ids are stable for unchanged content."""
    options = options or ChunkingOptions()
    enc = encoding(options.encoding)
    chunks: list[Chunk] = []
    seen: set[str] = set()
    for section, text in split_sections(doc.body, title=doc.title):
        for piece in _pack(_blocks(text), enc, options):
            chunk_id = _chunk_id(doc, section, piece, seen)
            chunks.append(
                Chunk(id=chunk_id, doc_id=doc.id, section=section, text=piece, position=len(chunks))
            )
    return [title_chunk(doc, seen), *chunks] if chunks else chunks


def title_chunk(doc: Document, seen: set[str] | None = None) -> Chunk:
    """One record per document for its title and tags: what the whole article is about.

    Both rankings see it (a short record that matches the title outranks a long passage that
    mentions the words in passing); it is never shown as a passage itself.
    """
    text = doc.title + (f"\n{', '.join(doc.tags)}" if doc.tags else "")
    chunk_id = _chunk_id(doc, "#title", text, seen if seen is not None else set())
    return Chunk(id=chunk_id, doc_id=doc.id, section="", text=text, position=-1, kind="title")


def split_sections(body: str, *, title: str = "") -> list[tuple[str, str]]:
    """(section path, text) pairs; a heading equal to the title is not repeated in the path."""
    sections: list[tuple[str, str]] = []
    stack: list[tuple[int, str]] = []
    lines: list[str] = []
    in_fence = False

    def flush() -> None:
        text = "\n".join(lines).strip()
        if text:
            names = [name for _, name in stack if name.strip().lower() != title.strip().lower()]
            sections.append((" > ".join(names), text))
        lines.clear()

    for line in body.split("\n"):
        if _FENCE.match(line):
            in_fence = not in_fence
        match = None if in_fence else _HEADING.match(line)
        if match is None:
            lines.append(line)
            continue
        flush()
        level = len(match.group(1))
        stack = [(lvl, name) for lvl, name in stack if lvl < level]
        stack.append((level, match.group(2).strip()))
    flush()
    return sections


def _blocks(text: str) -> list[str]:
    return [b.strip() for b in re.split(r"\n\s*\n", text) if b.strip()]


def _pack(blocks: list[str], enc: tiktoken.Encoding, options: ChunkingOptions) -> list[str]:
    pieces: list[tuple[str, int]] = []
    for block in blocks:
        pieces.extend(_fit(block, enc, options.max_tokens))
    out: list[str] = []
    current: list[tuple[str, int]] = []
    size = 0
    for piece, tokens in pieces:
        if current and size + tokens > options.max_tokens:
            out.append("\n\n".join(p for p, _ in current))
            current = _overlap(current, options.overlap_tokens, options.max_tokens - tokens)
            size = sum(t for _, t in current)
        current.append((piece, tokens))
        size += tokens
    if current:
        out.append("\n\n".join(p for p, _ in current))
    return out


def _fit(block: str, enc: tiktoken.Encoding, limit: int) -> list[tuple[str, int]]:
    tokens = len(enc.encode_ordinary(block))
    if tokens <= limit:
        return [(block, tokens)]
    sentences = _SENTENCE_END.split(block)
    if len(sentences) > 1:
        return [p for s in sentences for p in _fit(s, enc, limit)]
    ids = enc.encode_ordinary(block)
    return [
        (enc.decode(ids[i : i + limit]), len(ids[i : i + limit])) for i in range(0, len(ids), limit)
    ]


def _overlap(pieces: list[tuple[str, int]], budget: int, room: int) -> list[tuple[str, int]]:
    kept: list[tuple[str, int]] = []
    total = 0
    for piece, tokens in reversed(pieces):
        if total + tokens > min(budget, room):
            break
        kept.insert(0, (piece, tokens))
        total += tokens
    return kept


def _chunk_id(doc: Document, section: str, text: str, seen: set[str]) -> str:
    fingerprint = json.dumps(
        [
            doc.title,
            doc.url,
            doc.tags,
            doc.locale,
            doc.customer_types,
            doc.capability,
            doc.source,
            doc.path,
            section,
            text,
        ],
        ensure_ascii=False,
    )
    digest = hashlib.sha256(fingerprint.encode()).hexdigest()[:20]
    while f"{doc.id}:{digest}" in seen:  # the same passage twice in one document
        digest = hashlib.sha256(digest.encode()).hexdigest()[:20]
    seen.add(f"{doc.id}:{digest}")
    return f"{doc.id}:{digest}"
