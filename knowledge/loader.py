"""Article files in, `Document`s out; a bad file becomes a `LoadProblem` with its file and line.

Markdown files carry YAML front matter between `---` lines; YAML files are one mapping with the
same keys plus `body`. Keys: id, title, url, tags, locale, customer_type (all | prepaid |
postpaid | business, or a list), capability.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from knowledge.document import Document, parse_customer_types

ARTICLE_SUFFIXES = (".md", ".markdown", ".yaml", ".yml")
DEFAULT_MAX_BYTES = 512 * 1024


@dataclass(frozen=True)
class LoadProblem:
    """A file that was skipped, and why."""

    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


@dataclass
class LoadResult:
    documents: list[Document] = field(default_factory=list)
    problems: list[LoadProblem] = field(default_factory=list)
    # paths (as stored in chunk metadata) of files that could not be read: their chunks stay
    skipped_paths: set[str] = field(default_factory=set)


class _BadDocument(Exception):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


def article_files(paths: Iterable[Path]) -> list[Path]:
    """Every article file under `paths` (files or directories), sorted for a stable order."""
    found: set[Path] = set()
    for path in paths:
        if path.is_dir():
            found.update(p for p in path.rglob("*") if p.suffix in ARTICLE_SUFFIXES and p.is_file())
        elif path.is_file():
            found.add(path)
    return sorted(found)


def load_articles(
    paths: Iterable[Path], *, root: Path | None = None, max_bytes: int = DEFAULT_MAX_BYTES
) -> LoadResult:
    """Load every article under `paths`; duplicates and bad files are reported and skipped."""
    result = LoadResult()
    seen: dict[str, str] = {}
    for file in article_files(paths):
        label = _label(file, root)
        try:
            doc = _load_file(file, label=label, max_bytes=max_bytes)
        except _BadDocument as exc:
            result.problems.append(LoadProblem(label, exc.line, exc.message))
            result.skipped_paths.add(label)
            continue
        if doc.id in seen:
            result.problems.append(
                LoadProblem(label, 1, f"duplicate id {doc.id!r} (already in {seen[doc.id]})")
            )
            result.skipped_paths.add(label)
            continue
        seen[doc.id] = label
        result.documents.append(doc)
    return result


def _label(file: Path, root: Path | None) -> str:
    if root is not None:
        try:
            return file.resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            pass
    return file.resolve().as_posix()


def _load_file(file: Path, *, label: str, max_bytes: int) -> Document:
    size = file.stat().st_size
    if size > max_bytes:
        raise _BadDocument(1, f"file is {size} bytes, larger than the {max_bytes}-byte limit")
    raw = file.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise _BadDocument(line, f"not valid UTF-8 (byte {exc.start})") from None
    if not text.strip():
        raise _BadDocument(1, "file is empty")
    text = text.replace("\r\n", "\n")
    if file.suffix in (".yaml", ".yml"):
        meta, body, offset = _yaml_article(text)
    else:
        meta, body, offset = _front_matter(text)
    return _document(meta, body, text=text, offset=offset, label=label)


def _front_matter(text: str) -> tuple[dict[str, Any], str, int]:
    lines = text.split("\n")
    if lines[0].strip() != "---":
        raise _BadDocument(1, "missing front matter (the file must start with a '---' line)")
    end = next((i for i in range(1, len(lines)) if lines[i].strip() in ("---", "...")), None)
    if end is None:
        raise _BadDocument(1, "front matter is not closed by a '---' line")
    meta = _parse_yaml("\n".join(lines[1:end]), offset=1)
    return meta, "\n".join(lines[end + 1 :]), 1


def _yaml_article(text: str) -> tuple[dict[str, Any], str, int]:
    meta = _parse_yaml(text, offset=0)
    body = meta.pop("body", "")
    if not isinstance(body, str):
        raise _BadDocument(1, "'body' must be a string")
    return meta, body, 0


def _parse_yaml(text: str, *, offset: int) -> dict[str, Any]:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = offset + (mark.line + 1 if mark is not None else 1)
        problem = getattr(exc, "problem", None) or "invalid YAML"
        raise _BadDocument(line, f"malformed front matter: {problem}") from None
    if not isinstance(data, dict):
        raise _BadDocument(offset + 1, "front matter must be a mapping of keys to values")
    return data


def _document(meta: dict[str, Any], body: str, *, text: str, offset: int, label: str) -> Document:
    fields = dict(meta)
    try:
        fields["customer_types"] = parse_customer_types(fields.pop("customer_type", "all"))
    except ValueError as exc:
        raise _BadDocument(_key_line(text, "customer_type", offset), str(exc)) from None
    if not body.strip():
        raise _BadDocument(offset + 1, "article has no body text")
    try:
        return Document(**fields, body=body.strip(), path=label)
    except ValidationError as exc:
        err = exc.errors()[0]
        key = str(err["loc"][0]) if err["loc"] else "front matter"
        line = _key_line(text, key, offset)
        raise _BadDocument(line, f"{key}: {err['msg']}") from None


def _key_line(text: str, key: str, offset: int) -> int:
    match = re.search(rf"^{re.escape(key)}\s*:", text, flags=re.MULTILINE)
    if match is None:
        return offset + 1 if offset else 1
    return text.count("\n", 0, match.start()) + 1
