"""What the conversation service is built from and whom it serves, in a module of their own so
that the service, the turn runner and the action results share them without importing one
another (issue #17)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from langchain_core.language_models import BaseChatModel
from langchain_core.tools import BaseTool
from sqlalchemy.ext.asyncio import async_sessionmaker

from assistant.actions.pending import ActionDesk
from assistant.playbooks.loader import Library
from assistant.turn.agent import AgentCache
from assistant.turn.memory import TokenCounter
from switchboard.bus import EventBus
from switchboard.db.eventlog import EventWriter
from switchboard.settings import Settings
from tools.bss.client import BssClient
from tools.context import KnowledgeBase, TurnContext

AGENT_QUEUE = "agents"  # bus channel the agent console listens on for handed-off conversations
ToolFactory = Callable[[TurnContext], Sequence[BaseTool]]


class IdentityLike(Protocol):
    """A verified identity (api.auth.Identity fits): never taken from message text."""

    @property
    def customer_id(self) -> str | None: ...
    @property
    def msisdn(self) -> str | None: ...
    @property
    def verified(self) -> bool: ...
    @property
    def channel(self) -> str: ...


@dataclass
class ServiceDeps:
    sessionmaker: async_sessionmaker[Any]
    bus: EventBus
    settings: Settings
    model: BaseChatModel
    tool_factory: ToolFactory
    desk: ActionDesk | None = None
    bss: BssClient | None = None
    retriever: KnowledgeBase | None = None
    counter: TokenCounter = field(default_factory=TokenCounter)
    prompt_budget: int = 6000
    turn_timeout_s: float = 60.0
    events: EventWriter | None = None  # the event log's group-committing writer (one per service)
    playbooks: Library | None = None  # guided journeys (assistant/playbooks/); None: none
    agents: AgentCache = field(default_factory=AgentCache)  # compiled agent graphs (ADR 0053)
