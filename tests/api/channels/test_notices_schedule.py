"""The schedule's sweep over the demo world, and a notice as a conversation: Alice's bundle renews
within the window and her credit does not cover it, so the sweep tells her once (a second sweep
does not repeat it); her SMS reply lands in the notice's conversation, where the assistant has
the notice in its memory."""

from __future__ import annotations

from sqlalchemy import select
from twilio.request_validator import RequestValidator

from api.notices.schedule import sweep
from switchboard import clock
from switchboard.db.models import Conversation, Message
from tests.api.channels.conftest import ALICE, TWILIO_TOKEN, MakeChannels
from tests.api.channels.test_sms import URL, form, post
from tests.fakes.scripted_model import say


async def test_sweep_alerts_once_and_the_reply_continues_the_notice(
    make_channels: MakeChannels,
) -> None:
    # 10 days ahead: Alice's bundle (renews in 9 days, £10, £7.50 credit) is in the window
    async with make_channels([say("Shall I top up £10?")], notice_renewal_days=10) as ch:
        now = clock.now().replace(hour=12)  # midday: outside the default quiet hours
        counts = await sweep(ch.hub.sessionmaker, ch.runtime.bss, ch.settings, now=now)
        again = await sweep(ch.hub.sessionmaker, ch.runtime.bss, ch.settings, now=now)
        assert counts["pending"] >= 1 and again["pending"] == 0
        assert again["already"] == sum(counts.values())
        notices = (await ch.client.get("/v1/admin/notices?kind=renewal", headers=ch.staff)).json()
        [alice] = [n for n in notices if n["customer_id"] == "cust-001"]
        assert "Bundle 10 renews on" in alice["text"] and "credit is £7.50" in alice["text"]
        await ch.hub.notices.dispatch_due(now=now)

        data = form("top up £10", sid="SM" + "d" * 32)
        await post(ch, data, RequestValidator(TWILIO_TOKEN).compute_signature(URL, data))
        await ch.settle()
        async with ch.runtime.sessionmaker() as session:
            conversation = await session.scalar(
                select(Conversation).where(Conversation.channel_user_id == ALICE)
            )
            assert conversation is not None
            lines = list(
                await session.scalars(
                    select(Message.role)
                    .where(Message.conversation_id == conversation.id)
                    .order_by(Message.id)
                )
            )
        sent = await ch.client.get(f"/v1/admin/notices?ref={alice['ref']}", headers=ch.staff)
        assert sent.json()[0]["conversation_id"] == conversation.id  # notice and reply: one
        assert lines == ["system", "customer", "assistant"]
        seen = " ".join(str(m.content) for m in ch.runtime.model.seen[-1])  # type: ignore[attr-defined]
        assert "credit is £7.50" in seen and "top up £10" in seen
