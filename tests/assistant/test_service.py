"""The service's own guarantees: ownership, dedupe under concurrency, one turn at a time."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import event as sa_event
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import async_sessionmaker

from assistant.service.conversations import LOCAL_TURN_SLOTS, REMOTE_TURN_SLOTS, turn_slots
from switchboard.db.eventlog import events_after
from switchboard.db.models import Message, Turn
from switchboard.errors import BusyError, NotFoundError
from switchboard.settings import Settings
from tests.assistant.conftest import ALICE, ANON, MakeHarness, Who, completed, types
from tests.fakes.scripted_model import ScriptedChatModel, say


async def test_another_identity_cannot_use_the_conversation(make_harness: MakeHarness) -> None:
    h = make_harness(ScriptedChatModel(script=[say("hi")] * 3))
    alice_cid = await h.service.start_conversation(ALICE)
    anon_cid = await h.service.start_conversation(ANON)
    mallory = Who(customer_id="CUST-0666", msisdn="+447700900666")
    other_anon = Who(customer_id=None, msisdn=None, segment=None, anonymous_id="anon-2")
    for who, cid in ((mallory, alice_cid), (ANON, alice_cid), (other_anon, anon_cid)):
        with pytest.raises(NotFoundError):
            await h.say(cid, "hello", who=who)
    assert types(await h.say(anon_cid, "hello", who=ANON))[-1] == "turn.completed"


async def test_concurrent_retries_of_one_message_run_one_turn(
    make_harness: MakeHarness, sessionmaker: async_sessionmaker
) -> None:
    model = ScriptedChatModel(script=[say("Hello! How can I help today?")] * 3, delay_s=0.01)
    h = make_harness(model)
    cid = await h.service.start_conversation(ALICE)
    runs = await asyncio.gather(*(h.say(cid, "hello", cmid="same") for _ in range(3)))
    assert model.calls == 1
    seqs = [[e.seq for e in run] for run in runs]
    assert seqs[0] == seqs[1] == seqs[2]
    assert completed(runs[0])["text"] == "Hello! How can I help today?"
    async with sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(Turn)) == 1
        assert await session.scalar(select(func.count()).select_from(Message)) == 2


async def test_a_retried_message_adds_no_event_and_leaves_no_gap(
    make_harness: MakeHarness, sessionmaker: async_sessionmaker
) -> None:
    # the customer's message row commits with its customer.message event: a retry's duplicate
    # row rolls the event (and its id) back, so the log has no second event and no hole
    h = make_harness(ScriptedChatModel(script=[say("first reply"), say("second reply")]))
    cid = await h.service.start_conversation(ALICE)
    first = await h.say(cid, "hello", cmid="once")
    again = await h.say(cid, "hello", cmid="once")
    await h.say(cid, "and another thing", cmid="twice")
    assert [e.seq for e in again] == [e.seq for e in first]
    async with sessionmaker() as session:
        log = await events_after(session, conversation_id=cid)
    assert [e.seq for e in log] == list(range(log[0].seq, log[0].seq + len(log)))
    assert [e.data["text"] for e in log if e.type == "customer.message"] == [
        "hello",
        "and another thing",
    ]


async def test_a_turns_events_share_commits_and_each_is_stored_before_it_is_yielded(
    make_harness: MakeHarness, sessionmaker: async_sessionmaker
) -> None:
    # the turn runs ahead of the event log (ADR 0053): the events it produces while the previous
    # one commits go in together, yet none is yielded (streamed) before its own commit
    h = make_harness(ScriptedChatModel(script=[say("A reply long enough for a few tokens. " * 6)]))
    cid = await h.service.start_conversation(ALICE)
    commits = [0]

    def count(_conn: object) -> None:
        commits[0] += 1

    sa_event.listen(sessionmaker.kw["bind"].sync_engine, "commit", count)
    yielded = []
    async for stored in h.service.handle_message(cid, ALICE, "tell me about roaming"):
        async with sessionmaker() as session:
            logged = await events_after(session, conversation_id=cid, after=stored.seq - 1)
        assert logged and (logged[0].seq, logged[0].type) == (stored.seq, stored.type)
        yielded.append(stored)
    sa_event.remove(sessionmaker.kw["bind"].sync_engine, "commit", count)
    assert types(yielded)[-1] == "turn.completed" and len(yielded) >= 6
    assert commits[0] < len(yielded)


async def test_messages_of_one_conversation_take_turns(make_harness: MakeHarness) -> None:
    model = ScriptedChatModel(script=[say("first reply"), say("second reply")], delay_s=0.01)
    h = make_harness(model)
    cid = await h.service.start_conversation(ALICE)
    first, second = await asyncio.gather(h.say(cid, "one", cmid="a"), h.say(cid, "two", cmid="b"))
    spans = sorted((run[0].seq, run[-1].seq) for run in (first, second))
    assert spans[0][1] < spans[1][0]  # the second turn's events all follow the first's
    transcript = await h.service.transcript(cid)
    assert [m["role"] for m in transcript] == ["customer", "assistant", "customer", "assistant"]


async def test_sms_replies_fit_the_channel_and_events_are_ordered(
    make_harness: MakeHarness,
) -> None:
    long_reply = "Here is everything about your plan. " * 80
    h = make_harness(ScriptedChatModel(script=[say(long_reply)]))
    sms = Who(channel="sms")
    cid = await h.service.start_conversation(sms)
    events = await h.say(cid, "tell me everything about my plan", who=sms)
    assert len(completed(events)["text"]) <= 612
    seqs = [e.seq for e in events]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)
    turn_ids = {e.turn_id for e in events}
    assert len(turn_ids) == 1 and None not in turn_ids
    tokens = [e for e in events if e.type == "token"]
    assert 1 < len(tokens) < 40  # coalesced, yet still streamed in pieces


async def test_turns_beyond_the_slots_wait_in_arrival_order(
    make_harness: MakeHarness, settings: Settings
) -> None:
    model = ScriptedChatModel(script=[say("first"), say("second")], delay_s=0.2)
    h = make_harness(model, settings=settings.model_copy(update={"max_concurrent_turns": 1}))
    cids = [await h.service.start_conversation(ALICE) for _ in range(2)]
    seen: list[tuple[str, str]] = []

    async def run(cid: str, text: str) -> None:
        async for event in h.service.handle_message(cid, ALICE, text, None):
            seen.append((text, event.type))

    first = asyncio.create_task(run(cids[0], "one"))
    await asyncio.sleep(0.05)  # the first holds the only slot, inside its model call
    await asyncio.gather(first, run(cids[1], "two"))
    # The second conversation's turn stored and streamed nothing until the first completed.
    assert seen.index(("one", "turn.completed")) < seen.index(("two", "customer.message"))
    assert [t for t, kind in seen if kind == "turn.completed"] == ["one", "two"]


async def test_a_turn_that_gets_no_slot_in_time_is_busy_and_stores_nothing(
    make_harness: MakeHarness, settings: Settings, sessionmaker: async_sessionmaker
) -> None:
    model = ScriptedChatModel(script=[say("hello")])
    one_slot = settings.model_copy(update={"max_concurrent_turns": 1})
    h = make_harness(model, settings=one_slot, turn_timeout_s=0.2)
    cid = await h.service.start_conversation(ALICE)
    async with h.service._turn_slot():  # every slot taken, for longer than the turn timeout
        with pytest.raises(BusyError) as busy:
            await h.say(cid, "hello", cmid="m1")
    assert busy.value.http_status == 503 and busy.value.retry_after > 0
    assert model.calls == 0
    async with sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(Message)) == 0
    # Nothing was stored, so the very same message goes through once a slot is free.
    assert completed(await h.say(cid, "hello", cmid="m1"))["text"] == "hello"


def test_slots_default_by_model(settings: Settings) -> None:
    assert turn_slots(settings) == LOCAL_TURN_SLOTS  # the tests' settings: the local engine
    remote = settings.model_copy(update={"llm": "openai:gpt-4o-mini"})
    assert turn_slots(remote) == REMOTE_TURN_SLOTS
    assert turn_slots(remote.model_copy(update={"max_concurrent_turns": 7})) == 7
