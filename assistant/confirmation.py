"""Deterministic detection of an explicit yes or no to the open pending action.

The model never decides whether the customer confirmed: a short, unambiguous reply is matched
here, and anything else ("make it £20 instead", "what would it cost?") goes to the model with
the pending action in its context."""

from __future__ import annotations

import re
from typing import Literal

Decision = Literal["confirm", "cancel"]

_YES_WORDS = {
    "yes", "yeah", "yep", "yup", "ya", "y", "sure", "ok", "okay", "confirm", "confirmed",
    "affirmative", "absolutely", "definitely", "please", "correct", "right",
}  # fmt: skip
_YES_PHRASES = {
    "go ahead", "do it", "go for it", "please do", "ok do it", "okay do it", "yes do it",
    "yes go ahead", "that's fine", "thats fine", "sounds good", "i confirm", "proceed",
    "yes please do", "go on", "lets do it", "let's do it", "carry on",
}  # fmt: skip
_NO_WORDS = {"no", "nope", "nah", "n", "cancel", "stop", "don't", "dont", "abort", "never"}
_NO_PHRASES = {
    "no thanks", "no thank you", "don't do it", "dont do it", "cancel it", "cancel that",
    "never mind", "nevermind", "forget it", "not now", "no don't", "no dont", "stop it",
    "i don't want it", "i dont want it", "leave it", "changed my mind", "i changed my mind",
}  # fmt: skip
_FILLER = {"please", "thanks", "thank", "you", "thx", "ta", "mate", "then", "now", "it", "that"}
_EMOJI_YES = {"👍", "✅", "👌"}
_EMOJI_NO = {"👎", "❌", "🚫"}


def _normalise(text: str) -> str:
    text = text.lower().replace("’", "'")
    text = re.sub(r"[^\w\s']", " ", text)
    return " ".join(text.split())


def detect_decision(text: str) -> Decision | None:
    """`confirm`, `cancel`, or None when the message is anything but a plain yes or no."""
    stripped = text.strip()
    if stripped in _EMOJI_YES:
        return "confirm"
    if stripped in _EMOJI_NO:
        return "cancel"
    norm = _normalise(stripped)
    if not norm or len(norm.split()) > 6 or re.search(r"\d", norm):
        return None  # long messages and anything with a number ("£20 instead") go to the model
    if norm in _NO_PHRASES or norm in _NO_WORDS:
        return "cancel"
    if norm in _YES_PHRASES or norm in _YES_WORDS:
        return "confirm"
    words = norm.split()
    core = [w for w in words if w not in _FILLER]
    core_text = " ".join(core)
    if words[0] in _NO_WORDS and all(w in _NO_WORDS | _FILLER for w in words):
        return "cancel"
    if core_text in _NO_PHRASES:
        return "cancel"
    if core and (core_text in _YES_PHRASES or all(w in _YES_WORDS for w in core)):
        return "confirm"
    if words[0] in {"yes", "yeah", "yep", "sure", "ok", "okay"} and " ".join(words[1:]) in (
        _YES_PHRASES | {"please", "thanks", "thank you", "please thanks"}
    ):
        return "confirm"
    return None
