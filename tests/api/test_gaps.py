"""Knowledge gaps: which turns are gaps (synthetic rows with known answers), the telco check on
refused questions, and the admin route."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy.ext.asyncio import async_sessionmaker

from api.gap_scope import ExemplarScope
from api.gaps import GapQuestion, TurnFacts, find_gaps, gap_reason, load_questions, report
from knowledge.embedding import local_embedder
from switchboard import clock
from switchboard.db.models import Conversation, Message, Turn
from switchboard.settings import Settings
from tests.api.channels.conftest import MakeChannels, make_channels

__all__ = ["make_channels"]  # the fixture

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
PERIOD = {"since": T0 - timedelta(days=1), "until": T0 + timedelta(days=1)}
SIMILARITY = Settings().gaps_similarity


async def turn(
    sessionmaker: async_sessionmaker[Any],
    text: str,
    *,
    capability: str | None = "faq",
    outcome: str = "answered",
    confidence: float | None = 0.9,
    handoff_reason: str | None = None,
    channel: str = "web",
    at: datetime = T0,
    role: str = "customer",
) -> str:
    """One conversation with one customer message and the turn it started."""
    cid, tid = str(uuid.uuid4()), str(uuid.uuid4())
    async with sessionmaker() as session, session.begin():
        session.add(Conversation(id=cid, customer_id="c1", channel=channel, created_at=at))
        await session.flush()
        session.add(Message(conversation_id=cid, role=role, text=text, turn_id=tid, created_at=at))
        session.add(
            Turn(
                id=tid,
                conversation_id=cid,
                capability=capability,
                outcome=outcome,
                confidence=confidence,
                handoff_reason=handoff_reason,
                created_at=at,
            )
        )
    return tid


def test_gap_reason_rules() -> None:
    def reason(
        capability: str = "faq",
        outcome: str = "answered",
        confidence: float | None = 0.9,
        handoff_reason: str | None = None,
    ) -> str | None:
        facts = TurnFacts(capability, outcome, confidence, handoff_reason)
        return gap_reason(facts, threshold=0.35)

    assert reason() is None
    assert reason(confidence=0.34) == "low_confidence"
    assert reason(confidence=0.35) is None  # the threshold itself is confident enough
    assert reason(confidence=None) is None
    assert reason(outcome="handed_off", handoff_reason="low_confidence") == "handed_off"
    assert reason(outcome="handed_off", handoff_reason="tool_transfer") == "handed_off"
    # a person because the customer asked, or a policy reason, is no gap in knowledge
    assert reason(outcome="handed_off", handoff_reason="customer_request", confidence=0.1) is None
    assert reason(outcome="handed_off", handoff_reason="vulnerability") is None
    assert reason(capability="out_of_scope", outcome="refused") == "out_of_scope"
    assert reason(capability="out_of_scope", outcome="answered", confidence=0.1) is None
    assert reason(capability="greeting", confidence=0.0) is None
    assert (
        reason(capability="human_agent", outcome="handed_off", handoff_reason="low_confidence")
        is None
    )


async def test_questions_are_the_customer_messages_of_gap_turns(
    sessionmaker: async_sessionmaker[Any],
) -> None:
    low = await turn(sessionmaker, "why is my wifi calling greyed out", confidence=0.2)
    await turn(sessionmaker, "what is my balance", confidence=0.95)
    handed = await turn(
        sessionmaker,
        "can I port my number abroad",
        outcome="handed_off",
        handoff_reason="low_confidence",
        channel="whatsapp",
    )
    await turn(
        sessionmaker, "a person please", outcome="handed_off", handoff_reason="customer_request"
    )
    refused = await turn(
        sessionmaker, "esim for my watch?", capability="out_of_scope", outcome="refused"
    )
    await turn(sessionmaker, "too old", confidence=0.1, at=T0 - timedelta(days=2))
    await turn(sessionmaker, "assistant text is not a question", confidence=0.1, role="assistant")

    found = await load_questions(sessionmaker, **PERIOD, channel=None, threshold=0.35)
    assert {(q.turn_id, q.reason) for q in found} == {
        (low, "low_confidence"),
        (handed, "handed_off"),
        (refused, "out_of_scope"),
    }
    assert {q.text for q in found if q.turn_id == low} == {"why is my wifi calling greyed out"}
    only_whatsapp = await load_questions(sessionmaker, **PERIOD, channel="whatsapp", threshold=0.35)
    assert [q.turn_id for q in only_whatsapp] == [handed]
    stricter = await load_questions(sessionmaker, **PERIOD, channel=None, threshold=0.1)
    assert low not in {q.turn_id for q in stricter}


def _question(text: str, reason: str) -> GapQuestion:
    return GapQuestion(
        turn_id=str(uuid.uuid4()),
        conversation_id=str(uuid.uuid4()),
        text=text,
        reason=reason,
        capability="out_of_scope" if reason == "out_of_scope" else "faq",
        confidence=0.1,
        at=T0,
    )


async def test_refused_questions_are_kept_only_when_they_read_like_telco() -> None:
    embedder = local_embedder()
    scope = ExemplarScope(embedder)
    telco = ["can my apple watch get its own esim", "how do i stop roaming charges on my phone"]
    other = ["book me a flight to lisbon", "give me a recipe for pancakes"]
    questions = [_question(t, "out_of_scope") for t in telco + other]
    chosen, topics = await find_gaps(
        questions, embedder=embedder, in_scope=scope, similarity=SIMILARITY
    )
    assert sorted(q.text for q in chosen) == sorted(telco)
    assert sum(t.count for t in topics) == len(telco)


async def test_topics_rank_by_volume_with_examples_and_label() -> None:
    embedder = local_embedder()

    async def all_telco(vectors: np.ndarray) -> list[bool]:
        return [True] * len(vectors)

    texts = [
        "how do i reset my voicemail pin",
        "forgot my voicemail pin",
        "reset voicemail pin please",
        "is wifi calling available",
        "turn on wifi calling",
    ]
    questions = [_question(t, "low_confidence") for t in texts]
    _, topics = await find_gaps(
        questions, embedder=embedder, in_scope=all_telco, similarity=SIMILARITY
    )
    assert [t.count for t in topics] == [3, 2]
    assert topics[0].label in texts[:3]
    assert set(topics[0].examples) == set(texts[:3])
    assert "voicemail" in topics[0].keywords and "pin" in topics[0].keywords
    assert "wifi" in topics[1].keywords
    assert topics[0].reasons == {"low_confidence": 3}


async def test_report_counts_and_an_empty_period(sessionmaker: async_sessionmaker[Any]) -> None:
    embedder = local_embedder()
    scope = ExemplarScope(embedder)
    empty = await report(
        sessionmaker,
        embedder=embedder,
        in_scope=scope,
        **PERIOD,
        threshold=0.35,
        similarity=SIMILARITY,
    )
    assert (empty.questions, empty.topics) == (0, [])
    for text in ("reset my voicemail pin", "voicemail pin forgotten", "book a hotel in rome"):
        outcome = "refused" if "hotel" in text else "answered"
        capability = "out_of_scope" if "hotel" in text else "faq"
        await turn(sessionmaker, text, capability=capability, outcome=outcome, confidence=0.1)
    full = await report(
        sessionmaker,
        embedder=embedder,
        in_scope=scope,
        **PERIOD,
        threshold=0.35,
        similarity=SIMILARITY,
    )
    assert full.questions == 2
    assert [(t.count, t.conversations) for t in full.topics] == [(2, 2)]


async def test_the_admin_api_serves_gaps_behind_the_console_token(
    make_channels: MakeChannels,
) -> None:
    async with make_channels() as ch:
        at = clock.now() - timedelta(days=1)
        for text in ("reset my voicemail pin", "i forgot my voicemail pin", "wifi calling?"):
            await turn(ch.hub.sessionmaker, text, confidence=0.1, at=at)
        assert (await ch.client.get("/v1/admin/gaps")).status_code == 401
        response = await ch.client.get("/v1/admin/gaps", headers=ch.staff)
        other = await ch.client.get("/v1/admin/gaps", params={"channel": "sms"}, headers=ch.staff)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["questions"] == 3
    assert [t["count"] for t in body["topics"]] == [2, 1]
    assert "voicemail" in body["topics"][0]["keywords"]
    assert other.json()["topics"] == []
