"""End to end over WhatsApp with the real turn loop, tools and BSS simulator: a top-up is quoted,
confirmed by the customer's "yes" on a later message and charged once; "agent" lands the
conversation in the console queue and the agent's reply leaves through the outbox."""

from __future__ import annotations

from decimal import Decimal

from api.channels.fold import CONFIRM_HINT
from tests.api.channels.conftest import ALICE, Channels, MakeChannels
from tests.fakes.scripted_model import call, say


async def _credit(ch: Channels, customer_id: str) -> Decimal:
    overview = await ch.runtime.bss.get_account_overview(customer_id=customer_id)
    credit = overview.lines[0].credit
    assert credit is not None
    return Decimal(credit)


async def test_top_up_quote_yes_receipt_charges_once(make_channels: MakeChannels) -> None:
    script = [
        call("top_up", amount=10),
        say("I can top up £10.00 from your card. Shall I go ahead?"),
        say("Anything else?"),
    ]
    async with make_channels(script) as ch:
        alice = await ch.runtime.bss.find_customer_by_msisdn(msisdn=ALICE)
        before = await _credit(ch, alice.id)

        await ch.whatsapp("top up £10", wamid="wamid.Q1")
        await ch.settle()
        rows = await ch.outbox()
        texts = [r["payload"]["text"] for r in rows]
        assert any(t.endswith(CONFIRM_HINT) and "10" in t for t in texts), texts
        assert await _credit(ch, alice.id) == before  # a quote moves no money

        await ch.whatsapp("yes", wamid="wamid.Y1")
        await ch.whatsapp("yes", wamid="wamid.Y1")  # Meta redelivers
        await ch.settle()
        after = await _credit(ch, alice.id)
        assert after == before + Decimal("10.00")

        await ch.whatsapp("YES", wamid="wamid.Y2")  # a second yes cannot charge again
        await ch.settle()
        assert await _credit(ch, alice.id) == after
        texts = [r["payload"]["text"] for r in await ch.outbox()]
        receipts = [t for t in texts if t.startswith("Done")]
        assert len(receipts) == 1, texts


async def test_agent_request_lands_in_the_console_and_the_reply_goes_out(
    make_channels: MakeChannels,
) -> None:
    async with make_channels([say("Let me get you a person.")]) as ch:
        desk = await ch.desk("sam")
        await ch.whatsapp("agent", wamid="wamid.H1")
        await ch.settle()
        queue = (await ch.client.get("/v1/console/queue", headers=desk)).json()
        assert len(queue) == 1 and queue[0]["channel"] == "whatsapp"
        assert queue[0]["reason"] == "customer_request" and queue[0]["status"] == "waiting"
        cid = queue[0]["conversation_id"]

        # while waiting for a person, the customer's messages reach the agent, not the model
        await ch.whatsapp("my phone was stolen", wamid="wamid.H2")
        await ch.settle()
        view = (await ch.client.get(f"/v1/console/conversations/{cid}", headers=desk)).json()
        assert view["transcript"][-1] == {**view["transcript"][-1], "role": "customer"}
        assert view["transcript"][-1]["text"] == "my phone was stolen"
        assert view["handoff"]["summary"] is not None

        took = await ch.client.post(f"/v1/console/conversations/{cid}/take", headers=desk)
        assert took.status_code == 204
        sent = await ch.client.post(
            f"/v1/console/conversations/{cid}/messages",
            json={"text": "Hi, I'm Sam. I've blocked the line for you."},
            headers=desk,
        )
        assert sent.status_code == 201 and sent.json()["event"] == "agent.message"
        await ch.settle()
        rows = await ch.outbox(channel="whatsapp")
        assert rows[-1]["kind"] == "agent"
        assert rows[-1]["payload"]["text"] == "Hi, I'm Sam. I've blocked the line for you."
        assert rows[-1]["recipient"] == ALICE.lstrip("+")


async def test_a_request_for_a_person_in_other_words_is_honoured(
    make_channels: MakeChannels,
) -> None:
    """The model only said "ok"; the turn was recognised as human_agent, so a person takes over."""
    async with make_channels([say("ok")]) as ch:
        desk = await ch.desk("sam")
        await ch.whatsapp("agent please", wamid="wamid.P1")
        await ch.settle()
        queue = (await ch.client.get("/v1/console/queue", headers=desk)).json()
    assert [(q["reason"], q["status"]) for q in queue] == [("customer_request", "waiting")]
