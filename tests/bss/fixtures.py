"""Fixtures shared by tests/bss and tests/tools/bss: the simulator in-process (with its
worker running, events routed to an in-process listener) or as a uvicorn subprocess on a
free 127.0.0.1 port, always behind the conformance-checking transport."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Request
from fastapi.responses import Response

from bss.app import create_bss_app
from bss.runtime import Simulator
from switchboard.settings import Settings
from tests.bss.conformance import ConformanceTransport, Report, specs_available
from tests.clock import clock_env
from tools.bss.client import BssClient

REPO = Path(__file__).resolve().parents[2]


@dataclass
class Listener:
    """A TMF listener: records every event; answers 500 to the first `fail_next` deliveries."""

    events: list[dict[str, Any]] = field(default_factory=list)
    attempts: int = 0
    fail_next: int = 0
    app: FastAPI = field(default_factory=FastAPI)

    def __post_init__(self) -> None:
        @self.app.post("/tmf/listener/{event_name}")
        async def receive(request: Request, event_name: str) -> Response:
            self.attempts += 1
            if self.fail_next > 0:
                self.fail_next -= 1
                return Response(status_code=500)
            event = json.loads(await request.body())
            event["_listener"] = event_name
            self.events.append(event)
            return Response(status_code=201)

    def of_type(self, event_type: str) -> list[dict[str, Any]]:
        return [e for e in self.events if e["eventType"] == event_type]


@pytest.fixture(scope="session")
def seeded_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo world seeded once per session; each test gets a copy (seeding takes ~1 s)."""
    path = tmp_path_factory.mktemp("bss-template") / "bss.db"

    async def seed() -> None:
        simulator = Simulator(database_url=f"sqlite+aiosqlite:///{path}", clock_speed=1e9)
        await simulator.ensure_ready()
        await simulator.close()

    asyncio.run(seed())
    return path


@pytest.fixture
def settings(settings: Settings, seeded_template: Path) -> Settings:
    """The shared settings, with the BSS database pre-seeded from the template."""
    target = Path(settings.resolved_bss_database_url.split("///", 1)[1])
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(seeded_template, target)
    return settings


@pytest.fixture
def listener() -> Listener:
    return Listener()


@pytest.fixture
def report() -> Iterator[Report]:
    """Conformance findings of this test; any problem fails the test."""
    found = Report()
    yield found
    assert not found.problems, "TMF conformance problems:\n" + "\n".join(found.problems[:20])


def _transport(inner: httpx.AsyncBaseTransport, report: Report) -> httpx.AsyncBaseTransport:
    return ConformanceTransport(inner, report) if specs_available() else inner


@pytest.fixture
async def bss_app(settings: Settings, listener: Listener) -> AsyncIterator[FastAPI]:
    app = create_bss_app(
        settings, listener_transport=httpx.ASGITransport(app=listener.app), event_retry_base_s=0.02
    )
    async with app.router.lifespan_context(app):
        yield app


@pytest.fixture
async def http(bss_app: FastAPI, report: Report) -> AsyncIterator[httpx.AsyncClient]:
    transport = _transport(httpx.ASGITransport(app=bss_app), report)
    async with httpx.AsyncClient(transport=transport, base_url="http://bss") as client:
        yield client


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def bss_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`python -m bss serve` on a free loopback port with an instant clock."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SWITCHBOARD_")}
    env.update(
        SWITCHBOARD_DATA_DIR=str(tmp_path_factory.mktemp("bss-server")),
        SWITCHBOARD_BSS_CLOCK_SPEED="1e9",
        **clock_env(),
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "bss", "serve", "--host", "127.0.0.1", "--port", str(port)],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120  # a loaded 2-core machine starts slowly
    while True:
        try:
            httpx.get(f"{url}/ext/v1/outage", timeout=1).raise_for_status()
            break
        except httpx.HTTPError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                raise RuntimeError(f"bss serve did not start: {proc.stderr.read()!r}") from None
            time.sleep(0.1)
    yield url
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=5)
    if proc.stderr is not None:
        proc.stderr.close()


@pytest.fixture(params=["asgi", pytest.param("socket", marks=pytest.mark.slow)])
async def bss(
    request: pytest.FixtureRequest, settings: Settings, listener: Listener, report: Report
) -> AsyncIterator[BssClient]:
    """The client against the in-process simulator, then against a real socket."""
    if request.param == "socket":
        base = request.getfixturevalue("bss_server")
        http = httpx.AsyncClient(
            transport=_transport(httpx.AsyncHTTPTransport(), report), base_url=base, timeout=10
        )
        reset = await http.post("/ext/v1/simulator/reset", timeout=60)
        reset.raise_for_status()
        async with BssClient(http, backoff_s=0.01) as client:
            yield client
        return
    app = create_bss_app(
        settings,
        listener_transport=httpx.ASGITransport(app=listener.app),
        event_retry_base_s=0.02,
    )
    async with app.router.lifespan_context(app):
        http = httpx.AsyncClient(
            transport=_transport(httpx.ASGITransport(app=app), report), base_url="http://bss"
        )
        async with BssClient(http, backoff_s=0.01) as client:
            yield client


@pytest.fixture
async def slow_http(
    settings: Settings, listener: Listener, report: Report
) -> AsyncIterator[httpx.AsyncClient]:
    """A simulator whose clock runs at real time: nothing moves unless the test advances it
    (`POST /ext/v1/simulator/advance`), so every intermediate state is observable."""
    app = create_bss_app(
        settings,
        clock_speed=1.0,
        listener_transport=httpx.ASGITransport(app=listener.app),
        event_retry_base_s=0.02,
    )
    async with app.router.lifespan_context(app):
        transport = _transport(httpx.ASGITransport(app=app), report)
        async with httpx.AsyncClient(transport=transport, base_url="http://bss") as client:
            yield client
