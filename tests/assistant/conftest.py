"""Fixtures for the assistant's tests: a service over a migrated SQLite database, the
in-process bus, fake tools and a scripted chat model."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from langchain_core.language_models import BaseChatModel
from sqlalchemy.ext.asyncio import async_sessionmaker

from assistant.desk import ToolsActionDesk
from assistant.service import ConversationService, ServiceDeps
from knowledge.offline import seed_tiktoken_cache
from switchboard.bus import InProcessBus
from switchboard.db.eventlog import StoredEvent
from switchboard.settings import Settings
from tests.fakes.tools import fake_tools, fake_top_up_executor


@pytest.fixture(scope="session", autouse=True)
def _tiktoken_offline(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return seed_tiktoken_cache(tmp_path_factory.mktemp("tiktoken"))


@dataclass(frozen=True)
class Who:
    """A verified identity, shaped like api.auth.Identity."""

    customer_id: str | None = "CUST-0001"
    msisdn: str | None = "+447700900001"
    segment: str | None = "prepaid"
    verified: bool = True
    channel: str = "web"
    anonymous_id: str | None = None


ALICE = Who()
ANON = Who(customer_id=None, msisdn=None, segment=None, verified=False, anonymous_id="anon-1")


@dataclass
class Harness:
    service: ConversationService
    bss_calls: list[str]
    bus: InProcessBus

    async def say(
        self, conversation_id: str, text: str, who: Who = ALICE, cmid: str | None = None
    ) -> list[StoredEvent]:
        return [e async for e in self.service.handle_message(conversation_id, who, text, cmid)]


def completed(events: list[StoredEvent]) -> dict[str, Any]:
    done = [e for e in events if e.type == "turn.completed"]
    assert len(done) == 1, [e.type for e in events]
    return done[0].data


def types(events: list[StoredEvent]) -> list[str]:
    return [e.type for e in events]


def reply(events: list[StoredEvent]) -> str:
    return "".join(e.data["text"] for e in events if e.type == "token")


MakeHarness = Callable[..., Harness]


@pytest.fixture
async def make_harness(
    settings: Settings, sessionmaker: async_sessionmaker[Any]
) -> AsyncIterator[MakeHarness]:
    def make(model: BaseChatModel, *, fail: tuple[str, ...] = (), **overrides: Any) -> Harness:
        calls: list[str] = []
        bus = InProcessBus()
        deps = ServiceDeps(
            sessionmaker=sessionmaker,
            bus=bus,
            settings=overrides.pop("settings", settings),
            model=model,
            tool_factory=lambda ctx: fake_tools(ctx, fail=fail),
            desk=ToolsActionDesk(executors={"top_up": fake_top_up_executor}),
            bss=calls,
            **overrides,
        )
        return Harness(ConversationService(deps), calls, bus)

    yield make
