"""Fixtures for the assistant's tests: a service over a migrated SQLite database, the
in-process bus, fake tools and a scripted chat model."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from langchain_core.language_models import BaseChatModel
from sqlalchemy.ext.asyncio import async_sessionmaker

from assistant.actions.desk import ToolsActionDesk
from assistant.models import make_chat_model, make_http_client
from assistant.service.conversations import ConversationService
from assistant.service.deps import ServiceDeps
from knowledge.offline import seed_tiktoken_cache
from switchboard.bus import InProcessBus
from switchboard.db.eventlog import StoredEvent
from switchboard.settings import Settings
from tests.fakes.openai_server import FakeOpenAIServer, script_from_messages
from tests.fakes.scripted_model import ScriptedChatModel
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


@pytest.fixture(scope="session")
def openai_server() -> Iterator[FakeOpenAIServer]:
    with FakeOpenAIServer() as server:
        yield server


class Backend:
    """Plays a script of AIMessages: on the scripted model, or through the real `openai` client
    and ChatOpenAI against the fake OpenAI-compatible server on loopback."""

    def __init__(self, name: str, settings: Settings, server: FakeOpenAIServer | None) -> None:
        self.name = name
        self._settings = settings
        self._server = server
        self._scripted: ScriptedChatModel | None = None
        self.http_clients: list[Any] = []

    def model(self, script: list[Any]) -> BaseChatModel:
        if self._server is None:
            self._scripted = ScriptedChatModel(script=script)
            return self._scripted
        self._server.fake.load(script_from_messages(script))
        remote = self._settings.model_copy(
            update={"llm": "openai:gpt-4.1-mini", "llm_base_url": self._server.base_url}
        )
        client = make_http_client(remote)
        self.http_clients.append(client)
        return make_chat_model(remote.llm, remote, http_async_client=client)

    def calls(self) -> int:
        if self._server is not None:
            return len(self._server.fake.requests)
        assert self._scripted is not None
        return self._scripted.calls

    def prompt(self, index: int) -> str:
        """Everything the model was shown on its `index`-th call."""
        if self._server is not None:
            return json.dumps(self._server.fake.requests[index]["messages"])
        assert self._scripted is not None
        return " ".join(str(m.content) for m in self._scripted.seen[index])


@pytest.fixture(params=["scripted", "openai"])
async def backend(request: pytest.FixtureRequest, settings: Settings) -> AsyncIterator[Backend]:
    server = request.getfixturevalue("openai_server") if request.param == "openai" else None
    chosen = Backend(request.param, settings, server)
    yield chosen
    for client in chosen.http_clients:
        await client.aclose()


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
