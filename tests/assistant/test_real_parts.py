"""The turn loop over the real tool catalogue and the built-in BSS simulator (scripted model):
quote → confirm → receipt charges exactly once; the widget button path works too."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from sqlalchemy import func, select, update

from assistant.service.runtime import build_runtime
from switchboard import clock
from switchboard.db.models import AuditEntry, PendingAction
from switchboard.settings import Settings
from tests.assistant.conftest import ALICE, completed, reply
from tests.fakes.scripted_model import ScriptedChatModel, call, say


async def test_top_up_quote_confirm_receipt_on_the_simulator(settings: Settings) -> None:
    model = ScriptedChatModel(
        script=[
            call("top_up", amount=10),
            say("I can top up £10.00 from your card. Shall I go ahead?"),
            call("get_account_overview", "call_2"),
            say("Your credit is now shown above."),
        ]
    )
    async with build_runtime(settings, model=model, with_retriever=False) as runtime:
        found = await runtime.bss.find_customer_by_msisdn(msisdn=ALICE.msisdn)
        alice = replace(ALICE, customer_id=found.id)
        service = runtime.service
        cid = await service.start_conversation(alice)

        quote = [e async for e in service.handle_message(cid, alice, "top up £10", "m1")]
        proposed = next(e for e in quote if e.type == "action.proposed")
        assert proposed.data["amount"] == 10.0 and proposed.data["currency"] == "GBP"
        assert completed(quote)["outcome"] == "proposed"

        done = [e async for e in service.handle_message(cid, alice, "yes", "m2")]
        executed = next(e for e in done if e.type == "action.executed")
        assert executed.data["status"] == "ok", executed.data
        assert executed.data["receipt"]
        assert completed(done)["outcome"] == "acted"
        assert reply(done).startswith("Done")

        # pressing the widget's confirm button afterwards replays the result: no second charge,
        # and nothing new in the conversation (the same stored event, issue 16)
        again = [e async for e in service.confirm_action(cid, alice, proposed.data["action_id"])]
        assert again == [executed]
        async with runtime.sessionmaker() as session:
            executions = await session.scalar(
                select(func.count()).where(AuditEntry.event == "executed")
            )
        assert executions == 1


async def test_a_yes_after_the_quote_expired_quotes_again(settings: Settings) -> None:
    model = ScriptedChatModel(script=[call("top_up", amount=10), say("£10 — shall I go ahead?")])
    async with build_runtime(settings, model=model, with_retriever=False) as runtime:
        found = await runtime.bss.find_customer_by_msisdn(msisdn=ALICE.msisdn)
        alice = replace(ALICE, customer_id=found.id)
        cid = await runtime.service.start_conversation(alice)
        [e async for e in runtime.service.handle_message(cid, alice, "top up £10", "m1")]
        async with runtime.sessionmaker() as session, session.begin():
            await session.execute(
                update(PendingAction).values(expires_at=clock.now() - timedelta(seconds=1))
            )
        late = [e async for e in runtime.service.handle_message(cid, alice, "yes", "m2")]
        assert next(e for e in late if e.type == "action.executed").data["status"] == "expired"
        fresh = next(e for e in late if e.type == "action.proposed")
        assert fresh.data["amount"] == 10.0
        assert completed(late)["outcome"] == "proposed"
        done = [e async for e in runtime.service.handle_message(cid, alice, "yes", "m3")]
        assert next(e for e in done if e.type == "action.executed").data["status"] == "ok"


async def test_quotes_are_in_the_operators_currency_and_locale(settings: Settings) -> None:
    """ADR 0043: the same top-up for an operator set to euros in German: the quote's amount and
    currency follow the settings, and a different currency asked for is refused."""
    euro = settings.model_copy(update={"currency": "EUR", "locale": "de_DE", "brand_name": "Acme"})
    model = ScriptedChatModel(
        script=[
            call("top_up", amount=10),
            say("Shall I go ahead?"),
            call("top_up", "call_2", amount=10, currency="USD"),
            say("Only euros, sorry."),
        ]
    )
    async with build_runtime(euro, model=model, with_retriever=False) as runtime:
        found = await runtime.bss.find_customer_by_msisdn(msisdn=ALICE.msisdn)
        alice = replace(ALICE, customer_id=found.id)
        cid = await runtime.service.start_conversation(alice)
        quote = [e async for e in runtime.service.handle_message(cid, alice, "top up 10", "m1")]
        proposed = next(e for e in quote if e.type == "action.proposed")
        assert proposed.data["currency"] == "EUR"
        assert proposed.data["summary"].startswith("Top up 10\xa0€ on ")
        assert "£" not in proposed.data["summary"]
        other = [
            e async for e in runtime.service.handle_message(cid, alice, "top up 10 dollars", "m2")
        ]
        result = next(e for e in other if e.type == "tool.result")
        assert result.data["status"] == "error"
        assert "account's own currency" in result.data["summary"]
        assert not [e for e in other if e.type == "action.proposed"]
