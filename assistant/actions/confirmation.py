"""Deterministic detection of an explicit yes or no to the open pending action.

The model never decides whether the customer confirmed: a short, unambiguous reply is matched
here, and anything else ("make it 20 instead", "what would it cost?") goes to the model with
the pending action in its context."""

from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from assistant.local.speech_acts import Decision as ReplyDecision
    from assistant.local.speech_acts import ExampleClassifier

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
# A longer yes ("yes please go ahead with that", "ok that's fine, do it") confirms only when it
# opens with an explicit affirmative and every other word only restates the go-ahead: no
# number, no question, no hedge ("but", "if", "wait"), no negation, no on/off or other word
# that could change what was quoted.
_OPENERS = ("yes", "yeah", "yep", "yup", "ya", "yea", "ok", "okay", "sure", "confirm",
            "confirmed", "absolutely", "definitely", "go ahead", "do it", "please do",
            "go for it", "proceed", "sounds good", "that's fine", "thats fine")  # fmt: skip
_GO_AHEAD_WORDS = {
    "yes", "yeah", "yep", "yup", "ok", "okay", "sure", "please", "pls", "plz", "go", "ahead",
    "do", "it", "that", "this", "one", "with", "proceed", "confirm", "confirmed", "fine",
    "good", "great", "perfect", "lovely", "brilliant", "sounds", "that's", "thats", "let's",
    "lets", "i", "i'm", "im", "am", "happy", "to", "for", "absolutely", "definitely", "all",
    "right", "correct", "thanks", "thank", "you", "thx", "ta", "cheers", "mate", "then", "now",
    "just", "the", "is", "are", "we", "course", "of", "exactly", "so", "and", "same",
}  # fmt: skip
_GO_AHEAD_PHRASES = ("go on", "carry on")
_COURTESY = {"lovely", "great", "perfect", "brilliant", "cheers", "thanks", "thank", "you", "ta",
             "thx", "mate", "cool", "nice", "one", "fab", "super", "right", "all", "good",
             "oh", "ah", "so", "then", "that's", "thats", "fine"}  # fmt: skip
_MAX_GO_AHEAD_WORDS = 10
_EMOJI_NO = {"👎", "❌", "🚫"}
# A learned yes holding one of these is not a yes, unless it is one of the yes examples itself.
_NEGATIONS = frozenset({"not", "no", "never", "don't", "dont", "nah", "nope", "cancel", "stop"})


def _normalise(text: str) -> str:
    text = text.lower().replace("’", "'")
    text = re.sub(r"[^\w\s']", " ", text)
    return " ".join(text.split())


def is_stop_phrase(text: str) -> bool:
    """A no that drops the whole request ("forget it", "never mind", "cancel"), not a plain no
    to a question."""
    norm = _normalise(text)
    return norm in _NO_PHRASES or "cancel" in norm.split() or "forget" in norm.split()


def detect_decision(text: str, *, tool: str | None = None) -> Decision | None:
    """`confirm`, `cancel`, or None when the message is anything but a plain yes or no.

    With the open action's `tool`, a yes may name that action ("yes block it now" for
    `block_line`, "yes pay it" for `pay_bill`)."""
    decision = _short_decision(text)
    action_words = frozenset(tool.split("_")) if tool else frozenset()
    if decision is None and _long_yes(text, action_words):
        return "confirm"
    if decision is None and tool and _negated_action(text, tool):
        return "cancel"
    return decision if decision is not None else learned_decision(text, action_words)


# The learned reply classifier (assistant/local/speech_acts.py, examples in
# knowledge/data/acts/reply.yaml) decides the phrasings the lists above do not hold ("lovely,
# yes, do it", "on second thoughts I'll pass"), within bounds that keep money safe: a yes has no
# number, no question and few words, and must be very likely; a no may be a little longer.
LEARNED_YES = 0.9
LEARNED_NO = 0.85
_MAX_LEARNED_WORDS = 9


