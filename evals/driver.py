"""The real driver: every case gets its own data directory (a copy of a migrated database and a
freshly seeded BSS simulator) and its own runtime; the chat model, the knowledge index and the
retriever are built once per run and shared read-only.

What a case does not need to pay for (measured in docs/evals.md, "Run time"):
- the BSS simulator runs without its clock worker: the worker only polls for due transitions and
  delivers events to registered listeners, and an eval runtime registers none; every request to
  the simulator first takes the transitions that are due (`bss.app.CatchUpMiddleware`), so what
  the assistant reads is the same;
- the BSS state is read before and after only for a case that has a `state` expectation;
- the tokenizer files are linked from the template instead of decompressed again;
- a demo customer's id is looked up once per run (every case's BSS is a copy of the same
  seeded template, so the answer cannot differ)."""

from __future__ import annotations

import shutil
import tempfile
import uuid
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evals.evidence import annotate_grounding, article_texts
from evals.runner import CustomerSimulator, Judge
from evals.suite import Case
from evals.transcript import Event
from switchboard import clock
from switchboard.clock import REFERENCE_INSTANT
from switchboard.settings import Settings, load_settings
from tools.context import KnowledgeBase

TEMPLATE = "template"
DB_FILES = ("switchboard.db", "bss.db")
TIKTOKEN = "tiktoken"
# The local engine is deterministic; a wall-clock deadline per turn would make its results depend
# on the machine's load (a loaded 2-core runner took more than the default 60 s for some turns).
LOCAL_TURN_TIMEOUT_S = 600.0
# The BSS simulator's clock runs on wall time (60 simulated seconds per second by default), so
# whether an order placed in a case has completed by the final state check depended on how fast
# the machine was (plan-upgrade-correction passed on a loaded machine and failed on a fast one).
# An instant clock (see bss/clock.py) takes every transition as soon as it is due, every time.
INSTANT_BSS_CLOCK = 1e6


@dataclass(frozen=True, slots=True)
class EvalIdentity:
    """A verified demo identity (the shape `api.auth.Identity` has)."""

    customer_id: str | None
    msisdn: str | None
    segment: str | None
    verified: bool
    channel: str = "web"
    anonymous_id: str | None = None


class RuntimeSession:
    """One case's conversation over its own runtime."""

    def __init__(
        self,
        case: Case,
        settings: Settings,
        shared: SharedParts,
        customers: dict[str, tuple[str, str | None]] | None = None,
    ) -> None:
        self.case = case
        self.settings = settings
        self.shared = shared
        self.customers = customers if customers is not None else {}
        self.stack = AsyncExitStack()
        self.runtime: Any = None
        self.identity: EvalIdentity | None = None
        self.conversation_id = ""

    async def start(self) -> None:
        from assistant.service.runtime import build_runtime
        from bss.app import create_bss_app
        from tools.bss.client import make_bss_client

        # The simulator in-process without its lifespan, hence without the clock worker; it still
        # seeds itself and takes due transitions before every request (CatchUpMiddleware).
        simulator = create_bss_app(self.settings)
        bss = make_bss_client(self.settings, app=simulator, on_close=simulator.state.sim.close)
        self.stack.push_async_callback(bss.aclose)
        self.runtime = await self.stack.enter_async_context(
            build_runtime(
                self.settings,
                model=self.shared.model,
                bss=bss,
                retriever=self.shared.retriever,
                migrate=False,
                ingest=False,
                with_retriever=self.shared.retriever is not None,
            )
        )
        self.identity = await self._identity()
        service = self.runtime.service
        self.conversation_id = await service.start_conversation(self.identity, self.case.channel)

    async def _identity(self) -> EvalIdentity:
        if self.case.anonymous:
            return EvalIdentity(None, None, None, False, self.case.channel, f"anon-{uuid.uuid4()}")
        known = self.customers.get(self.case.customer)
        if known is None:
            customer = await self.runtime.bss.find_customer_by_msisdn(msisdn=self.case.customer)
            if customer is None:
                raise RuntimeError(f"no demo customer with msisdn {self.case.customer}")
            known = self.customers[self.case.customer] = (customer.id, customer.segment)
        customer_id, segment = known
        return EvalIdentity(customer_id, self.case.customer, segment, True, self.case.channel)

    async def _collect(self, stream: AsyncIterator[Any]) -> list[Event]:
        return [(e.type, dict(e.data)) async for e in stream]

    async def send(self, text: str) -> list[Event]:
        service = self.runtime.service
        return await self._collect(
            service.handle_message(self.conversation_id, self.identity, text, str(uuid.uuid4()))
        )

    async def confirm(self, action_id: str) -> list[Event]:
        service = self.runtime.service
        return await self._collect(
            service.confirm_action(self.conversation_id, self.identity, action_id)
        )

    async def state(self) -> dict[str, Any] | None:
        """The customer's line in the BSS; only for a case that checks the final state."""
        if self.case.expect.state is None:
            return None
        if self.identity is None or self.identity.customer_id is None:
            return None
        from evals.bss_state import snapshot

        return await snapshot(
            self.runtime.bss, customer_id=self.identity.customer_id, msisdn=self.case.customer
        )

    async def aclose(self) -> None:
        await self.stack.aclose()
        shutil.rmtree(self.settings.data_dir, ignore_errors=True)


