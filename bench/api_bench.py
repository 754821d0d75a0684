"""What the API adds to a turn, and what idle SSE streams cost.

    .venv/bin/python -m bench.api_bench [--concurrency 50] [--rounds 3] [--streams 1000]
        [--turn-loop real|fake|both] [--load burst|staggered|both] [--think-s 15]

1. **Time to first token (TTFT) overhead.** The real runtime (local engine, BSS simulator, the
   knowledge base indexed with the fast test embedder) in this process, served by uvicorn on
   loopback in this same process; the customers are a load generator in a process of its own
   (bench/api_load.py), as real clients are, so its CPU is not charged to the server's event
   loop (until 2026-11-27 the client shared that loop; `cpu_ms_per_turn.client` is its cost).
   The service is wrapped to time, inside each request, the turn loop's own TTFT (from
   `handle_message` being called to its first `token` event); the API's added time of that
   request (`api_added`) is the client's TTFT of `POST /v1/conversations/{id}/messages` minus
   the turn loop's — paired per request, so the (large, load-dependent) turn time cancels out,
   but the time a request waits on the shared event loop behind other turns' work does not.
   Target: p95 <= 20 ms. Two load models, both with `--concurrency` conversations:

   - **burst** (`ttft_<loop>`): each round starts `--concurrency` turns at the same instant,
     each in a new conversation; `--rounds` rounds, alternating with the same turns run
     directly in-process (no API) for context and for the CPU comparison. The worst case: every
     request's pre-turn work queues behind the 49 others' on one event loop.
   - **staggered** (`ttft_<loop>_staggered`): `--concurrency` customers, each sending
     `--rounds` messages in one conversation; each message follows the previous reply after an
     exponentially distributed think time (mean `--think-s`, seeded by `--seed`), the first
     ones arriving spread the same way: a closed-loop population of chatting customers. With
     the default 15 s it offers about 1.2 turns/s, a rate this machine sustains (the JSON's
     `turns_per_s` and `cpu_busy_fraction`, the share of one core the process kept busy).

   `--turn-loop fake` swaps in an instant scripted turn loop: with the CPU-bound local engine
   sharing the event loop, a request's await also waits behind other turns' engine work, so the
   fake run isolates what the API itself costs. `cpu_ms_per_turn` (burst) is this process's CPU
   per turn on each path, load-independent; the staggered `cpu_ms_per_turn_api` also carries
   the runtime's background work (the BSS simulator) over the run's idle time.
   Fifty concurrent turns write many events at once: SQLite's single writer on a busy two-core
   machine can exceed its lock timeout, so `--database-url` takes PostgreSQL.
2. **Idle streams.** The same app under uvicorn in a subprocess (one worker); `--streams`
   conversations each hold `GET /events` open. Reports the worker's RSS before and after, per
   stream, and /healthz latency while they are held.

Both share two cores with the load generator: read the numbers as an upper bound.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import uvloop

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the real app factory lives beside the tests

from api.app import create_app  # noqa: E402
from api.auth import Identity  # noqa: E402
from bench.measure import parse_rss_kb, pct  # noqa: E402
from switchboard.db.migrate import upgrade_async  # noqa: E402
from switchboard.settings import Settings, load_settings  # noqa: E402
from tests.api.conftest import free_port, in_own_task, live_server  # noqa: E402
from tests.api.fakes import fake_runtime  # noqa: E402
from tests.api.real_app import real_runtime  # noqa: E402
from tests.api.server import subprocess_server  # noqa: E402

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


async def _direct_ttft(service: Any, identity: Identity, text: str) -> float:
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
        return _direct_ttft(self.service, self.identities[who], text)

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
                await _direct_ttft(service, identities[0], QUESTIONS[0])  # warm-up
                await harness.via_api("burst", concurrency=concurrency)  # and the connections
                yield harness


def _failures(outcomes: list[Any]) -> Counter[str]:
    return Counter(
        f"{type(o).__name__}: {str(o)[:160]}" for o in outcomes if isinstance(o, BaseException)
    )


def _series(summary: dict[str, Any], series: dict[str, list[float]]) -> dict[str, Any]:
    for name, values in series.items():
        ms = [v * 1000 for v in values]
        summary[name] = {
            "p50_ms": round(pct(ms, 0.5), 1),
            "p95_ms": round(pct(ms, 0.95), 1),
            "max_ms": round(max(ms), 1),
            "mean_ms": round(statistics.fmean(ms), 1),
        }
    return summary


async def burst(h: Harness, concurrency: int, rounds: int, loop: str) -> dict[str, Any]:
    """Load model 1: each round starts `concurrency` turns at the same instant."""
    direct: list[float] = []
    via_api: list[float] = []
    added: list[float] = []
    added_from_call: list[float] = []  # with the load generator's own queue (see api_load.py)
    errors: Counter[str] = Counter()
    cpu_s = {"direct": 0.0, "api": 0.0, "client": 0.0}  # per path; the client's own process
    for r in range(rounds * 2):
        cpu_start = time.process_time()
        if r % 2 == 0:
            outcomes = await asyncio.gather(
                *(h.direct(n) for n in range(concurrency)), return_exceptions=True
            )
            direct.extend(o for o in outcomes if isinstance(o, float))
            errors.update(_failures(outcomes))
            cpu_s["direct"] += time.process_time() - cpu_start
        else:
            answer = await h.via_api("burst", concurrency=concurrency)
            via_api.extend(answer["client"])
            added.extend(answer["added"])
            added_from_call.extend(answer["added_from_call"])
            errors.update(answer["failures"])
            cpu_s["api"] += time.process_time() - cpu_start
            cpu_s["client"] += answer["cpu_s"]
    turns = rounds * concurrency
    summary: dict[str, Any] = {
        "load_model": "burst",
        "turn_loop": loop,
        "concurrency": concurrency,
        "turns_per_path": len(direct),
        "failed_turns": sum(errors.values()),
        "failures": dict(errors.most_common(5)),
        "load_average_1m": round(os.getloadavg()[0], 1),
        # Load-independent: the server process's CPU per turn on each path, their difference
        # (the API's own CPU cost per turn) and the load generator's, in its own process.
        "cpu_ms_per_turn": {
            "direct": round(cpu_s["direct"] * 1000 / turns, 2),
            "api": round(cpu_s["api"] * 1000 / turns, 2),
            "api_added": round((cpu_s["api"] - cpu_s["direct"]) * 1000 / turns, 2),
            "client": round(cpu_s["client"] * 1000 / turns, 2),
        },
    }
    series = {"direct_ttft": direct, "api_ttft": via_api, "api_added": added}
    return _series(summary, {**series, "api_added_from_call": added_from_call})


async def staggered(
    h: Harness, concurrency: int, rounds: int, loop: str, think_s: float, seed: int
) -> dict[str, Any]:
    """Load model 2: `concurrency` customers, each sending `rounds` messages in one conversation,
    the next one an exponentially distributed think time (mean `think_s`) after the previous
    reply ended; the first messages arrive spread the same way. Through the API only."""
    cpu_start = time.process_time()
    answer = await h.via_api(
        "staggered", concurrency=concurrency, rounds=rounds, think_s=think_s, seed=seed
    )
    cpu, elapsed = time.process_time() - cpu_start, answer["elapsed_s"]
    turns = len(answer["added"])
    summary: dict[str, Any] = {
        "load_model": "staggered",
        "turn_loop": loop,
        "concurrency": concurrency,
        "think_s_mean": think_s,
        "turns": turns,
        "failed_turns": sum(answer["failures"].values()),
        "failures": dict(Counter(answer["failures"]).most_common(5)),
        "turns_per_s": round(turns / elapsed, 2),
        "load_average_1m": round(os.getloadavg()[0], 1),
        # The server process's CPU per turn (turn loop and API), and the share of one core it
        # kept busy: well under 1 means the offered load is one the loop can sustain.
        "cpu_ms_per_turn_api": round(cpu * 1000 / max(1, turns), 2),
        "cpu_busy_fraction": round(cpu / elapsed, 2),
        "cpu_ms_per_turn_client": round(answer["cpu_s"] * 1000 / max(1, turns), 2),
    }
    series = {"turn_loop_ttft": answer["turn"], "api_ttft": answer["client"]}
    added = {"api_added": answer["added"], "api_added_from_call": answer["added_from_call"]}
    return _series(summary, {**series, **added})


def _rss_mb(pid: int) -> float:
    return parse_rss_kb(Path(f"/proc/{pid}/status").read_text()) / 1024


def _server_pid(port: int) -> int:
    needle = f"--port\x00{port}\x00".encode()
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                if needle in (proc / "cmdline").read_bytes():
                    return int(proc.name)
            except OSError:
                continue
    raise RuntimeError("server process not found")


async def idle_streams(streams: int) -> dict[str, Any]:
    port = free_port()
    env = {
        "SWITCHBOARD_DATA_DIR": tempfile.mkdtemp(prefix="api-bench-sse-"),
        "SWITCHBOARD_TOKEN_SECRET": "b" * 40,
        "SWITCHBOARD_RATE_LIMIT_PER_MINUTE": "1000000",
        "SWITCHBOARD_RATE_LIMIT_IP_PER_MINUTE": "1000000",
    }
    factory = "tests.api.real_app:create_real_app"
    with subprocess_server(env, port=port, factory=factory, start_timeout_s=300) as base:
        pid = _server_pid(port)
        limits = httpx.Limits(max_connections=streams + 20, max_keepalive_connections=20)
        async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits) as client:
            token = (await client.post("/v1/demo/session", json={"msisdn": "+447700900001"})).json()
            headers = {"Authorization": f"Bearer {token['token']}"}
            await client.get("/healthz")
            rss_before = _rss_mb(pid)
            conversations = []
            for _ in range(streams):
                created = await client.post("/v1/conversations", headers=headers)
                conversations.append(created.json()["conversation_id"])
            rss_conversations = _rss_mb(pid)
            opened: list[Any] = []
            started = time.perf_counter()
            for cid in conversations:
                request = client.build_request(
                    "GET", f"/v1/conversations/{cid}/events", headers=headers
                )
                response = await client.send(request, stream=True)
                assert response.status_code == 200, response.status_code
                opened.append(response)
            open_s = time.perf_counter() - started
            await asyncio.sleep(2)
            rss_streams = _rss_mb(pid)
            probes = []
            for _ in range(20):
                t = time.perf_counter()
                await client.get("/healthz")
                probes.append((time.perf_counter() - t) * 1000)
            for response in opened:
                await response.aclose()
    per_stream_kb = (rss_streams - rss_conversations) * 1024 / streams
    return {
        "streams": streams,
        "rss_idle_mb": round(rss_before, 1),
        "rss_with_streams_mb": round(rss_streams, 1),
        "rss_per_stream_kb": round(per_stream_kb, 1),
        "open_all_s": round(open_s, 2),
        "healthz_p50_ms_while_held": round(pct(probes, 0.5), 1),
        "healthz_p95_ms_while_held": round(pct(probes, 0.95), 1),
    }


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--streams", type=int, default=1000)
    parser.add_argument(
        "--database-url",
        default="",
        help="e.g. postgresql+asyncpg://postgres@127.0.0.1/sb_api_bench; default a fresh SQLite",
    )
    parser.add_argument(
        "--turn-loop",
        choices=["real", "fake", "both"],
        default="both",
        help="real: the local engine; fake: an instant scripted loop (the API's own cost alone)",
    )
    parser.add_argument(
        "--load",
        choices=["burst", "staggered", "both"],
        default="both",
        help="burst: each round starts all turns at once; staggered: think-time arrivals",
    )
    parser.add_argument(
        "--think-s",
        type=float,
        default=15.0,
        help="staggered: mean think time between a reply and the next message (exponential)",
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--skip-ttft", action="store_true")
    parser.add_argument("--skip-streams", action="store_true")
    args = parser.parse_args()
    results: dict[str, Any] = {}
    if not args.skip_ttft:
        loops = ["fake", "real"] if args.turn_loop == "both" else [args.turn_loop]
        for loop in loops:
            async with served(args.concurrency, args.database_url, loop) as harness:
                if args.load in ("burst", "both"):
                    found = await burst(harness, args.concurrency, args.rounds, loop)
                    results[f"ttft_{loop}"] = found
                    print(json.dumps(found, indent=2))
                if args.load in ("staggered", "both"):
                    found = await staggered(
                        harness, args.concurrency, args.rounds, loop, args.think_s, args.seed
                    )
                    results[f"ttft_{loop}_staggered"] = found
                    print(json.dumps(found, indent=2))
    if not args.skip_streams:
        results["idle_streams"] = await idle_streams(args.streams)
        print(json.dumps(results["idle_streams"], indent=2))
    out = ROOT / "artifacts" / "bench"
    out.mkdir(parents=True, exist_ok=True)
    (out / "api_bench.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    uvloop.run(main())  # the loop `switchboard serve` runs on (uvicorn picks uvloop when installed)