def learned_decision(text: str, action_words: frozenset[str] = frozenset()) -> Decision | None:
    from assistant.local.speech_acts import reply_modifiers

    norm = _normalise(text)
    if not norm or re.search(r"\d", text) or len(norm.split()) > _MAX_LEARNED_WORDS:
        return None
    classifier = _reply_classifier()
    if classifier is None:
        return None
    decision = classifier.classify(text)
    words = set(norm.split())
    negated = bool(words & _NEGATIONS) and norm not in yes_examples()
    if (
        decision.label == "yes"
        and decision.probability >= LEARNED_YES
        and "?" not in text
        and not negated  # "absolutely not" opens like a yes; only a listed idiom ("why not") is
    ):
        # a plain yes names nothing the requests talk about (a plan, an amount, a feature)
        # unless it names the open action: "ok go for Unlimited Max then" goes to the engine
        extra = words - action_words - yes_vocabulary()
        if not extra & (request_vocabulary() | reply_modifiers("not_a_plain_yes")):
            return "confirm"
    if decision.label == "no" and decision.probability >= LEARNED_NO:
        if not words & reply_modifiers("not_a_plain_no"):
            return "cancel"
    return None


def learned_reply(text: str) -> ReplyDecision | None:
    """The learned reply classifier's reading of `text` (None without the offline model)."""
    classifier = _reply_classifier()
    return classifier.classify(text) if classifier is not None else None


@functools.cache
def yes_examples() -> frozenset[str]:
    """The `yes` examples of knowledge/data/acts/reply.yaml, normalised."""
    from assistant.local.speech_acts import default_acts_dir, load_examples

    examples = load_examples(default_acts_dir() / "reply.yaml").get("yes", [])
    return frozenset(_normalise(t) for t in examples)


@functools.cache
def yes_vocabulary() -> frozenset[str]:
    """The words of the `yes` examples in knowledge/data/acts/reply.yaml."""
    return frozenset(w for t in yes_examples() for w in t.split())


@functools.cache
def request_vocabulary() -> frozenset[str]:
    """The words customers' requests use (every capability's exemplars but greetings and out
    of scope), so a learned yes that names a plan, a feature or a thing is not plain."""
    from assistant.local.exemplars import load_exemplars

    return frozenset(
        w
        for e in load_exemplars()
        if e.capability not in {"greeting", "out_of_scope"}
        for w in _normalise(e.text).split()
    )


@functools.cache
def _reply_classifier() -> ExampleClassifier | None:
    from assistant.local.speech_acts import shared_reply_classifier

    return shared_reply_classifier()


def _short_decision(text: str) -> Decision | None:
    stripped = text.strip()
    if stripped in _EMOJI_YES:
        return "confirm"
    if stripped in _EMOJI_NO:
        return "cancel"
    norm = _normalise(stripped)
    if not norm or len(norm.split()) > 6 or re.search(r"\d", norm):
        return None  # long messages and anything with a number ("20 instead") go to the model
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


_NEGATOR = r"(?:don'?t|do not|dont|no need to|please don'?t|not to)"


def _negated_action(text: str, tool: str) -> bool:
    """'oh wait, I found it — don't block it': the open action's own verb (or "go ahead", "do
    it") under a negation, in a message of any length, with no number that could be a new
    detail ("don't top up 10, make it 5" goes to the engine)."""
    if re.search(r"\d", text):
        return False
    verb = re.escape(tool.split("_")[0].replace("'", ""))
    norm = _normalise(text)
    target = rf"(?:{verb}|go ahead|do (?:it|that|this)|proceed|bother)"
    pattern = rf"(?<!why )\b{_NEGATOR} (?:\w+ )?{target}\b"  # "why don't you…" suggests it
    return re.search(pattern, norm) is not None


def _long_yes(text: str, action_words: frozenset[str]) -> bool:
    """'yes please go ahead with that', 'ok that's fine, do it' — a yes in more words."""
    if "?" in text or re.search(r"\d", text):
        return False
    norm = _normalise(text)
    if len(norm.split()) > _MAX_GO_AHEAD_WORDS:
        return False
    # the explicit affirmative opens the message, or follows only courtesy ("lovely, ta, go
    # ahead", "perfect thanks, do it")
    opener = re.search(rf"\b({'|'.join(re.escape(o) for o in _OPENERS)})\b", norm)
    if opener is None or not set(norm[: opener.start()].split()) <= _COURTESY:
        return False
    for phrase in _GO_AHEAD_PHRASES:
        norm = norm.replace(phrase, "go")
    allowed = _GO_AHEAD_WORDS | _COURTESY | action_words
    return all(word in allowed for word in norm.split())
