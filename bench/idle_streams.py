"""What idle SSE streams cost (bench/api_bench.py's second part): the app under uvicorn in a
subprocess (one worker), `streams` conversations each holding `GET /events` open; the worker's
RSS before and after, per stream, and /healthz latency while they are held."""

from __future__ import annotations

import asyncio
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from bench.measure import parse_rss_kb, pct
from tests.api.conftest import free_port
from tests.api.server import subprocess_server


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
