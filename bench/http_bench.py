"""Knowledge turns over HTTP against `switchboard serve`, as a user would run it (issue #23 part 5).

    .venv/bin/python -m bench.http_bench [--quick] [--levels 1,8,32,128] [--out docs/bench]

Each configuration starts the real server (`switchboard serve`, the local engine and the local
embedding model, SQLite under a fresh data directory unless PostgreSQL is configured) in a
process of its own, signs in two demo customers, and drives it from the API bench's load
generator (bench/api_load.py, another process): at each concurrency level N, N customers each
open a conversation and send their questions one after another, the next as soon as the reply
ends. Per level: turns/s (turns over the level's wall time, conversation creation included),
latency of a turn (request on the wire to the stream's end) and time to first token at
p50/p95/p99, failed turns, the server's CPU per turn (its whole process tree's CPU counters in
/proc: conversation + message + stream, the same scope as the issue's 107 ms) and its RSS.

Configurations: one process and `--workers 2`, on SQLite; the same on PostgreSQL
(127.0.0.1:5432, database `test`) + Redis (127.0.0.1:6379) when both answer (skipped, and said
so, when not). Then the LLM path: `SWITCHBOARD_LLM=openai:...` against bench/fake_llm.py (fixed
time to first token and token rate) with `--llm-conversations` customers at once; the
assistant's added TTFT is the client's TTFT minus the fake's configured one.

Writes `<out>/http_bench.json` and `<out>/http_bench.png`. Everything shares the machine's
cores with the load generator (and, here, with other people's work): the JSON records the load
average before and after each level.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.api_harness import CUSTOMERS, QUESTIONS, LoadProcess, load_process  # noqa: E402
from bench.measure import latency_summary, tree, tree_cpu_s, tree_rss_mb  # noqa: E402
from tests.api.conftest import free_port  # noqa: E402
from tests.api.server import wait_healthy  # noqa: E402

POSTGRES = ("127.0.0.1", 5432)
REDIS = ("127.0.0.1", 6379)


def reachable(address: tuple[str, int]) -> bool:
    try:
        with socket.create_connection(address, timeout=1):
            return True
    except OSError:
        return False


def server_env(data_dir: Path, extra: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SWITCHBOARD_")}
    env.update(
        SWITCHBOARD_DATA_DIR=str(data_dir),
        SWITCHBOARD_TOKEN_SECRET="b" * 40,
        SWITCHBOARD_LOG_LEVEL="WARNING",
        SWITCHBOARD_RATE_LIMIT_PER_MINUTE="1000000",
        SWITCHBOARD_RATE_LIMIT_IP_PER_MINUTE="1000000",
        **extra,
    )
    return env


@contextmanager
def process(argv: list[str], env: dict[str, str], health: str, timeout_s: float) -> Iterator[int]:
    """`argv` as a subprocess until the block ends; waits for `health` to answer 200."""
    started = subprocess.Popen(argv, env=env, cwd=ROOT)
    try:
        wait_healthy(health, alive=lambda: started.poll() is None, timeout_s=timeout_s)
        yield started.pid
    finally:
        started.terminate()
        try:
            started.wait(15)
        except subprocess.TimeoutExpired:
            started.kill()
            started.wait()


async def sign_in(base: str) -> list[str]:
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        tokens = []
        for _, msisdn, _ in CUSTOMERS:
            answer = await client.post("/v1/demo/session", json={"msisdn": msisdn})
            answer.raise_for_status()
            tokens.append(str(answer.json()["token"]))
        return tokens


async def level(
    load: LoadProcess, tokens: list[str], pid: int, n: int, rounds: int
) -> dict[str, Any]:
    """`n` customers, `rounds` questions each, back to back; the server tree's CPU and RSS."""
    load_before, cpu_before = os.getloadavg()[0], tree_cpu_s(pid)
    answer = await load.run(
        {
            "op": "staggered",
            "tokens": tokens,
            "questions": QUESTIONS,
            "concurrency": n,
            "rounds": rounds,
            "think_s": 0,
            "seed": n,
        }
    )
    cpu = tree_cpu_s(pid) - cpu_before
    rows, failed = answer["ttft"], sum(answer["failures"].values())
    turns = len(rows)
    return {
        "concurrency": n,
        "turns": turns,
        "failed_turns": failed,
        "failures": answer["failures"],
        "turns_per_s": round(turns / answer["elapsed_s"], 2),
        "latency": latency_summary([ended - sent for _, _, _, sent, ended in rows]),
        "ttft": latency_summary([ttft for _, ttft, *_ in rows]),
        "server_cpu_ms_per_turn": round(1000 * cpu / max(1, turns), 1),
        "server_rss_mb": round(tree_rss_mb(pid), 1),
        "server_processes": len(tree(pid)),
        "load_average_1m": [round(load_before, 2), round(os.getloadavg()[0], 2)],
    }


