"""A survey's question as each channel shows it: the scale's wording with the brand, a "reply
with a number" hint on messaging channels, the answers as list rows or keyboard keys, and the
thank-you."""

from __future__ import annotations

from api.channels.models import MESSAGING_CHANNELS
from switchboard.satisfaction import SCALES

THANKS = "Thank you for your feedback — it helps us get better."
CSAT_LABELS = {
    1: "Very dissatisfied",
    2: "Dissatisfied",
    3: "Neither",
    4: "Satisfied",
    5: "Very satisfied",
}


def question_text(kind: str, brand: str, channel: str) -> str:
    """The question as a phone shows it: with how to answer (the widget draws buttons)."""
    scale = SCALES[kind]
    question = scale.question.format(brand=brand)
    if channel not in MESSAGING_CHANNELS:
        return question
    return f"{question} Reply with a number from {scale.low} to {scale.high}."


def choices(kind: str) -> list[dict[str, str]]:
    """The answers as list rows or keyboard keys for channels that have them."""
    scale = SCALES[kind]
    labels = CSAT_LABELS if kind == "csat" else {}
    return [
        {"id": str(n), "title": str(n), "description": labels.get(n, "")}
        for n in range(scale.low, scale.high + 1)
    ]
