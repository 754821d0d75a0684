"""What the API needs from the assistant's runtime, as protocols, and the adapter that finds it.

`assistant.service.runtime.build_runtime(settings)` assembles the database, bus, BSS client,
retriever, model and the ConversationService; the API only relies on the attributes below."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy import text
from sqlalchemy.ext.asyncio import async_sessionmaker

from api.auth import Identity
from api.customers import CustomerDirectory, SeedDirectory
from switchboard.bus import EventBus
from switchboard.db.eventlog import StoredEvent

ReadinessCheck = Callable[[], Awaitable[None]]


class ConversationService(Protocol):
    async def start_conversation(self, identity: Identity) -> str:
        """Create a conversation owned by `identity`; its id."""
        ...

    def handle_message(
        self, conversation_id: str, identity: Identity, text: str, client_message_id: str
    ) -> AsyncIterator[StoredEvent]: ...

    def confirm_action(
        self, conversation_id: str, identity: Identity, action_id: str
    ) -> AsyncIterator[StoredEvent]: ...

    def cancel_action(
        self, conversation_id: str, identity: Identity, action_id: str
    ) -> AsyncIterator[StoredEvent]: ...


@dataclass(slots=True)
class ApiRuntime:
    """The parts of the runtime the API uses."""

    sessionmaker: async_sessionmaker[Any]
    bus: EventBus
    service: ConversationService
    customers: CustomerDirectory = field(default_factory=SeedDirectory)
    readiness_checks: dict[str, ReadinessCheck] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.readiness_checks.setdefault("database", self._database_ready)

    async def _database_ready(self) -> None:
        async with self.sessionmaker() as session:
            await session.execute(text("SELECT 1"))


def adapt_runtime(runtime: Any) -> ApiRuntime:
    """Take what the API needs from whatever `build_runtime` returned."""
    if isinstance(runtime, ApiRuntime):
        return runtime
    checks = _default_checks(runtime)
    checks.update(getattr(runtime, "readiness_checks", None) or {})
    customers = getattr(runtime, "customers", None) or SeedDirectory()
    return ApiRuntime(
        sessionmaker=runtime.sessionmaker,
        bus=runtime.bus,
        service=runtime.service,
        customers=customers,
        readiness_checks=checks,
    )


def _default_checks(runtime: Any) -> dict[str, ReadinessCheck]:
    """Cheap reads that prove the vector store and the BSS answer (the database is checked by
    ApiRuntime itself); a runtime's own `readiness_checks` take precedence."""
    checks: dict[str, ReadinessCheck] = {}
    store = getattr(getattr(runtime, "retriever", None), "store", None)
    if store is not None and hasattr(store, "count"):

        async def vector_store() -> None:
            await store.count()

        checks["vector_store"] = vector_store
    bss = getattr(runtime, "bss", None)
    if bss is not None and hasattr(bss, "list_outages"):

        async def bss_ready() -> None:
            await bss.list_outages()

        checks["bss"] = bss_ready
    return checks
