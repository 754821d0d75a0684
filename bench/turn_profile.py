"""Where a turn's CPU goes, by component (issue #23: profile first, and keep the profile).

    .venv/bin/python -m bench.turn_profile [--turns 40] [--top 12]

The real runtime (local engine, the BSS simulator in-process, the knowledge base with the fast
test embedder) behind the real app, called through its ASGI interface in this process (no
sockets: what is measured is the server's work). Each turn is a customer's knowledge question
through `POST /v1/conversations/{id}/messages`, read to its end, one after another. After a
warm-up, cProfile runs over `--turns` turns; every function's own time is charged to the
component its file belongs to (a C function to the component of its caller, in proportion), and
the process's CPU that the main thread's profile does not see (database driver and thread-pool
threads) is shown apart. The profiler's own overhead inflates everything by a similar factor, so
read the shares; `cpu_ms_per_turn_unprofiled` is the same turns' CPU without the profiler.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import pstats
import sys
import sysconfig
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from api.app import create_app  # noqa: E402
from api.auth import Identity  # noqa: E402
from bench.api_harness import CUSTOMERS, QUESTIONS, bench_settings  # noqa: E402
from bench.statements import StatementCounter  # noqa: E402
from tests.api.conftest import in_own_task  # noqa: E402
from tests.api.real_app import real_runtime  # noqa: E402

# (component, path fragments of the files charged to it), first match wins
COMPONENTS: list[tuple[str, tuple[str, ...]]] = [
    ("auth (JWT, session)", ("/api/auth.py", "/api/session.py", "/jwt/", "/cryptography/")),
    ("SSE streaming", ("/api/sse.py", "/sse_starlette/")),
    ("API routes and middleware", ("/api/",)),
    ("HTTP framework (FastAPI, Starlette, httpx)", ("/fastapi/", "/starlette/", "/httpx/")),
    (
        "conversation service and locks",
        ("/assistant/service/conversations.py", "/assistant/service/runner.py"),
    ),
    (
        "recorder and event log",
        ("/assistant/recorder.py", "/switchboard/db/eventlog.py", "/switchboard/bus.py"),
    ),
    ("local engine (the model)", ("/assistant/local/",)),
    ("turn loop (assistant)", ("/assistant/",)),
    ("agent graph (langgraph, langchain)", ("/langgraph/", "/langchain", "/langsmith/")),
    ("BSS simulator (another system in production)", ("/bss/",)),
    ("tools and TMF client", ("/tools/",)),
    ("retrieval (knowledge, Chroma, BM25)", ("/knowledge/", "/chromadb/", "/bm25s/")),
    ("embedding and numerics", ("/numpy/", "/scipy/", "/sklearn/", "/onnxruntime/")),
    ("SQLAlchemy and the database driver", ("/sqlalchemy/", "/aiosqlite/", "/asyncpg/")),
    ("pydantic validation", ("/pydantic/", "/pydantic_core/")),
    ("token counting (tiktoken)", ("/tiktoken/",)),
    ("event loop (asyncio, anyio)", ("/asyncio/", "/anyio/", "selectors.py")),
    ("logging and telemetry", ("/logging/", "/switchboard/telemetry.py", "/prometheus_client/")),
]


EXPLAIN: dict[str, float] | None = None  # --explain: own time of the "other Python" functions
STDLIB = str(Path(sysconfig.get_paths()["stdlib"]).resolve())


def component(filename: str) -> str | None:
    """The component a file belongs to; None for a C function or the standard library (charged
    to whoever called it)."""
    if filename == "~" or filename.startswith("<"):
        return None
    path = filename.replace("\\", "/")
    if path.startswith(STDLIB) and "site-packages" not in path:
        return None
    for name, fragments in COMPONENTS:
        if any(fragment in path for fragment in fragments):
            return name
    return "other Python"


def by_component(stats: pstats.Stats) -> dict[str, float]:
    """Seconds of own time per component. A C or standard-library function has no component of
    its own: its time goes to its callers' components in proportion to the time each caller
    spent in it, followed up through callers that have none either."""
    raw: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    share: dict[Any, dict[str, float]] = {}
    for key in raw:
        name = component(key[0])
        if name is not None:
            share[key] = {name: 1.0}
    unknown = [key for key in raw if key not in share]
    for _ in range(40):  # callers' shares settle within a few rounds; recursion is skipped
        changed = False
        for key in unknown:
            mix: dict[str, float] = defaultdict(float)
            for caller, timing in raw[key][4].items():
                if caller == key or caller not in share:
                    continue
                weight = timing[3] or timing[2]
                for name, part in share[caller].items():
                    mix[name] += weight * part
            total = sum(mix.values())
            if total > 0:
                new = {name: part / total for name, part in mix.items()}
                if share.get(key) != new:
                    share[key], changed = new, True
        if not changed:
            break
    table: dict[str, float] = defaultdict(float)
    for key, (_, _, own, _, _) in raw.items():
        if EXPLAIN is not None and share.get(key, {}).get("other Python"):
            EXPLAIN[f"{key[0]}:{key[2]}"] += own * share[key]["other Python"]
        for name, part in share.get(key, {"not attributed": 1.0}).items():
            table[name] += own * part
    return dict(table)


async def _turn(client: httpx.AsyncClient, token: str, text: str, n: int) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    created = await client.post("/v1/conversations", headers=headers)
    cid = created.json()["conversation_id"]
    body = {"text": text, "client_message_id": f"profile-{n}"}
    async with client.stream(
        "POST", f"/v1/conversations/{cid}/messages", json=body, headers=headers
    ) as response:
        assert response.status_code == 200, await response.aread()
        async for _ in response.aiter_bytes():
            pass


async def profile(turns: int) -> dict[str, Any]:
    settings = bench_settings(Path(tempfile.mkdtemp(prefix="turn-profile-")))
    async with in_own_task(real_runtime(settings)) as runtime:
        app = create_app(settings, runtime=runtime)
        async with in_own_task(app.router.lifespan_context(app)):
            identities = [Identity(c, m, s, True) for c, m, s in CUSTOMERS]  # type: ignore[arg-type]
            tokens = [app.state.api.codec.issue(i) for i in identities]
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:

                async def run(first: int, count: int) -> None:
                    for n in range(first, first + count):
                        token = tokens[n % len(tokens)]
                        await _turn(client, token, QUESTIONS[n % len(QUESTIONS)], n)

                await run(0, 8)  # warm-up: models, caches, connections
                cpu, wall = time.process_time(), time.perf_counter()
                await run(1000, turns)
                plain_cpu = time.process_time() - cpu
                plain_wall = time.perf_counter() - wall

                profiler = cProfile.Profile(time.thread_time)  # this thread's CPU, not waits
                cpu = time.process_time()
                with StatementCounter() as statements:  # its listeners' cost: profiled only
                    profiler.enable()
                    await run(2000, turns)
                    profiler.disable()
                profiled_cpu = time.process_time() - cpu
    stats = pstats.Stats(profiler)
    table = by_component(stats)
    seen = sum(table.values())
    table["other threads (database driver, thread pools)"] = max(0.0, profiled_cpu - seen)
    total = sum(table.values())
    rows = sorted(table.items(), key=lambda kv: -kv[1])
    return {
        "turns": turns,
        "cpu_ms_per_turn_unprofiled": round(1000 * plain_cpu / turns, 1),
        "wall_ms_per_turn_unprofiled": round(1000 * plain_wall / turns, 1),
        "cpu_ms_per_turn_profiled": round(1000 * profiled_cpu / turns, 1),
        "statements_per_turn": statements.per(turns),
        "components": [
            {
                "component": name,
                "ms_per_turn_profiled": round(1000 * seconds / turns, 2),
                "share": round(seconds / total, 3) if total else None,
            }
            for name, seconds in rows
        ],
    }


def markdown(result: dict[str, Any], top: int) -> str:
    lines = [
        f"{result['turns']} knowledge turns through the API in-process: "
        f"{result['cpu_ms_per_turn_unprofiled']} ms CPU and "
        f"{result['wall_ms_per_turn_unprofiled']} ms wall per turn without the profiler "
        f"({result['cpu_ms_per_turn_profiled']} ms CPU with it).",
        "",
        "| component | share of CPU | ms per turn (profiled) |",
        "|---|---:|---:|",
    ]
    for row in result["components"][:top]:
        share = f"{100 * row['share']:.1f}%" if row["share"] is not None else "n/a"
        lines.append(f"| {row['component']} | {share} | {row['ms_per_turn_profiled']} |")
    rest = result["components"][top:]
    if rest:
        share = sum(r["share"] or 0 for r in rest)
        ms = sum(r["ms_per_turn_profiled"] for r in rest)
        lines.append(f"| {len(rest)} others | {100 * share:.1f}% | {ms:.2f} |")
    lines += ["", "| database | commits and statements per turn |", "|---|---|"]
    for database, counts in result["statements_per_turn"].items():
        listed = ", ".join(f"{kind} {n:g}" for kind, n in counts.items())
        lines.append(f"| {database} | {listed} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--turns", type=int, default=40)
    parser.add_argument("--top", type=int, default=14)
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument("--explain", action="store_true", help="list 'other Python' functions")
    args = parser.parse_args()
    global EXPLAIN
    if args.explain:
        EXPLAIN = defaultdict(float)
    result = asyncio.run(profile(args.turns))
    print(json.dumps(result, indent=2) if args.json else markdown(result, args.top))
    for where, seconds in sorted((EXPLAIN or {}).items(), key=lambda kv: -kv[1])[:25]:
        print(f"{1000 * seconds / args.turns:8.2f} ms/turn  {where}")


if __name__ == "__main__":
    main()
