"""kill -9 of `switchboard worker` at random points between a notice's state change and its
send, at least 20 times, on PostgreSQL: afterwards every notice was delivered exactly once —
one notification in its conversation, one outbox row, one message at the provider.

The provider double (a loopback HTTP server, like Twilio's Messages API) takes a message only when
its whole request arrived, answers after a random delay and dedupes on the `Idempotency-Key` the
SMS sender sends (the outbox row's key): a worker
killed after the provider accepted a message but before it recorded `sent` sends it again after
the lease, and that resend must not become a second message (ADR 0040). Kill points: half right
after the provider accepted a message (0-10 ms later), half at a random moment of the run
(0-300 ms after it first sent). The seed is printed (`SWITCHBOARD_KILL_SEED` to vary it)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest
from sqlalchemy import func, select

from api.notices.audience import Target
from api.notices.publish import publish
from switchboard import clock
from switchboard.db import make_engine, make_sessionmaker
from switchboard.db.migrate import upgrade_async
from switchboard.db.models import Event, Notice, OutboxMessage
from switchboard.settings import load_settings
from tests.api.server import ROOT
from tests.clock import clock_env
from tests.conftest import _postgres_database

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.timeout(1200)]
KILLS = 20
BATCH = 4  # notices published before each worker start
SEED = int(os.environ.get("SWITCHBOARD_KILL_SEED", "1919"))
SID = "AC" + "b" * 32


@dataclass
class Provider:
    """Twilio's Messages API, as far as the sender uses it, deduping on Idempotency-Key."""

    rng: random.Random
    accepted: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    requests: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    new: threading.Event = field(default_factory=threading.Event)

    def handler(self) -> type[BaseHTTPRequestHandler]:
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                raw = self.rfile.read(length)
                if len(raw) < length:  # the sender died mid-request: nothing was sent
                    return
                body = raw.decode()
                key = self.headers.get("Idempotency-Key", "")
                time.sleep(provider.rng.uniform(0.01, 0.05))  # the provider takes its time
                with provider.lock:
                    provider.requests.append(key)
                    fresh = key not in provider.accepted
                    if fresh:
                        provider.accepted[key] = parse_qs(body)
                        provider.new.set()
                answer = b'{"sid": "SM%032d", "status": "queued"}' % len(provider.accepted)
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # killed
                    self.send_response(201)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(answer)))
                    self.end_headers()
                    self.wfile.write(answer)

            def log_message(self, *_args: Any) -> None:
                return

        return Handler


@pytest.fixture
def pg_url() -> Iterator[str]:
    yield from _postgres_database()


