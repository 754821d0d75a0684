"""Learned dialogue acts and replies, and other-language detection (issue 15). Phrasings here are
the team's own, not from ../shared/dev or the held-back sets."""

from __future__ import annotations

import pytest

from assistant.actions.confirmation import learned_decision
from assistant.local import LocalChatModel
from assistant.local.languages import load_languages


@pytest.mark.parametrize(
    ("text", "act"),
    [
        ("how do I find out whether my handset takes an esim", "how"),
        ("what does it cost to send a photo by text", "how"),
        ("how much data have I got left this month", "account"),
        ("put a tenner on my phone now", "change"),
    ],
)
def test_the_dialogue_act(local_model: LocalChatModel, text: str, act: str) -> None:
    acts = local_model.engine.acts
    assert acts is not None and acts.act(text).label == act


@pytest.mark.parametrize(
    ("text", "decision"),
    [
        ("fab, yes, go ahead", "confirm"),
        ("yep that's grand, carry on", "confirm"),
        ("nah leave it thanks", "cancel"),
        ("actually scrap that", "cancel"),
        ("ok go for the Unlimited Max plan then", None),  # names another plan: not a plain yes
        ("yes but only tomorrow", None),
        ("no, the other number", None),
        ("what would that cost me", None),
    ],
)
def test_learned_consent_and_refusal_stay_inside_the_money_bounds(
    text: str, decision: str | None
) -> None:
    assert learned_decision(text) == decision


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Buenos días, no puedo ver mi factura", "es"),
        ("Czy mogę zmienić mój plan taryfowy", "pl"),
        ("Helo, dw i eisiau siarad am fy mil", "cy"),
        ("Je voudrais changer mon forfait", "fr"),
        ("my bill is wrong again", None),
        ("hola", None),  # too little to tell
    ],
)
def test_other_languages_are_detected(text: str, code: str | None) -> None:
    assert load_languages().detect(text) == code
