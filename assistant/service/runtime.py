"""Assembly of everything a turn needs, from settings: database (migrated), bus, BSS client,
retriever, chat model and the ConversationService. The API, the CLI `chat` command and the eval
runner all use `build_runtime`; tests pass fakes for any part.

    async with build_runtime(settings) as runtime:
        cid = await runtime.service.start_conversation(identity)
        async for event in runtime.service.handle_message(cid, identity, "hi", "m1"): ...
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.tools import BaseTool
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from assistant.actions.desk import ToolsActionDesk
from assistant.language import language_of
from assistant.models import LocalFactory, make_chat_model, make_http_client, model_name
from assistant.playbooks.loader import load_for
from assistant.service.conversations import ConversationService
from assistant.service.deps import ServiceDeps
from assistant.turn.memory import TokenCounter
from bss.world import with_demo_identity
from switchboard import clock, currency
from switchboard.bus import EventBus, InProcessBus
from switchboard.db import make_engine, make_sessionmaker
from switchboard.db.migrate import upgrade_async
from switchboard.settings import Settings
from tools.context import KnowledgeBase, TurnContext

log = logging.getLogger(__name__)
ReadinessCheck = Callable[[], Awaitable[None]]


@dataclass
class Runtime:
    settings: Settings
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[Any]
    bus: EventBus
    bss: Any
    retriever: KnowledgeBase | None
    model: BaseChatModel
    service: ConversationService
    bss_app: Any = None
    readiness_checks: dict[str, ReadinessCheck] = field(default_factory=dict)


async def _bus(settings: Settings, stack: AsyncExitStack) -> EventBus:
    if not settings.redis_url:
        return InProcessBus()
    from switchboard.redis_bus import RedisBus  # imports redis: only when configured

    bus: EventBus = await stack.enter_async_context(RedisBus.connect(settings.redis_url))
    return bus


async def _bss(settings: Settings, stack: AsyncExitStack) -> tuple[Any, Any]:
    """The operator's BSS at `bss_url`, or the built-in simulator in-process."""
    from tools.bss.client import make_bss_client

    app = None
    if not settings.bss_url:
        from bss.app import create_bss_app

        app = create_bss_app(settings)
        # ASGITransport does not run lifespans: start the simulator (seed, clock worker) here.
        await stack.enter_async_context(app.router.lifespan_context(app))
    client = make_bss_client(settings, app=app)
    stack.push_async_callback(client.aclose)
    return client, app


async def _retriever(settings: Settings, ingest: bool) -> KnowledgeBase:
    from knowledge import build_retriever, ensure_ingested

    if ingest:
        report = await ensure_ingested(settings)
        log.info("knowledge base ready: %s", report)
    return build_retriever(settings)


@asynccontextmanager
async def build_runtime(
    settings: Settings,
    *,
    bus: EventBus | None = None,
    model: BaseChatModel | None = None,
    bss: Any = None,
    retriever: KnowledgeBase | None = None,
    tool_factory: Callable[[TurnContext], Sequence[BaseTool]] | None = None,
    local_factory: LocalFactory | None = None,
    migrate: bool = True,
    ingest: bool = True,
    with_bss: bool = True,
    with_retriever: bool = True,
) -> AsyncIterator[Runtime]:
    """Build the runtime; everything it opened is closed when the block exits."""
    from knowledge.offline import seed_tiktoken_cache

    seed_tiktoken_cache(settings.data_dir / "tiktoken")
    settings = with_demo_identity(settings)
    clock.configure(settings.clock_start)
    if settings.currency:
        currency.configure(settings.currency, settings.locale)
    url = settings.resolved_database_url
    if migrate:
        await upgrade_async(url)
    async with AsyncExitStack() as stack:
        engine = make_engine(url)
        stack.push_async_callback(engine.dispose)
        sessionmaker = make_sessionmaker(engine)
        bus = bus or await _bus(settings, stack)
        bss_app = None
        if bss is None and with_bss:
            bss, bss_app = await _bss(settings, stack)
        if retriever is None and with_retriever:
            retriever = await _retriever(settings, ingest)
        if model is None:
            http = make_http_client(settings)
            stack.push_async_callback(http.aclose)
            extra = {"http_async_client": http} if _remote(settings) else {}
            model = make_chat_model(settings.llm, settings, local_factory=local_factory, **extra)
        # the language detector's model takes ~1.5 s to load: in the background, not in the
        # first customer's turn (assistant/language.py)
        asyncio.get_running_loop().run_in_executor(None, language_of, "warm up")
        if tool_factory is None:
            from tools.registry import shared_tools

            tool_factory = shared_tools
        service = ConversationService(
            ServiceDeps(
                sessionmaker=sessionmaker,
                bus=bus,
                settings=settings,
                model=model,
                tool_factory=tool_factory,
                desk=ToolsActionDesk(),
                bss=bss,
                retriever=retriever,
                counter=TokenCounter(_counting_model(settings)),
                turn_timeout_s=settings.turn_timeout_s,
                prompt_budget=settings.llm_prompt_tokens,
                playbooks=load_for(settings.playbooks_dir),
            )
        )
        yield Runtime(
            settings=settings,
            engine=engine,
            sessionmaker=sessionmaker,
            bus=bus,
            bss=bss,
            retriever=retriever,
            model=model,
            service=service,
            bss_app=bss_app,
        )


def _remote(settings: Settings) -> bool:
    return any(s.startswith("openai:") for s in [settings.llm, *settings.llm_fallbacks])


def _counting_model(settings: Settings) -> str:
    """The model whose tokenizer counts the prompt (the local engine counts like gpt-4o)."""
    return model_name(settings.llm) if settings.llm.startswith("openai:") else "gpt-4o"