def _worker_env(database_url: str, provider_url: str, data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SWITCHBOARD_")}
    env.update(
        SWITCHBOARD_DATA_DIR=str(data_dir),
        SWITCHBOARD_DATABASE_URL=database_url,
        SWITCHBOARD_TWILIO_ACCOUNT_SID=SID,
        SWITCHBOARD_TWILIO_AUTH_TOKEN="t" * 32,
        SWITCHBOARD_TWILIO_FROM_NUMBER="+447700900500",
        SWITCHBOARD_TWILIO_API_URL=provider_url,
        SWITCHBOARD_OUTBOX_LEASE_S="1",
        SWITCHBOARD_NOTICE_POLL_S="0.05",
        SWITCHBOARD_NOTICE_QUIET_HOURS="",
        SWITCHBOARD_LOG_LEVEL="WARNING",
        # a BSS that does not answer: write-back waits (and is not what this test is about),
        # and the worker starts without opening the simulator
        SWITCHBOARD_BSS_URL="http://127.0.0.1:9",
        **clock_env(),  # its world clock continues this process's
    )
    return env


class Launcher:
    """Fresh worker processes forked from one launcher that has done the imports."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.log = log
        self._err = log.open("w")  # the workers' own logs, shown when one misbehaves
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.api.forking_worker"],
            cwd=ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._err,
            text=True,
        )
        self.pids: list[int] = []

    def start(self) -> int:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write("worker\n")
        self.process.stdin.flush()
        pid = int(self.process.stdout.readline())
        self.pids.append(pid)
        return pid

    def close(self) -> None:
        for pid in self.pids:  # none outlives the test, whatever failed
            _kill(pid, signal.SIGKILL)
        self.process.terminate()
        self.process.wait(10)
        for pipe in (self.process.stdin, self.process.stdout):
            if pipe is not None:
                pipe.close()
        self._err.close()

    def tail(self) -> str:
        return "\n".join(self.log.read_text().splitlines()[-30:])


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _kill(pid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, sig)


def _real_worker(env: dict[str, str]) -> subprocess.Popen[bytes]:
    """The real command (`switchboard worker`), for the last run and its SIGTERM."""
    return subprocess.Popen(
        [sys.executable, "-c", "from cli.main import main; main()", "worker"],
        cwd=ROOT,
        env={**env, **clock_env()},
        stdin=subprocess.DEVNULL,
    )


async def _publish(sessionmaker: Any, settings: Any, first: int, count: int) -> None:
    targets = [
        Target(f"cust-k{n:03d}", "sms", f"+447700900{600 + n:03d}")
        for n in range(first, first + count)
    ]
    for target in targets:  # one outage each: every notice its own key and conversation
        await publish(
            sessionmaker,
            [target],
            kind="outage",
            ref=f"OUT-K{target.customer_id[-3:]}",
            key=f"outage:kill:{target.customer_id}",
            text=f"Outage notice for {target.customer_id}: no data at your postcode.",
            settings=settings,
        )


async def _counts(sessionmaker: Any) -> tuple[Counter[str], Counter[str]]:
    async with sessionmaker() as session:
        notices = Counter(await session.scalars(select(Notice.status)))
        outbox = Counter(await session.scalars(select(OutboxMessage.status)))
    return notices, outbox


def test_kill_9_of_the_worker_never_loses_or_repeats_a_notice(pg_url: str, tmp_path: Path) -> None:
    rng = random.Random(SEED)
    print(f"\nkill seed {SEED}")
    provider = Provider(random.Random(SEED + 1))
    server = ThreadingHTTPServer(("127.0.0.1", 0), provider.handler())
    threading.Thread(target=server.serve_forever, daemon=True).start()
    env = _worker_env(pg_url, f"http://127.0.0.1:{server.server_address[1]}", tmp_path / "w")
    settings = load_settings(data_dir=tmp_path / "t", database_url=pg_url, notice_quiet_hours="")

    async def scenario() -> None:
        await upgrade_async(pg_url)
        engine = make_engine(pg_url)
        sessionmaker = make_sessionmaker(engine)
        published = 0
        points: Counter[str] = Counter()
        try:
            for kill in range(KILLS + 2):
                await _publish(sessionmaker, settings, published, BATCH)
                published += BATCH
                provider.new.clear()
                pid = launcher.start()
                accepted = await asyncio.to_thread(provider.new.wait, 180)
                assert accepted, (
                    f"worker {pid} (alive: {_alive(pid)}) sent nothing within 180 s; "
                    f"its log:\n{launcher.tail()}"
                )
                if kill % 2 == 0:  # right after the provider took a message
                    provider.new.clear()
                    await asyncio.to_thread(provider.new.wait, 10)
                    await asyncio.sleep(rng.uniform(0, 0.01))
                    point = "after_accept"
                else:
                    await asyncio.sleep(rng.uniform(0, 0.3))
                    point = "random"
                alive = _alive(pid)
                _kill(pid, signal.SIGKILL)
                points[point] += alive
                notices, outbox = await _counts(sessionmaker)
                print(
                    f"kill {kill + 1:2d} ({point}): notices {dict(notices)} outbox {dict(outbox)}"
                )
            assert sum(points.values()) >= KILLS, points  # killed while running, not after

            worker = _real_worker(env)  # runs until everything is delivered
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                notices, outbox = await _counts(sessionmaker)
                if notices == Counter(sent=published) and outbox == Counter(sent=published):
                    break
                await asyncio.sleep(0.2)
            worker.send_signal(signal.SIGTERM)
            assert worker.wait(30) == 0, "the worker did not stop cleanly on SIGTERM"

            assert await _counts(sessionmaker) == (
                Counter(sent=published),
                Counter(sent=published),
            )
            async with sessionmaker() as session:
                rows = list(await session.scalars(select(Notice)))
                for notice in rows:
                    events = await session.scalar(
                        select(func.count())
                        .select_from(Event)
                        .where(
                            Event.conversation_id == notice.conversation_id,
                            Event.type == "notification",
                        )
                    )
                    assert events == 1, notice.id
                keys = {f"notice:{n.id}:0": n for n in rows}
            # every notice reached the provider as exactly one message, with its own text
            assert set(provider.accepted) == set(keys)
            for key, form in provider.accepted.items():
                assert form["Body"] == [keys[key].text] and form["To"] == [keys[key].recipient]
            resent = len(provider.requests) - len(provider.accepted)
            print(
                f"{published} notices, {sum(points.values())} kills {dict(points)}, "
                f"{len(provider.requests)} provider requests ({resent} resends deduped)"
            )
        finally:
            await engine.dispose()

    launcher = Launcher(env, tmp_path / "workers.log")
    try:
        with clock.use_clock(clock.now()):
            asyncio.run(scenario())
    finally:
        launcher.close()
        server.shutdown()
        server.server_close()
