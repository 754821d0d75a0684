"""Messages in a language the assistant does not serve (issue #15 part 5, ADR 0044): detected
surely, answered in that language and English with the offer of a person, handed over on a
second message or a yes — and English, however noisy, is never taken for another language."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.language import language_of, languages
from evals.languages import DEV_DIR, foreign, outside_english, own_english
from tests.assistant.conftest import ALICE, MakeHarness, completed, reply, types
from tests.fakes.scripted_model import ScriptedChatModel, say

ROOT = Path(__file__).resolve().parents[2]
FOREIGN = foreign()


def test_every_language_has_a_reply_and_the_test_set_covers_each() -> None:
    known = languages().known
    assert {code for code, _ in FOREIGN} == set(known)
    assert all(entry.reply and entry.yes and entry.no for entry in known.values())


@pytest.mark.parametrize(("code", "text"), FOREIGN)
def test_a_request_in_another_language_is_recognised_as_that_language(code: str, text: str) -> None:
    assert language_of(text) == code


def test_no_english_of_our_own_is_taken_for_another_language() -> None:
    texts = own_english()
    assert len(texts) > 800
    assert [t for t in texts if language_of(t) != "en"] == []


@pytest.mark.skipif(not DEV_DIR.is_dir(), reason="../shared/dev is absent (a fresh clone alone)")
def test_no_english_written_outside_the_team_is_taken_for_another_language() -> None:
    texts = outside_english()
    assert len(texts) > 9000
    assert [t for t in texts if language_of(t) != "en"] == []


async def test_the_offer_in_the_customers_language_then_a_person(
    make_harness: MakeHarness,
) -> None:
    model = ScriptedChatModel(script=[say("Your balance is shown above.")])
    h = make_harness(model)
    cid = await h.service.start_conversation(ALICE)

    first = await h.say(cid, "Hola, quiero recargar mi saldo con diez libras", cmid="m1")
    assert reply(first).startswith(languages().known["es"].reply)
    assert languages().english in reply(first)
    done = completed(first)
    assert (done["outcome"], done["capability"]) == ("clarified", "human_agent")
    assert "handoff" not in types(first) and "tool.call" not in types(first)

    second = await h.say(cid, "sí, por favor, con una persona", cmid="m2")
    handoff = next(e for e in second if e.type == "handoff")
    assert handoff.data["reason"] == "language"
    assert completed(second)["outcome"] == "handed_off"
    assert model.calls == 0  # no model ran for either message


async def test_a_yes_in_english_to_the_offer_hands_over_and_english_goes_on_as_usual(
    make_harness: MakeHarness,
) -> None:
    h = make_harness(ScriptedChatModel(script=[say("Your balance is shown above.")]))
    cid = await h.service.start_conversation(ALICE)
    await h.say(cid, "Dzień dobry, chcę doładować konto", cmid="m1")
    yes = await h.say(cid, "yes please", cmid="m2")
    assert next(e for e in yes if e.type == "handoff").data["reason"] == "language"

    other = await h.service.start_conversation(ALICE)
    await h.say(other, "Bonjour, je voudrais recharger mon crédit", cmid="m3")
    english = await h.say(other, "sorry - what is my balance", cmid="m4")
    assert "handoff" not in types(english)
    assert reply(english) == "Your balance is shown above."


async def test_a_no_in_that_language_goes_on_in_english(make_harness: MakeHarness) -> None:
    h = make_harness(ScriptedChatModel(script=[say("Your balance is shown above.")]))
    cid = await h.service.start_conversation(ALICE)
    await h.say(cid, "Guten Tag, ich möchte mein Guthaben aufladen", cmid="m1")
    declined = await h.say(cid, "nein danke", cmid="m2")
    assert "handoff" not in types(declined) and "English" in reply(declined)
    assert completed(declined)["outcome"] == "clarified"
    english = await h.say(cid, "what is my balance", cmid="m3")
    assert reply(english) == "Your balance is shown above."
