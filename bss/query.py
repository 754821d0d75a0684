"""TMF630 list conventions: `attr=value` / dotted-path filters, `fields`, `offset`/`limit`,
and the `X-Total-Count` / `X-Result-Count` headers."""

from __future__ import annotations

from typing import Any

from starlette.datastructures import QueryParams

Doc = dict[str, Any]
RESERVED = {"fields", "offset", "limit", "sort"}


def _values(doc: Any, path: list[str]) -> list[Any]:
    if not path:
        return [doc]
    if isinstance(doc, list):
        return [v for item in doc for v in _values(item, path)]
    if isinstance(doc, dict) and path[0] in doc:
        return _values(doc[path[0]], path[1:])
    return []


def _matches(doc: Doc, key: str, wanted: list[str]) -> bool:
    found = _values(doc, key.split("."))
    as_text = {
        ("true" if v is True else "false" if v is False else str(v))
        for v in found
        if not isinstance(v, dict | list)
    }
    options = {w for value in wanted for w in value.split(",")}
    return bool(as_text & options)


def select(
    docs: list[Doc], params: QueryParams, *, skip: set[str] | None = None
) -> tuple[list[Doc], int]:
    """Filter, page and project; returns (page, total matching)."""
    ignored = RESERVED | (skip or set())
    keys = {k for k in params if k not in ignored}
    matched = [d for d in docs if all(_matches(d, k, params.getlist(k)) for k in keys)]
    total = len(matched)
    offset = max(0, int(params.get("offset", 0) or 0))
    limit_raw = params.get("limit")
    page = matched[offset : offset + int(limit_raw)] if limit_raw else matched[offset:]
    fields = params.get("fields")
    if fields:
        keep = {f.strip() for f in fields.split(",")} | {"id", "href", "@type"}
        page = [{k: v for k, v in d.items() if k in keep} for d in page]
    return page, total
