"""SECURITY-NOTES §1 test 4 — excessive agency (OWASP LLM06): the model has no way to confirm,
a "yes" with nothing open executes nothing, and a quote is confirmed only by the conversation
that owns it (a positive control shows the same yes *does* execute where it belongs)."""

from __future__ import annotations

import json

from switchboard.errors import SwitchboardError
from switchboard.settings import Settings
from tests.security.conftest import ObedientModel, security_world, violations
from tools.registry import TOOL_SPECS

CONFIRMING_WORDS = ("confirm", "execute", "approve", "authori", "nonce", "action_id", "commit")


def test_no_tool_can_confirm_by_name_or_schema() -> None:
    for name, spec in TOOL_SPECS.items():
        schema = json.dumps(spec.args_model.model_json_schema()).lower()
        fields = set(spec.args_model.model_fields)
        assert not any(w in name for w in CONFIRMING_WORDS), name
        assert not any(w in f for f in fields for w in CONFIRMING_WORDS), (name, fields)
        assert "customer_id" not in schema and "conversation_id" not in schema, name


async def test_yes_with_no_open_quote_executes_nothing(settings: Settings) -> None:
    async with security_world(settings, model=ObedientModel()) as world:
        before = await world.snapshot()
        for text in ("yes", "confirm", "I confirm", "go ahead", "👍"):
            _cid, events = await world.chat(world.a, text)
            assert violations(events) == [] and "action.executed" not in {e.type for e in events}
        assert await world.snapshot() == before and await world.executed_rows() == 0


async def test_a_quote_is_confirmed_only_by_its_own_conversation(settings: Settings) -> None:
    async with security_world(settings, model=ObedientModel()) as world:
        service = world.runtime.service
        a, b = world.a.identity, world.b.identity
        owner, quote = await world.chat(world.a, "top up £10")
        action_id = next(e.data["action_id"] for e in quote if e.type == "action.proposed")
        before = await world.snapshot()
        other, _ = await world.chat(world.a, "hello")  # A's second conversation
        _, yes_elsewhere = await world.chat(world.a, "yes", other)
        assert violations(yes_elsewhere) == []
        for cid, who in ((other, a), (owner, b), (other, b)):
            try:
                events = [e async for e in service.confirm_action(cid, who, action_id)]
            except SwitchboardError:
                continue  # refused before anything ran (the API answers 404)
            assert violations(events) == [], (cid, who.customer_id)  # a polite "not found" turn
        assert await world.snapshot() == before and await world.executed_rows() == 0
        # positive control: the owner's plain yes in the owning conversation does execute
        _, done = await world.chat(world.a, "yes", owner)
        assert [v.split(":")[1] for v in violations(done)] == ["top_up"]
        assert await world.executed_rows() == 1
