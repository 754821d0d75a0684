"""The frozen per-turn context every tool receives. A tool learns *who* the customer is from
here, never from an argument the model fills in."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, Protocol

if TYPE_CHECKING:
    from langchain_core.runnables import RunnableConfig
    from sqlalchemy.ext.asyncio import async_sessionmaker

    from switchboard.settings import Settings
    from tools.bss.client import BssClient

Channel = Literal["web", "whatsapp", "sms", "telegram", "console", "eval"]


class Hit(Protocol):
    """A passage as the knowledge base returns it (`knowledge.passage.Passage` is one)."""

    @property
    def doc_id(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def url(self) -> str: ...
    @property
    def section(self) -> str: ...
    @property
    def text(self) -> str: ...
    @property
    def score(self) -> float: ...


class KnowledgeBase(Protocol):
    """What the tools need of the knowledge base (`knowledge.retriever.Retriever` is one): the
    best passage per document, or sections ranked on their own with the segment boosted. Tools
    sit beside knowledge/ on one floor, so they name its shape, not its class."""

    async def search(
        self, query: str, *, k: int = ..., customer_type: str | None = ...
    ) -> Sequence[Hit]: ...

    async def sections(
        self, query: str, *, k: int = ..., customer_type: str | None = ..., topic: str | None = ...
    ) -> Sequence[Hit]: ...


@dataclass(frozen=True, slots=True)
class TurnContext:
    conversation_id: str
    turn_id: str
    channel: Channel
    settings: Settings
    sessionmaker: async_sessionmaker[Any]
    bss: BssClient
    retriever: KnowledgeBase | None = None
    customer_id: str | None = None  # TMF629 customer id; None for an anonymous conversation
    msisdn: str | None = None  # E.164 of the line the customer is signed in with
    customer_type: Literal["prepaid", "postpaid", "business"] | None = None
    verified: bool = False  # identity verified by a signed session, OTP or the channel itself
    # Only claimed by a spoofable channel (an SMS From): see `tools.registry.claimed_gate`.
    claimed: bool = False
    stepped_up: bool = False  # a claimed identity gave a fresh code for one write
    # A business line user's own lines (None: every line of the account — a consumer, or a
    # business account's admin). See `tools.lines.allowed` and `tools.registry.line_user_gate`.
    lines: tuple[str, ...] | None = None
    locale: str = "en"
    extras: dict[str, Any] = field(default_factory=dict)

    @property
    def signed_in(self) -> bool:
        return self.customer_id is not None


# Where a tool finds its turn's context in the run's config: the catalogue's tools are built once
# and shared by every turn (tools/registry.py), so the context travels with the call.
_CONFIG_KEY = "switchboard_turn_context"


def turn_config(ctx: TurnContext) -> RunnableConfig:
    """The config that gives a shared tool (or an agent run's tools) this turn's context."""
    return {"configurable": {_CONFIG_KEY: ctx}}


def context_from(config: RunnableConfig | None) -> TurnContext:
    """The turn's context a call was given with `turn_config`; a call without one is a bug."""
    ctx = ((config or {}).get("configurable") or {}).get(_CONFIG_KEY)
    if not isinstance(ctx, TurnContext):
        raise LookupError("a shared tool was called without its turn's context (turn_config)")
    return ctx
