"""Customers who need attention (api/attention.py) on synthetic conversations with known answers."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import async_sessionmaker

from api.attention import AttentionReport, report
from switchboard import clock
from switchboard.db.models import Survey
from tests.api.channels.conftest import MakeChannels, make_channels
from tests.api.test_analytics import T0, conversation

__all__ = ["make_channels"]  # the fixture

AS_OF = T0 + timedelta(days=1)
ROAMING = [("roaming", "answered")]
DAY = timedelta(days=1)


async def _report(sessionmaker: async_sessionmaker[Any]) -> AttentionReport:
    return await report(sessionmaker, as_of=AS_OF, window_days=7, min_contacts=2)


async def test_repeat_contacts_about_one_capability_are_flagged_with_evidence(
    sessionmaker: async_sessionmaker[Any],
) -> None:
    first = await conversation(sessionmaker, customer="c1", at=T0 - 3 * DAY, turns=ROAMING)
    second = await conversation(
        sessionmaker,
        customer="c1",
        at=T0,
        turns=ROAMING,
        events=[("handoff", {"reason": "low_confidence"}), ("handback", {})],
    )
    # the first contact is before the window: one contact in it, no repeat
    await conversation(sessionmaker, customer="c2", at=T0 - 10 * DAY, turns=ROAMING)
    await conversation(sessionmaker, customer="c2", at=T0, turns=ROAMING)
    # "hi" and "thanks" are not a need; anonymous contacts cannot be linked
    for _ in range(3):
        await conversation(sessionmaker, customer="c3", turns=[("greeting", "answered")])
        await conversation(sessionmaker, customer=None, turns=ROAMING)
    # after as_of: not yet
    await conversation(sessionmaker, customer="c4", at=AS_OF + DAY, turns=ROAMING)
    await conversation(sessionmaker, customer="c4", at=AS_OF + 2 * DAY, turns=ROAMING)

    found = await _report(sessionmaker)
    assert [c.customer for c in found.customers] == ["c1"]
    (flag,) = found.customers[0].flags
    assert (flag.reason, flag.capability) == ("repeat_contact", "roaming")
    assert flag.detail == "2 contacts about roaming within 7 days"
    assert [c.conversation_id for c in flag.contacts] == [first, second]
    assert [c.human_involved for c in flag.contacts] == [False, True]
    assert all(c.resolved for c in flag.contacts)


async def test_more_contacts_than_the_customers_own_norm(
    sessionmaker: async_sessionmaker[Any],
) -> None:
    recent = [("faq", "answered")], [("top_up", "acted")], ROAMING
    # c5: 2 contacts over the 12 earlier weeks (usual 0.17 a week), then 3 in one week
    for days in (30, 60):
        await conversation(sessionmaker, customer="c5", at=T0 - days * DAY, turns=ROAMING)
    # c6: no earlier contacts, so no norm to deviate from
    # c7: usually 2 a week, so 3 is normal
    for week in range(1, 13):
        for hours in (0, 30):
            at = T0 - week * 7 * DAY - timedelta(hours=hours)
            await conversation(sessionmaker, customer="c7", at=at, turns=ROAMING)
    for customer in ("c5", "c6", "c7"):
        for i, turns in enumerate(recent):
            await conversation(sessionmaker, customer=customer, at=T0 - i * DAY, turns=turns)

    found = await _report(sessionmaker)
    assert [c.customer for c in found.customers] == ["c5"]
    flagged = found.customers[0]
    (flag,) = flagged.flags
    assert flag.reason == "above_norm" and flag.capability is None
    assert (flagged.recent_contacts, round(flagged.usual_contacts or 0, 3)) == (3, round(2 / 12, 3))
    assert len(flag.contacts) == 3


async def _answered(
    sessionmaker: async_sessionmaker[Any], conversation_id: str, customer: str, score: int, at: Any
) -> None:
    async with sessionmaker() as session, session.begin():
        session.add(
            Survey(
                conversation_id=conversation_id,
                kind="nps",
                channel="web",
                customer_key=customer,
                status="answered",
                score=score,
                created_at=at,
            )
        )


async def test_a_detractor_or_a_falling_nps_is_flagged(
    sessionmaker: async_sessionmaker[Any],
) -> None:
    # c1: 9 a month ago, now 5 (a detractor, and a fall of 4)
    old = await conversation(sessionmaker, customer="c1", at=T0 - 30 * DAY, turns=ROAMING)
    new = await conversation(sessionmaker, customer="c1", at=T0, turns=ROAMING)
    await _answered(sessionmaker, old, "c1", 9, T0 - 30 * DAY)
    await _answered(sessionmaker, new, "c1", 5, T0)
    # c2: 10 then 8 (a fall of 2, still passive): not flagged; c3: 3 but 20 days ago: not now
    for customer, scores in (("c2", (10, 8)), ("c3", (3,))):
        for i, score in enumerate(scores):
            at = T0 - (20 - 19 * i) * DAY
            cid = await conversation(sessionmaker, customer=customer, at=at, turns=ROAMING)
            await _answered(sessionmaker, cid, customer, score, at)
    # c4: 10 then 6: a fall of 4 into detraction
    for at, score in ((T0 - 40 * DAY, 10), (T0 - DAY, 6)):
        cid = await conversation(sessionmaker, customer="c4", at=at, turns=ROAMING)
        await _answered(sessionmaker, cid, "c4", score, at)

    found = {c.customer: c.flags for c in (await _report(sessionmaker)).customers}
    assert set(found) == {"c1", "c4"}
    [flag] = found["c1"]
    assert (flag.reason, flag.detail) == ("low_nps", f"NPS 5 on {T0:%Y-%m-%d} (was 9)")
    assert [c.conversation_id for c in flag.contacts] == [new]
    assert [f.reason for f in found["c4"]] == ["low_nps"]


async def test_the_admin_api_lists_customers_needing_attention(
    make_channels: MakeChannels,
) -> None:
    async with make_channels() as ch:
        now = clock.now()
        for days in (1, 2):
            await conversation(ch.hub.sessionmaker, customer="c9", at=now - days * DAY)
        assert (await ch.client.get("/v1/admin/attention")).status_code == 401
        response = await ch.client.get("/v1/admin/attention", headers=ch.staff)
    assert response.status_code == 200, response.text
    body = response.json()
    assert [(c["customer"], [f["reason"] for f in c["flags"]]) for c in body["customers"]] == [
        ("c9", ["repeat_contact"])
    ]
    assert body["window_days"] == 7
