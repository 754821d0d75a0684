"""The scaled topology as local processes, for a machine without Docker (and for CI): PostgreSQL
and Redis as already running on the machine, a Chroma server, the BSS simulator standalone, two
API replicas, and a round-robin proxy in front of them — the same parts and settings as
deploy/compose.yaml.

    python deploy/topology.py up      # start everything, print the proxy's URL, Ctrl-C stops it
    python deploy/topology.py smoke   # start, run a conversation with a confirmed top-up, stop

Settings come from the environment like everywhere else; these are the ones the topology sets
for each replica (an operator sets the same in compose.yaml or their orchestrator)."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
POSTGRES = os.environ.get("TOPOLOGY_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
REDIS = os.environ.get("TOPOLOGY_REDIS", "redis://127.0.0.1:6379/7")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Topology:
    root: Path
    processes: list[tuple[str, subprocess.Popen[bytes]]] = field(default_factory=list)
    database: str = ""
    proxy_url: str = ""
    replicas: list[str] = field(default_factory=list)

    def start(self, name: str, argv: list[str], env: dict[str, str]) -> None:
        log = (self.root / f"{name}.log").open("wb")
        base = {k: v for k, v in os.environ.items() if not k.startswith("SWITCHBOARD_")}
        process = subprocess.Popen(argv, cwd=REPO, env={**base, **env}, stdout=log, stderr=log)
        self.processes.append((name, process))

    def stop(self) -> None:
        for _, process in reversed(self.processes):
            process.send_signal(signal.SIGTERM)
        for name, process in reversed(self.processes):
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                print(f"topology: {name} did not stop; killed", file=sys.stderr)
                process.kill()
                process.wait(timeout=5)

    def wait_ready(self, name: str, url: str, timeout_s: float = 180) -> None:
        deadline = time.monotonic() + timeout_s
        process = dict(self.processes)[name]
        while time.monotonic() < deadline:
            if process.poll() is not None:
                break
            try:
                if httpx.get(url, timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        tail = (self.root / f"{name}.log").read_text(errors="replace")[-3000:]
        raise RuntimeError(f"{name} did not become ready at {url}:\n{tail}")


def _admin(statement: str) -> None:
    import asyncpg

    async def run() -> None:
        connection = await asyncpg.connect(POSTGRES, timeout=5)
        try:
            await connection.execute(statement)
        finally:
            await connection.close()

    asyncio.run(run())


@contextmanager
def topology() -> Iterator[Topology]:
    """Every part up and ready; torn down (processes, database, files) on exit."""
    root = Path(tempfile.mkdtemp(prefix="switchboard-topology-"))
    top = Topology(root)
    top.database = f"sb_topology_{uuid.uuid4().hex[:10]}"
    _admin(f'CREATE DATABASE "{top.database}"')
    try:
        _start_all(top)
        yield top
    finally:
        top.stop()
        _admin(f'DROP DATABASE IF EXISTS "{top.database}" WITH (FORCE)')
        shutil.rmtree(root, ignore_errors=True)


def _start_all(top: Topology) -> None:
    chroma, bss, proxy = free_port(), free_port(), free_port()
    api_ports = [free_port(), free_port()]
    pg = POSTGRES.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://")
    top.start(
        "chroma",
        [str(BIN / "chroma"), "run", "--path", str(top.root / "chroma"), "--port", str(chroma)],
        {},
    )
    top.start(
        "bss",
        [str(BIN / "switchboard"), "bss", "serve", "--port", str(bss)],
        {"SWITCHBOARD_DATA_DIR": str(top.root / "bss")},
    )
    shared = {
        "SWITCHBOARD_MODE": "demo",  # the smoke test signs in as a demo customer
        "SWITCHBOARD_DATABASE_URL": f"{pg}/{top.database}",
        "SWITCHBOARD_REDIS_URL": REDIS,
        "SWITCHBOARD_CHROMA_URL": f"http://127.0.0.1:{chroma}",
        "SWITCHBOARD_BSS_URL": f"http://127.0.0.1:{bss}",
        "SWITCHBOARD_TOKEN_SECRET": secrets.token_urlsafe(48),  # the same on every replica
        "SWITCHBOARD_CONSOLE_TOKEN": secrets.token_urlsafe(48),
        "SWITCHBOARD_PUBLIC_BASE_URL": f"http://127.0.0.1:{proxy}",
        "SWITCHBOARD_TRUSTED_PROXIES": '["127.0.0.1"]',  # the proxy: believe its X-Forwarded-For
    }
    top.wait_ready("chroma", f"http://127.0.0.1:{chroma}/api/v2/heartbeat")
    top.wait_ready("bss", f"http://127.0.0.1:{bss}/ext/v1/outage")
    for i, port in enumerate(api_ports):
        name = f"api-{i + 1}"
        top.start(
            name,
            [str(BIN / "switchboard"), "serve", "--port", str(port)],
            {**shared, "SWITCHBOARD_DATA_DIR": str(top.root / name)},
        )
        top.wait_ready(name, f"http://127.0.0.1:{port}/readyz")  # one at a time: migrations
        top.replicas.append(f"http://127.0.0.1:{port}")
    top.start(
        "proxy",
        [sys.executable, str(REPO / "deploy" / "proxy.py"), str(proxy), *top.replicas],
        {},
    )
    top.wait_ready("proxy", f"http://127.0.0.1:{proxy}/healthz")
    top.proxy_url = f"http://127.0.0.1:{proxy}"


def _events(response: httpx.Response) -> list[tuple[str, dict[str, object]]]:
    events, name = [], "message"
    for line in response.text.splitlines():
        if line.startswith("event:"):
            name = line[6:].strip()
        elif line.startswith("data:"):
            events.append((name, json.loads(line[5:])))
    return events


def smoke(top: Topology) -> dict[str, object]:
    """A customer signs in, asks for a top-up and confirms it — each request through the proxy,
    which alternates replicas, so sign-in, quote and confirmation land on different ones."""
    with httpx.Client(base_url=top.proxy_url, timeout=60) as client:
        token = client.post("/v1/demo/session", json={"msisdn": "+447700900001"}).json()["token"]
        auth = {"Authorization": f"Bearer {token}"}
        conversation = client.post("/v1/conversations", headers=auth).json()["conversation_id"]

        def say(text: str) -> list[tuple[str, dict[str, object]]]:
            body = {"text": text, "client_message_id": str(uuid.uuid4())}
            url = f"/v1/conversations/{conversation}/messages"
            response = client.post(url, json=body, headers=auth)
            response.raise_for_status()
            return _events(response)

        quote = [d for n, d in say("top up 10 pounds") if n == "action.proposed"]
        if not quote:
            raise RuntimeError("no quote for 'top up 10 pounds'")
        done = [d for n, d in say("yes") if n == "action.executed"]
        if not done or done[0]["status"] != "ok":
            raise RuntimeError(f"the confirmed top-up did not execute: {done}")
        last = client.get(f"/v1/conversations/{conversation}", headers=auth).json()
        for replica in top.replicas:  # each replica replays the same shared log
            names = _replay(replica, conversation, auth, until=int(last["last_event_id"]))
            if names.count("action.executed") != 1 or names.count("action.proposed") != 1:
                raise RuntimeError(f"{replica} replays {names}: expected one quote, one top-up")
    return {"quote": quote[0]["summary"], "receipt": done[0]["receipt"]}


def _replay(base: str, conversation: str, auth: dict[str, str], *, until: int) -> list[str]:
    """The event names of a conversation's stream from the start up to event id `until`."""
    names: list[str] = []
    url = f"{base}/v1/conversations/{conversation}/events?after=0"
    with httpx.stream("GET", url, headers=auth, timeout=30) as response:
        for line in response.iter_lines():
            if line.startswith("event:"):
                names.append(line[6:].strip())
            elif line.startswith("id:") and int(line[3:]) >= until:
                break
    return names


