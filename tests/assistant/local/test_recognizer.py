"""Recognition on held-out utterances written apart from the exemplars (heldout.yaml)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
import yaml
from numpy.typing import NDArray

from assistant.local import LocalChatModel, Recognizer
from assistant.local.exemplars import Exemplar, load_exemplars

HELDOUT = yaml.safe_load((Path(__file__).parent / "heldout.yaml").read_text())
IN_SCOPE = [(t, cap) for cap, items in HELDOUT.items() if cap != "out_of_scope" for t in items]


def _recognizer(model: LocalChatModel) -> Recognizer:
    return model.engine.recognizer


def test_heldout_capability_accuracy(local_model: LocalChatModel) -> None:
    rec = _recognizer(local_model)
    wrong = [(t, cap, rec.recognise(t).capability) for t, cap in IN_SCOPE]
    wrong = [w for w in wrong if w[1] != w[2]]
    accuracy = 1 - len(wrong) / len(IN_SCOPE)
    assert accuracy >= 0.90, wrong


def test_heldout_in_scope_is_rarely_refused(local_model: LocalChatModel) -> None:
    rec = _recognizer(local_model)
    refused = [t for t, _ in IN_SCOPE if rec.recognise(t).capability == "out_of_scope"]
    assert len(refused) / len(IN_SCOPE) <= 0.03, refused


def test_heldout_out_of_scope_is_refused(local_model: LocalChatModel) -> None:
    rec = _recognizer(local_model)
    accepted = [t for t in HELDOUT["out_of_scope"] if rec.recognise(t).capability != "out_of_scope"]
    assert len(accepted) <= 1, accepted


@pytest.mark.parametrize(
    ("text", "capability"),
    [
        ("hw much dat have i got lft", "balance_usage"),
        ("plz topup my fone wiv a tenner", "top_up"),
        ("romaing on pls im in spain", "roaming"),
        (
            "so basically i was on the bus this morning and i was chatting to my mate about the "
            "football and then i got off and realised my phone was gone, somebody nicked it, "
            "can you block it",
            "sim_line",
        ),
    ],
)
def test_typos_slang_and_rambling(local_model: LocalChatModel, text: str, capability: str) -> None:
    assert _recognizer(local_model).recognise(text).capability == capability


def test_banking_top_up_is_not_a_mobile_top_up(local_model: LocalChatModel) -> None:
    rec = _recognizer(local_model)
    for text in ["my card top-up failed, why?", "transfer money to my savings account"]:
        assert rec.recognise(text).capability != "top_up"


def test_multi_intent_keeps_the_order_said(local_model: LocalChatModel) -> None:
    reading = _recognizer(local_model).recognise("top up £10 and turn on roaming")
    assert reading.capability == "top_up"
    assert [a.capability for a in reading.also] == ["roaming"]


def test_scores_are_probabilities(local_model: LocalChatModel) -> None:
    rec = _recognizer(local_model)
    sure = rec.recognise("how much credit do i have")
    vague = rec.recognise("it's about the thing")
    for reading in (sure, vague):
        assert 0.0 <= reading.score <= 1.0 and 0.0 <= reading.in_scope <= 1.0
    assert sure.in_scope > vague.in_scope


class BagOfWords:
    """A deterministic stand-in embedder: hashed bag of words, unit length."""

    model_id = "test-bow"

    def embed_sync(self, texts: Sequence[str]) -> NDArray[np.float32]:
        out = np.zeros((len(texts), 64), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in text.lower().split():
                out[row, sum(map(ord, word)) % 64] += 1.0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.maximum(norms, 1e-9)


def test_any_embedder_behind_the_protocol(tmp_path: Path) -> None:
    exemplars = [
        Exemplar("top_up", "top_up", "top up my phone"),
        Exemplar("top_up", "top_up", "add credit"),
        Exemplar("roaming", "roaming_on", "turn on roaming"),
        Exemplar("roaming", "roaming_on", "roaming on please"),
        Exemplar("out_of_scope", "travel", "book a flight"),
    ]
    rec = Recognizer(exemplars, embedder=BagOfWords(), cache_dir=tmp_path)
    assert rec.recognise("please top up my phone").ranked[0].capability == "top_up"
    assert list(tmp_path.glob("exemplars-test-bow-*.npy"))  # vectors cached for the next start
    again = Recognizer(exemplars, embedder=BagOfWords(), cache_dir=tmp_path)
    assert again.recognise("roaming on").ranked[0].capability == "roaming"


def test_every_capability_has_exemplars() -> None:
    from assistant.events import CAPABILITIES

    have = {e.capability for e in load_exemplars()}
    assert have == set(CAPABILITIES)
    counts = {c: sum(e.capability == c for e in load_exemplars()) for c in have}
    assert min(counts.values()) >= 20, counts
