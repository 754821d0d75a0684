"""Signals read from the customer's words and from the model's reply.

A chat model may report what it recognised in `AIMessage.response_metadata["switchboard"]`
(the local engine does; OpenAI-compatible providers do not). `ModelSignals` is that shape; every
field is optional and the confidence formula treats a missing one as "no evidence either way"."""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from assistant.events import Capability, Outcome

SIGNALS_KEY = "switchboard"
Sensitivity = Literal["vulnerability", "bereavement"]


class ModelSignals(BaseModel):
    """What a model may tell the turn loop about its own reply."""

    model_config = ConfigDict(extra="ignore")

    capability: Capability | None = None
    outcome: Outcome | None = None
    recognition_score: float | None = None  # top intent score in [0, 1]
    recognition_margin: float | None = None  # top minus runner-up
    grounded: bool | None = None  # the answer is extracted from the cited passages
    confidence: float | None = None  # the model's own calibrated estimate, if it has one
    calibrated: bool = False  # recognition_score is calibrated and already includes the margin
    citations: list[str] | None = None  # doc ids the model says its answer came from


_ALIASES = {
    "score": "recognition_score",
    "margin": "recognition_margin",
    "outcome_hint": "outcome",
}


def is_engine_state(response_metadata: dict[str, Any] | None) -> bool:
    """Metadata a model keeps its dialogue state in (worth replaying in the next prompt)."""
    meta = response_metadata or {}
    return SIGNALS_KEY in meta or "engine" in meta


def model_signals(response_metadata: dict[str, Any] | None) -> ModelSignals:
    """Signals under `response_metadata["switchboard"]`, or at the top level of an engine's
    metadata (`engine` key set), with `score`/`margin` accepted for the recognition fields."""
    meta = response_metadata or {}
    raw = meta.get(SIGNALS_KEY)
    if isinstance(raw, ModelSignals):
        return raw
    if not isinstance(raw, dict):
        raw = meta if "engine" in meta else {}
    fields = {_ALIASES.get(k, k): v for k, v in raw.items()}
    if "engine" in meta and "calibrated" not in fields:
        fields["calibrated"] = True  # the local engine's recognition score is calibrated
    try:
        return ModelSignals.model_validate(fields)
    except ValueError:
        return ModelSignals()  # a model's odd metadata never breaks a turn


_PERSON = re.compile(
    r"\b(talk|speak|chat|put me through|connect me|transfer me|get me)\b.{0,30}"
    r"\b(person|human|agent|someone|somebody|representative|rep|advisor|adviser|operator|staff)\b"
    r"|\b(real|live|actual) (person|human|agent)\b|\bhuman please\b"
    r"|\b(want|need|like) (to talk to |to speak to )?(a|an) (person|human|agent)\b"
    r"|^\s*(agent|human|operator)\s*[.!]*$",
    re.IGNORECASE,
)
_FRUSTRATION = re.compile(
    r"\b(useless|ridiculous|rubbish|pathetic|terrible|awful|hopeless|stupid|waste of time|"
    r"fed up|sick of|not helping|doesn'?t help|already (told|said)|again\?|for god'?s sake|"
    r"furious|angry|annoyed|unacceptable|joke|wtf|ffs|damn|bloody)\b",
    re.IGNORECASE,
)
# A death close to the customer, not any death ("how many people died in the storm" is news).
_BEREAVEMENT = re.compile(
    r"\b(passed away|passed on|deceased|bereave\w*|funeral|late (husband|wife|mother|father|"
    r"mum|dad|partner|son|daughter)|"
    r"(my|our) (\w+ ){0,2}(has |had )?(died|passed)|(he|she) (has |had )?died|"
    r"death (of|in) (my|our|the family))\b",
    re.IGNORECASE,
)
_VULNERABILITY = re.compile(
    r"\b(can'?t afford|cannot afford|struggling to pay|debt|lost my job|unemployed|disabled|"
    r"disability|carer|hospital|domestic abuse|abusive|suicid\w*|self[- ]harm|mental health|"
    r"dementia|vulnerable|financial hardship|hardship)\b",
    re.IGNORECASE,
)