def services_missing() -> str | None:
    """Why the machine's PostgreSQL or Redis cannot be used, or None."""
    try:
        _admin("SELECT 1")
    except Exception as exc:  # any failure to connect means "absent"
        return f"PostgreSQL not reachable at {POSTGRES}: {exc.__class__.__name__}"
    host, _, rest = REDIS.removeprefix("redis://").partition(":")
    try:
        socket.create_connection((host, int(rest.split("/")[0] or 6379)), timeout=2).close()
    except OSError as exc:
        return f"Redis not reachable at {REDIS}: {exc.__class__.__name__}"
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("command", choices=["up", "smoke"])
    command = parser.parse_args().command
    missing = services_missing()
    if missing and command == "smoke" and not os.environ.get("CI"):
        print(f"topology smoke skipped: {missing}")
        return
    if missing:
        raise SystemExit(f"topology: {missing}")
    started = time.monotonic()
    with topology() as top:
        print(f"topology up in {time.monotonic() - started:.0f} s: {top.proxy_url}", flush=True)
        print(f"  replicas {', '.join(top.replicas)}; logs in {top.root}", flush=True)
        if command == "smoke":
            result = smoke(top)
            print(f"smoke: ok in {time.monotonic() - started:.0f} s — {result['quote']}")
            return
        try:
            signal.pause()
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