@dataclass
class SharedParts:
    model: Any
    retriever: KnowledgeBase | None
    texts: dict[str, str]


class RuntimeDriver:
    def __init__(self, model: str, root: Path, base: Settings, shared: SharedParts) -> None:
        self.model = model
        self.root = root
        self.base = base
        self.shared = shared
        self.customers: dict[str, tuple[str, str | None]] = {}
        self._count = 0

    async def open(self, case: Case) -> RuntimeSession:
        self._count += 1
        data_dir = self.root / f"case-{self._count:05d}"
        data_dir.mkdir(parents=True)
        for name in DB_FILES:
            shutil.copyfile(self.root / TEMPLATE / name, data_dir / name)
        (data_dir / TIKTOKEN).symlink_to(self.root / TEMPLATE / TIKTOKEN, target_is_directory=True)
        settings = self.base.model_copy(update={"data_dir": data_dir})
        session = RuntimeSession(case, settings, self.shared, self.customers)
        await session.start()
        return session


def base_settings(model: str, root: Path, **overrides: Any) -> Settings:
    """Eval settings: demo mode, a shared Chroma index under `root`, the chosen model."""
    current = load_settings()
    return load_settings(
        **{
            **current.model_dump(exclude_unset=True),
            "mode": "demo",
            "data_dir": root / TEMPLATE,
            "database_url": "",
            "bss_database_url": "",
            "bss_url": None,
            "redis_url": None,
            "chroma_url": None,
            "chroma_path": root / "chroma",
            "llm": model,
            "bss_clock_speed": INSTANT_BSS_CLOCK,
            # the demo world at a fixed instant, so a run means the same on any day
            "clock_start": current.clock_start or REFERENCE_INSTANT,
            **({"turn_timeout_s": LOCAL_TURN_TIMEOUT_S} if model == "local" else {}),
            **overrides,
        }
    )


async def _prepare_template(settings: Settings) -> None:
    """A migrated database and a seeded BSS, copied for every case."""
    from bss.app import create_bss_app
    from knowledge.offline import seed_tiktoken_cache
    from switchboard.db.migrate import upgrade_async

    seed_tiktoken_cache(settings.data_dir / TIKTOKEN)
    await upgrade_async(settings.resolved_database_url)
    app = create_bss_app(settings, run_worker=False)
    async with app.router.lifespan_context(app):  # seeds the demo world
        pass


@asynccontextmanager
async def make_driver(
    model: str, *, chat_model: Any = None, knowledge: bool = True, **overrides: Any
) -> AsyncIterator[RuntimeDriver]:
    """The driver for `model`; `overrides` are settings (e.g. `exemplars_dir`). Tests pass a
    scripted `chat_model` and may leave the knowledge base out."""
    root = Path(tempfile.mkdtemp(prefix="switchboard-eval-"))
    settings = base_settings(model, root, **overrides)
    # Every run's world is seeded at the same instant, not minutes into a process whose clock
    # started there: the outages' times (seed time + hours) read the same in every run.
    with clock.use_clock(settings.clock_start):
        async with _driver(model, root, settings, chat_model, knowledge) as driver:
            yield driver


@asynccontextmanager
async def _driver(
    model: str, root: Path, settings: Settings, chat_model: Any, knowledge: bool
) -> AsyncIterator[RuntimeDriver]:
    from assistant.models import make_chat_model
    from knowledge import build_retriever, ensure_ingested
    from knowledge.factory import default_article_dir

    try:
        settings.data_dir.mkdir(parents=True)
        await _prepare_template(settings)
        if knowledge:
            await ensure_ingested(settings)
        shared = SharedParts(
            model=chat_model or make_chat_model(settings.llm, settings),
            retriever=build_retriever(settings) if knowledge else None,
            texts=article_texts(default_article_dir(settings)),
        )
        yield RuntimeDriver(model, root, settings, shared)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def make_simulator(model: str) -> CustomerSimulator | None:
    """An LLM-played customer, only when a real model is configured."""
    if model == "local":
        return None
    from evals.simulator import LlmCustomer

    customer: CustomerSimulator = LlmCustomer(model)
    return customer


def make_judge(model: str) -> Judge | None:
    if model == "local":
        return None
    from evals.judge import LlmJudge

    judge: Judge = LlmJudge(model)
    return judge


__all__ = ["annotate_grounding", "make_driver", "make_judge", "make_simulator"]