# The customer has already done the self-help steps and the problem is still there: sending them
# through the steps again is the failure mode customers hate most, so a person takes over. Both
# halves must be in the same message ("I've restarted it and it still doesn't work").
_TRIED = re.compile(
    r"\b(already|i'?ve|i have|we'?ve|i|we) (restarted|rebooted|reset|turned it|switched it|"
    r"checked (all|the|my) (settings|cables|router)|reinstalled|re-?inserted|taken out)\b"
    r"|\b(already|i'?ve|i have|we'?ve) (tried|done) (everything|all|that|it|the)\b"
    r"|\btried (everything|restarting|rebooting|resetting|turning it|switching it|that|it again)\b"
    r"|\b(restarted|rebooted|reset) (it|the phone|my phone|the handset|the router)\b",
    re.IGNORECASE,
)
_STILL_FAILING = re.compile(
    r"\bstill (doesn'?t|does not|won'?t|will not|isn'?t|is not|not|can'?t|cannot|unable to) "
    r"(\w+ )?(work|working|connect|connecting|load|loading|go through|going through|fixed|send|"
    r"sending|receive|receiving|get|getting|make|making|call|calling|ring|ringing|show|showing)\b"
    r"|\bstill (no|have no|has no|got no|getting no|zero) (signal|service|data|internet|"
    r"connection|bars|reception|network|calls|texts|sound|dial ?tone)\b"
    r"|\bstill (showing|shows|says|saying|getting|get|on) .{0,12}(no service|no signal|sos|"
    r"emergency|error|invalid|no sim|not registered)"
    r"|\bstill (broken|down|dead|the same)\b"
    r"|\bnothing (works|worked|helped|helps|changed)\b|\bdidn'?t (help|work|fix (it|anything))\b"
    r"|\bno (luck|joy|difference)\b|\bsame (problem|issue)\b",
    re.IGNORECASE,
)


def already_tried(text: str) -> bool:
    """The customer says they already did the usual steps (a guided step can be skipped)."""
    return bool(_TRIED.search(text))


def self_help_failed(text: str) -> bool:
    """The customer says they already tried the usual steps and the problem persists."""
    return bool(_TRIED.search(text)) and bool(_STILL_FAILING.search(text))


_PERSON_WORDS = ("person", "human", "agent", "operator", "someone", "representative")
_WORD = re.compile(r"[a-z]+")


def _one_edit_apart(a: str, b: str) -> bool:
    """One insertion, deletion, substitution or swap of neighbours turns `a` into `b`."""
    if a == b or abs(len(a) - len(b)) > 1:
        return a == b
    if len(a) == len(b):
        diff = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
        if len(diff) == 1:
            return True
        return (
            len(diff) == 2
            and diff[1] == diff[0] + 1
            and a[diff[0]] == b[diff[1]]
            and (a[diff[1]] == b[diff[0]])
        )
    short, long = (a, b) if len(a) < len(b) else (b, a)
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))


def _typos_mended(text: str) -> str:
    """'real persn pls' -> 'real person pls': words of five letters or more one edit away from a
    word for a person (short words are too easily something else)."""

    def mend(match: re.Match[str]) -> str:
        word = match.group(0)
        if len(word) < 5 or word in _PERSON_WORDS:
            return word
        return next((w for w in _PERSON_WORDS if _one_edit_apart(word, w)), word)

    return _WORD.sub(mend, text.lower())


def wants_person(text: str) -> bool:
    """An explicit request for a person — always honoured (typos in the key word too)."""
    return bool(_PERSON.search(text)) or bool(_PERSON.search(_typos_mended(text)))


def is_frustrated(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    shouting = len(letters) >= 12 and sum(c.isupper() for c in letters) / len(letters) > 0.7
    return bool(_FRUSTRATION.search(text)) or shouting or "!!!" in text or "???" in text


def sensitivity(text: str) -> Sensitivity | None:
    if _BEREAVEMENT.search(text):
        return "bereavement"
    if _VULNERABILITY.search(text):
        return "vulnerability"
    return None
