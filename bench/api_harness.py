"""What the API benchmarks share: the questions and customers, the settings, the real (or fake)
runtime served on loopback with a service that times each turn's first token from inside the
request, and the load generator (bench/api_load.py) as a process of its own driven one JSON
command per line. Used by bench/api_bench.py, bench/http_bench.py and bench/turn_profile.py."""

from __future__ import annotations

import asyncio
import json
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the real app factory lives beside the tests

from api.app import create_app  # noqa: E402
from api.auth import Identity  # noqa: E402
from switchboard.db.migrate import upgrade_async  # noqa: E402
from switchboard.settings import Settings, load_settings  # noqa: E402
from tests.api.conftest import in_own_task, live_server  # noqa: E402
from tests.api.fakes import fake_runtime  # noqa: E402
from tests.api.real_app import real_runtime  # noqa: E402

QUESTIONS = [
    "what does the unlimited plan include",
    "how do i set up voicemail",
    "is there a late payment fee",
    "how much is roaming in spain",
]
CUSTOMERS = [("cust-001", "+447700900001", "prepaid"), ("cust-003", "+447700900003", "postpaid")]


def bench_settings(data_dir: Path, database_url: str = "") -> Settings:
    return load_settings(
        data_dir=data_dir,
        database_url=database_url,
        token_secret="b" * 40,
        rate_limit_per_minute=100_000,
        rate_limit_ip_per_minute=1_000_000,
        max_message_chars=4000,
    )


async def direct_ttft(service: Any, identity: Identity, text: str) -> float:
    cid = await service.start_conversation(identity)
    start = time.perf_counter()
    first = None
    async for event in service.handle_message(cid, identity, text, uuid.uuid4().hex):
        if first is None and event.type == "token":
            first = time.perf_counter() - start
    assert first is not None, "the turn streamed no token"
    return first


class TimedService:
    """The real service, timing each turn's first token from inside the request."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner
        self.loop_ttft: dict[str, float] = {}

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    async def handle_message(
        self, conversation_id: str, identity: Any, text: str, client_message_id: str
    ) -> Any:
        start = time.perf_counter()
        seen = False
        async for event in self._inner.handle_message(
            conversation_id, identity, text, client_message_id
        ):
            if not seen and event.type == "token":
                seen = True
                self.loop_ttft[client_message_id] = time.perf_counter() - start
            yield event


class LoadProcess:
    """bench/api_load.py in a subprocess, driven one JSON command per line."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self._process = process

    async def run(self, command: dict[str, Any]) -> dict[str, Any]:
        assert self._process.stdin is not None and self._process.stdout is not None
        self._process.stdin.write((json.dumps(command) + "\n").encode())
        await self._process.stdin.drain()
        line = await self._process.stdout.readline()
        if not line:
            raise RuntimeError("the load generator exited")
        answer: dict[str, Any] = json.loads(line)
        return answer


@asynccontextmanager
async def load_process(base: str) -> AsyncIterator[LoadProcess]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bench.api_load",
        "--base",
        base,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        cwd=ROOT,
    )
    try:
        yield LoadProcess(process)
    finally:
        if process.returncode is None:
            assert process.stdin is not None
            process.stdin.write(b'{"op": "quit"}\n')
            await process.stdin.drain()
            try:
                await asyncio.wait_for(process.wait(), 10)
            except TimeoutError:
                process.kill()
                await process.wait()


@dataclass
class Harness:
    """The app served on loopback with the timed service, two signed-in customers and the load
    generator process."""

    service: Any  # the untimed service: the direct path calls it without the API
    timed: TimedService
    identities: list[Identity]
    tokens: list[str]
    load: LoadProcess

    def direct(self, n: int) -> Awaitable[float]:
        """The `n`th conversation's turn, in-process: its TTFT."""
        who, text = n % len(self.identities), QUESTIONS[n % len(QUESTIONS)]
        return direct_ttft(self.service, self.identities[who], text)

    async def via_api(self, op: str, **params: Any) -> dict[str, Any]:
        """Run a load command; its answer with `added` (the API's added time per turn, paired
        with the turn loop's TTFT by client message id) and `turn` (the turn loop's TTFT)."""
        answer = await self.load.run(
            {"op": op, "tokens": self.tokens, "questions": QUESTIONS, **params}
        )
        loop_ttft = self.timed.loop_ttft
        rows = answer["ttft"]
        answer["client"] = [ttft for _, ttft, *_ in rows]
        answer["added"] = [ttft - loop_ttft[cmid] for cmid, ttft, *_ in rows]
        answer["added_from_call"] = [ttft - loop_ttft[cmid] for cmid, _, ttft, *_ in rows]
        answer["turn"] = [loop_ttft[cmid] for cmid, *_ in rows]
        return answer


@asynccontextmanager
async def served(concurrency: int, database_url: str, loop: str) -> AsyncIterator[Harness]:
    settings = bench_settings(Path(tempfile.mkdtemp(prefix="api-bench-")), database_url)
    if loop == "fake":
        await upgrade_async(settings.resolved_database_url)
    runtime_cm = real_runtime(settings) if loop == "real" else fake_runtime(settings)
    async with in_own_task(runtime_cm) as runtime:
        app = create_app(settings, runtime=runtime)
        async with in_own_task(app.router.lifespan_context(app)), live_server(app) as base:
            service = app.state.api.runtime.service
            timed = TimedService(service)
            app.state.api.runtime.service = timed
            identities = [Identity(cid, msisdn, seg, True) for cid, msisdn, seg in CUSTOMERS]  # type: ignore[arg-type]
            tokens = [app.state.api.codec.issue(i) for i in identities]
            async with load_process(base) as load:
                harness = Harness(service, timed, identities, tokens, load)
                await direct_ttft(service, identities[0], QUESTIONS[0])  # warm-up
                await harness.via_api("burst", concurrency=concurrency)  # and the connections
                yield harness