@asynccontextmanager
async def serving(
    workers: int, extra: dict[str, str], data_dir: Path
) -> AsyncIterator[tuple[int, str, list[str], LoadProcess]]:
    port = free_port()
    switchboard = str(Path(sys.executable).parent / "switchboard")
    env = server_env(data_dir, extra)
    # Migrate first, as an operator does before scaling out: two workers starting on an empty
    # PostgreSQL database both run the migrations at start-up and race to create alembic_version.
    migrate = await asyncio.create_subprocess_exec(switchboard, "db", "upgrade", env=env, cwd=ROOT)
    if await migrate.wait() != 0:
        raise RuntimeError("switchboard db upgrade failed")
    argv = [switchboard, "serve", "--port", str(port), "--workers", str(workers)]
    base = f"http://127.0.0.1:{port}"
    with process(argv, env, base, timeout_s=300) as pid:
        tokens = await sign_in(base)
        async with load_process(base) as load:
            # warm-up: every worker's models, caches and connections
            await load.run({"op": "burst", "tokens": tokens, "questions": QUESTIONS,
                            "concurrency": 4 * workers})  # fmt: skip
            yield pid, base, tokens, load


async def local_config(
    name: str, workers: int, extra: dict[str, str], levels: list[int], turns: int, data_dir: Path
) -> dict[str, Any]:
    async with serving(workers, extra, data_dir) as (pid, _, tokens, load):
        rss_idle = round(tree_rss_mb(pid), 1)
        results = []
        for n in levels:
            found = await level(load, tokens, pid, n, rounds=max(1, -(-turns // n)))
            print(json.dumps({"config": name, **found}), flush=True)
            results.append(found)
    return {"workers": workers, "rss_idle_mb": rss_idle, "levels": results}


async def postgres_redis_env(tag: str) -> dict[str, str] | None:
    """A database of its own in the local PostgreSQL (dropped first if a run left it), and Redis;
    None when either is not reachable."""
    if not (reachable(POSTGRES) and reachable(REDIS)):
        return None
    import asyncpg

    database = f"sb_http_bench_{tag}"
    connection = await asyncpg.connect("postgresql://postgres@127.0.0.1:5432/test")
    try:
        await connection.execute(f"DROP DATABASE IF EXISTS {database}")
        await connection.execute(f"CREATE DATABASE {database}")
    finally:
        await connection.close()
    return {
        "SWITCHBOARD_DATABASE_URL": f"postgresql+asyncpg://postgres@127.0.0.1:5432/{database}",
        "SWITCHBOARD_REDIS_URL": "redis://127.0.0.1:6379/0",
    }


async def llm_path(
    conversations: int, rounds: int, ttft_ms: float, rate: float, data_dir: Path
) -> dict[str, Any]:
    fake_port = free_port()
    fake_argv = [sys.executable, "-m", "bench.fake_llm", "--port", str(fake_port),
                 "--ttft-ms", str(ttft_ms), "--tokens-per-s", str(rate)]  # fmt: skip
    fake = f"http://127.0.0.1:{fake_port}"
    with process(fake_argv, dict(os.environ), fake, timeout_s=60):
        extra = {
            "SWITCHBOARD_LLM": "openai:gpt-4.1-mini",
            "SWITCHBOARD_LLM_BASE_URL": f"{fake}/v1",
            "SWITCHBOARD_LLM_API_KEY": "bench",
        }
        async with serving(1, extra, data_dir) as (pid, _, tokens, load), httpx.AsyncClient() as c:
            calls_before = (await c.get(f"{fake}/stats")).json()["completions"]
            found = await level(load, tokens, pid, conversations, rounds)
            calls = (await c.get(f"{fake}/stats")).json()["completions"] - calls_before
    # every percentile of (client TTFT - the fake's) is the client's percentile minus a constant
    added = {k: round(v - ttft_ms, 1) for k, v in found["ttft"].items() if v is not None}
    return {
        **found,
        "fake_ttft_ms": ttft_ms,
        "fake_tokens_per_s": rate,
        "model_calls_per_turn": round(calls / max(1, found["turns"]), 2),
        "added_ttft": added or None,
    }


def plot(results: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (rate, p95) = plt.subplots(1, 2, figsize=(11, 4.2))
    for name, config in results["configs"].items():
        if not config.get("levels"):
            continue
        xs = [row["concurrency"] for row in config["levels"]]
        rate.plot(xs, [row["turns_per_s"] for row in config["levels"]], marker="o", label=name)
        p95.plot(xs, [row["latency"]["p95_ms"] for row in config["levels"]], marker="o", label=name)
    levels = sorted({r["concurrency"] for c in results["configs"].values() for r in c["levels"]})
    for axis, title in ((rate, "knowledge turns/s"), (p95, "turn latency p95 (ms)")):
        axis.set_xscale("log", base=2)
        axis.set_xticks(levels, [str(n) for n in levels])
        axis.set_xlabel("concurrent customers")
        axis.set_title(title)
        axis.grid(alpha=0.3)
    rate.set_ylim(bottom=0)
    p95.set_yscale("log")
    rate.legend(fontsize=8)
    llm = results.get("llm_path") or {}
    note = f"{results['mode']} run, {results['started']}, {results['cpu_count']} cores, "
    note += f"load average at start {results['load_average_start']}"
    if added := llm.get("added_ttft"):
        note += f"; LLM path: added TTFT p50/p95 {added['p50_ms']}/{added['p95_ms']} ms"
    fig.suptitle(note, fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


async def run(args: argparse.Namespace) -> dict[str, Any]:
    began = time.monotonic()
    levels = [int(n) for n in args.levels.split(",")]
    turns = args.turns or (16 if args.quick else 128)
    results: dict[str, Any] = {
        "mode": "quick" if args.quick else "full",
        "started": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "cpu_count": os.cpu_count(),
        "load_average_start": round(os.getloadavg()[0], 2),
        "turns_per_level": f"max(level, {turns}) (each customer sends ceil({turns}/level))",
        "configs": {},
        "skipped": [],
    }
    plan: list[tuple[str, int, dict[str, str] | None]] = [
        ("sqlite, 1 process", 1, {}),
        ("sqlite, --workers 2", 2, {}),
    ]
    if args.postgres:
        for workers in (1, 2):
            env = await postgres_redis_env(f"w{workers}")
            if env is None:
                results["skipped"].append("PostgreSQL + Redis: not reachable on 127.0.0.1")
                print(
                    "skipped: PostgreSQL (127.0.0.1:5432) or Redis (127.0.0.1:6379) not reachable"
                )
                break
            label = "1 process" if workers == 1 else "--workers 2"
            plan.append((f"postgres+redis, {label}", workers, env))
    # one data directory: the knowledge base is indexed by the first server only (~15 s)
    data_dir = Path(tempfile.mkdtemp(prefix="http-bench-"))
    for name, workers, extra in plan:
        tag = name.replace(" ", "").replace(",", "-").replace("+", "")
        found = await local_config(tag, workers, extra or {}, levels, turns, data_dir)
        results["configs"][name] = found
    if args.llm_conversations:
        rounds = 1 if args.quick else 3
        results["llm_path"] = await llm_path(
            args.llm_conversations, rounds, args.fake_ttft_ms, args.fake_tokens_per_s, data_dir
        )
        print(json.dumps({"config": "llm path", **results["llm_path"]}), flush=True)
    results["load_average_end"] = round(os.getloadavg()[0], 2)
    results["elapsed_s"] = round(time.monotonic() - began, 1)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer turns per level (~3 min)")
    parser.add_argument("--levels", default="1,8,32,128", help="concurrent customers")
    parser.add_argument("--turns", type=int, default=0, help="turns per level (default 16/128)")
    parser.add_argument("--no-postgres", dest="postgres", action="store_false")
    parser.add_argument("--llm-conversations", type=int, default=100, help="0 skips the LLM path")
    parser.add_argument("--fake-ttft-ms", type=float, default=300)
    parser.add_argument("--fake-tokens-per-s", type=float, default=50)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "bench")
    args = parser.parse_args()
    results = asyncio.run(run(args))
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "http_bench.json").write_text(json.dumps(results, indent=2) + "\n")
    plot(results, args.out / "http_bench.png")
    print(f"wrote {args.out / 'http_bench.json'} and {args.out / 'http_bench.png'}")


if __name__ == "__main__":
    main()
