"""build_runtime assembles a working service from settings (fakes for the slow parts)."""

from __future__ import annotations

from assistant.service.runtime import build_runtime
from switchboard.settings import Settings
from tests.assistant.conftest import ALICE, completed
from tests.fakes.scripted_model import ScriptedChatModel, say
from tests.fakes.tools import fake_tools


async def test_runtime_runs_a_turn_and_closes(settings: Settings) -> None:
    model = ScriptedChatModel(script=[say("Hello! How can I help?")])
    async with build_runtime(
        settings, model=model, tool_factory=fake_tools, with_bss=False, with_retriever=False
    ) as runtime:
        cid = await runtime.service.start_conversation(ALICE)
        async with runtime.bus.subscribe(cid) as queue:
            events = [e async for e in runtime.service.handle_message(cid, ALICE, "hi", "m1")]
            assert queue.qsize() == len(events)  # every stored event was published
        assert completed(events)["capability"] == "greeting"
        transcript = await runtime.service.transcript(cid)
        assert [m["role"] for m in transcript] == ["customer", "assistant"]
