"""The exemplar set's hygiene (knowledge/data/exemplars/README.md): no utterance is listed twice
(least of all under two capabilities, which would teach the recognizer both answers), none is a
copy of a held-out test utterance, and the needs inventory they are written from (NEEDS.md) ships
beside them and names every capability."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import yaml

from assistant.local.exemplars import default_exemplar_dir, load_exemplars

HELDOUT = yaml.safe_load((Path(__file__).parent / "heldout.yaml").read_text())


def _key(text: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9 ]", " ", text.lower()).split())


def test_no_exemplar_is_listed_twice_or_under_two_capabilities() -> None:
    capabilities: dict[str, set[str]] = defaultdict(set)
    for e in load_exemplars():
        capabilities[_key(e.text)].add(e.capability)
    conflicting = {text: sorted(caps) for text, caps in capabilities.items() if len(caps) > 1}
    assert conflicting == {}
    texts = [(e.capability, " ".join(e.text.lower().split())) for e in load_exemplars()]
    assert sorted(t for t in set(texts) if texts.count(t) > 1) == []


def test_no_exemplar_copies_a_heldout_utterance() -> None:
    # a one- or two-word greeting ("hey", "hiya") cannot be written differently; longer ones can
    heldout = {_key(t) for items in HELDOUT.values() for t in items if len(t.split()) > 2}
    copied = sorted(e.text for e in load_exemplars() if _key(e.text) in heldout)
    assert copied == []


def test_the_needs_inventory_is_shipped_beside_the_exemplars() -> None:
    needs = (default_exemplar_dir() / "NEEDS.md").read_text(encoding="utf-8")
    for capability in {e.capability for e in load_exemplars()}:
        assert f"## {capability}" in needs or f"- {capability}:" in needs, capability
