"""Plan and add-on names, matched fuzzily against the live catalog.

The catalog comes from `list_offers` results already in the conversation (the live, eligible
offers) and from a snapshot passed to `make_local_model`. Prices are never taken from here:
they come from tool results.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class CatalogItem:
    id: str
    name: str
    kind: str = "plan"  # plan | addon


def _words(text: str) -> list[str]:
    text = re.sub(r"\b(a|an|one)( extra| more| single)? (gig|gb)\b", "1gb", text.lower())
    text = re.sub(r"(\d+)\s*(gb|gig|gigs)\b", r"\1gb", text)
    return re.findall(r"[a-z0-9]+", text)


def _aliases(item: CatalogItem) -> set[str]:
    names = {" ".join(_words(item.name)), " ".join(_words(item.id.replace("-", " ")))}
    words = _words(item.name)
    generic = {"data", "plan", "bundle", "boost", "add", "on", "the", "home"}
    if len(words) > 1:
        core = " ".join(w for w in words if w not in generic)
        if core and core not in {"unlimited"} | generic:
            names.add(core)
    names.update(w for w in words if re.fullmatch(r"\d+gb", w))
    return {n for n in names if n}


def match_item(
    text: str, items: Iterable[CatalogItem], *, kind: str | None = None
) -> CatalogItem | None:
    """The catalog item `text` names (closest, longest match; in "from A to B", B), or None."""
    words = _words(text)
    joined = " ".join(words)
    found: list[tuple[float, int, int, CatalogItem]] = []  # score, length, position, item
    for item in items:
        if kind and item.kind != kind:
            continue
        best: tuple[float, int, int] | None = None
        for alias in _aliases(item):
            hit = _find(alias, words, joined)
            if hit and (best is None or (hit[0], len(alias)) > (best[0], best[1])):
                best = (hit[0], len(alias), hit[1])
        if best:
            found.append((*best, item))
    if not found:
        return None
    wanted = [f for f in found if not _after_from(words, f[2])] or found
    wanted.sort(key=lambda f: (f[0], f[1]), reverse=True)
    return wanted[0][3]


def _find(alias: str, words: list[str], joined: str) -> tuple[float, int] | None:
    """(score, word position) of `alias` in the message, exact or fuzzy."""
    m = re.search(rf"\b{re.escape(alias)}\b", joined)
    if m:
        return 1.0, joined[: m.start()].count(" ")
    tokens = alias.split()
    if len(tokens) >= 3 and len(set(tokens) - set(words)) == 1:
        return 0.85, next(i for i, w in enumerate(words) if w in tokens)  # "zone 2 day pass"
    if len(alias) < 5:
        return None
    size = len(alias.split())
    best: tuple[float, int] | None = None
    for start in range(max(1, len(words) - size + 1)):
        window = " ".join(words[start : start + size])
        if abs(len(window) - len(alias)) > 3 or window[:1] != alias[:1]:
            continue
        ratio = difflib.SequenceMatcher(None, window, alias).ratio()
        if ratio >= 0.84 and (best is None or ratio > best[0]):
            best = (ratio, start)
    return best


def _after_from(words: list[str], position: int) -> bool:
    return "from" in words[max(0, position - 2) : position]


def items_from_payload(payload: Any) -> list[CatalogItem]:
    """Catalog items found anywhere in a tool result (dicts with an `id` and a `name`)."""
    if isinstance(payload, str):
        try:
            payload = json.loads(payload)
        except ValueError:
            return []
    found: list[CatalogItem] = []
    _walk(payload, found)
    return found


def _walk(node: Any, out: list[CatalogItem]) -> None:
    if hasattr(node, "model_dump"):
        node = node.model_dump()
    if isinstance(node, Mapping):
        ident, name = node.get("offer_id") or node.get("id"), node.get("name")
        if isinstance(ident, str) and isinstance(name, str):
            kind = str(node.get("kind") or node.get("category") or node.get("type") or "plan")
            out.append(CatalogItem(ident, name, "addon" if "add" in kind.lower() else "plan"))
        for value in node.values():
            _walk(value, out)
    elif isinstance(node, list | tuple):
        for value in node:
            _walk(value, out)


# The demo world's offer names (docs/demo-world.md), used only to recognise names when no
# live catalog is in the conversation yet. Never a source of prices.
DEMO_CATALOG: tuple[CatalogItem, ...] = (
    CatalogItem("payg", "Pay As You Go"),
    CatalogItem("bundle-10", "Bundle 10"),
    CatalogItem("bundle-20", "Bundle 20"),
    CatalogItem("essentials-5gb", "Essentials 5GB"),
    CatalogItem("smart-30gb", "Smart 30GB"),
    CatalogItem("unlimited", "Unlimited"),
    CatalogItem("unlimited-max", "Unlimited Max"),
    CatalogItem("business-unlimited", "Business Unlimited"),
    CatalogItem("fibre-150", "Home Fibre 150"),
    CatalogItem("fibre-500", "Home Fibre 500"),
    CatalogItem("data-1gb", "1GB Data Boost", "addon"),
    CatalogItem("data-5gb", "5GB Data Boost", "addon"),
    CatalogItem("data-20gb", "20GB Data Boost", "addon"),
    CatalogItem("roam-pass-zone2", "Zone 2 Roaming Day Pass", "addon"),
    CatalogItem("world-data-1gb", "World Data 1GB", "addon"),
    CatalogItem("intl-minutes-500", "500 International Minutes", "addon"),
    CatalogItem("device-insurance", "Device Insurance", "addon"),
    CatalogItem("payg-texts", "Unlimited Texts", "addon"),
)
