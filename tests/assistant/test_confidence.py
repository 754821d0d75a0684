"""The confidence formula (docs/decisions/0006-confidence-formula.md) and the handoff policy."""

from __future__ import annotations

import pytest

from assistant.handoff.confidence import LLM_PRIOR, ConfidenceInputs, is_repeated, score, support
from assistant.handoff.policy import HandoffPolicy
from assistant.handoff.signals import (
    is_frustrated,
    model_signals,
    self_help_failed,
    sensitivity,
    wants_person,
)


def test_no_signals_gives_the_provider_prior() -> None:
    assert score(ConfidenceInputs()).value == LLM_PRIOR


def test_each_negative_signal_lowers_confidence() -> None:
    base = score(ConfidenceInputs(recognition_score=0.9, recognition_margin=0.5)).value
    for change in (
        {"recognition_margin": 0.01},
        {"tool_errors": 1},
        {"repeated": True},
        {"frustrated": True},
        {"unverified_prices": 1},
        {"answer_uses_passages": True, "retrieval_top": 0.1, "support": 0.0},
    ):
        inputs = ConfidenceInputs(**{"recognition_score": 0.9, "recognition_margin": 0.5, **change})
        assert score(inputs).value < base, change


def test_confidence_stays_in_range() -> None:
    worst = ConfidenceInputs(
        recognition_score=0.0, tool_errors=5, repeated=True, frustrated=True, empty_reply=True
    )
    assert score(worst).value == 0.0
    assert score(ConfidenceInputs(model_confidence=1.0)).value == 1.0


def test_support_counts_sentences_backed_by_passages() -> None:
    passage = "Dial 222 and follow the prompts to set up voicemail. The default PIN is 0000."
    assert support("Dial 222 and follow the prompts to set up voicemail.", [passage]) == 1.0
    assert support("Voicemail costs ten pounds monthly for premium members.", [passage]) == 0.0


def test_repetition_and_frustration_and_person_requests() -> None:
    assert is_repeated("how much data do I have left", ["how much data have I got left"])
    assert not is_repeated("top up 10", ["how much data is left"])
    assert is_frustrated("this is useless!!!") and not is_frustrated("thanks, that helps")
    assert wants_person("can I speak to a real person") and wants_person("agent")
    assert not wants_person("what does an agent do with my data")
    assert wants_person("real persn pls") and wants_person("can I speak to a humna")
    assert wants_person("talk to an agnet please")
    assert not wants_person("urgent help with my bill") and not wants_person("my parson")
    assert self_help_failed("tried turning it off and on again, still no signal")
    assert self_help_failed("I've reset the router and the internet still isn't working")
    assert not self_help_failed("my phone still doesn't work")  # nothing tried yet
    assert not self_help_failed("I checked the website and I'm still not sure what roaming costs")
    assert not self_help_failed("I restarted it and now it works, thanks")
    # describing the failed task is not having tried the self-help steps (BANKING77 distractors)
    assert not self_help_failed("I tried to pay contactless at the bus and it didn't work")
    assert sensitivity("my husband passed away last week") == "bereavement"
    assert sensitivity("I lost my job and can't afford the bill") == "vulnerability"
    assert sensitivity("my dad died on Sunday, how do I close his account") == "bereavement"
    assert sensitivity("how many people died in yesterday's storm") is None


@pytest.mark.parametrize(
    ("kwargs", "reason"),
    [
        ({"wants_person": True}, "customer_request"),
        ({"sensitivity": "bereavement"}, "bereavement"),
        ({"capability": "retention"}, "retention"),
        ({"tool_errors": 2}, "tool_failure"),
        ({"confidence": 0.1, "low_streak_before": 1}, "low_confidence"),
        ({"confidence": 0.1, "low_streak_before": 0}, None),
        ({}, None),
    ],
)
def test_handoff_policy(kwargs: dict, reason: str | None) -> None:
    policy = HandoffPolicy(threshold=0.35, low_turns=2)
    base = {
        "wants_person": False,
        "capability": "faq",
        "sensitivity": None,
        "confidence": 0.9,
        "low_streak_before": 0,
        "tool_errors": 0,
    }
    decision = policy.decide(**{**base, **kwargs})
    assert (decision.reason if decision else None) == reason


def test_engine_metadata_is_read_at_the_top_level_or_under_switchboard() -> None:
    top = model_signals({"engine": "switchboard-local", "capability": "faq", "score": 0.7})
    assert top.capability == "faq" and top.recognition_score == 0.7
    nested = model_signals({"switchboard": {"confidence": 0.4}})
    assert nested.confidence == 0.4
    assert model_signals({"model_name": "gpt-4.1-mini"}).capability is None
    assert model_signals({"engine": "x", "capability": "not-a-capability"}).capability is None
