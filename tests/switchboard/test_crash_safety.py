"""A server killed with SIGKILL loses nothing it had committed."""

from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

pytestmark = pytest.mark.slow

ARTICLE = """---
id: kb-crash-test
title: Topping up
url: https://help.example/top-up
tags: [top-up]
locale: en
customer_type: all
capability: top_up
---
## Topping up
You can top up from £5 to £50 at a time with the card we hold for you.
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    def __init__(self, data_dir: Path, knowledge_dir: Path) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "SWITCHBOARD_DATA_DIR": str(data_dir),
            "SWITCHBOARD_KNOWLEDGE_DIR": str(knowledge_dir),
            "SWITCHBOARD_PORT": str(self.port),
            "SWITCHBOARD_BSS_CLOCK_SPEED": "1",
        }
        self.log = data_dir.parent / f"server-{self.port}.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-c", "from cli.main import main; main()", "serve"],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log.read_text()[-3000:]
            try:
                if httpx.get(f"{self.url}/readyz", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        raise AssertionError(f"server not ready: {self.log.read_text()[-3000:]}")

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    knowledge = tmp_path / "articles"
    knowledge.mkdir()
    (knowledge / "kb-crash-test.md").write_text(ARTICLE)
    running = Server(tmp_path / "var", knowledge)
    try:
        yield running
    finally:
        running.stop()


def _turn(client: httpx.Client, conversation_id: str, text: str) -> list[dict[str, Any]]:
    """Send a message and read its SSE stream to the end."""
    events: list[dict[str, Any]] = []
    body = {"text": text, "client_message_id": str(uuid.uuid4())}
    with client.stream("POST", f"/v1/conversations/{conversation_id}/messages", json=body) as r:
        assert r.status_code == 200, r.read()
        current: dict[str, Any] = {}
        for line in r.iter_lines():
            if line.startswith(("event:", "id:", "data:")):
                key, _, value = line.partition(":")
                current[key] = value.strip()
            elif not line and current:
                events.append({**current, "data": json.loads(current.get("data", "{}"))})
                current = {}
    return events


def test_a_killed_server_restarts_with_every_committed_row(server: Server) -> None:
    server.start()
    with httpx.Client(base_url=server.url, timeout=60) as client:
        token = client.post("/v1/demo/session", json={"msisdn": "+447700900001"}).json()["token"]
        client.headers["Authorization"] = f"Bearer {token}"
        conversation_id = client.post("/v1/conversations").json()["conversation_id"]
        _turn(client, conversation_id, "how much credit do I have")
        proposed = _turn(client, conversation_id, "top up £10 please")
        assert any(e["event"] == "action.proposed" for e in proposed)
        executed = _turn(client, conversation_id, "yes")
        assert any(
            e["event"] == "action.executed" and e["data"]["status"] == "ok" for e in executed
        )
        before = client.get(f"/v1/conversations/{conversation_id}").json()

    server.kill()
    database = server.env["SWITCHBOARD_DATA_DIR"] + "/switchboard.db"
    with sqlite3.connect(database) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        seqs = [
            row[0]
            for row in connection.execute(
                "SELECT seq FROM events WHERE conversation_id = ? ORDER BY seq", (conversation_id,)
            )
        ]
        executed_actions = connection.execute(
            "SELECT count(*) FROM pending_actions WHERE status = 'succeeded'"
        ).fetchone()[0]
    assert seqs == list(range(1, len(seqs) + 1))
    assert executed_actions == 1

    server.start()
    with httpx.Client(base_url=server.url, timeout=60) as client:
        token = client.post("/v1/demo/session", json={"msisdn": "+447700900001"}).json()["token"]
        client.headers["Authorization"] = f"Bearer {token}"
        after = client.get(f"/v1/conversations/{conversation_id}").json()
        assert after == before
        with client.stream(
            "GET",
            f"/v1/conversations/{conversation_id}/events",
            params={"after": 0},
            headers={"Accept": "text/event-stream"},
            timeout=5,
        ) as stream:
            ids: list[int] = []
            try:
                for line in stream.iter_lines():
                    if line.startswith("id:"):
                        ids.append(int(line[3:].strip()))
                        if len(ids) == len(seqs):
                            break
            except httpx.ReadTimeout:
                pass
        assert ids == seqs
        balance = _turn(client, conversation_id, "how much credit do I have")
        reply = next(e for e in balance if e["event"] == "turn.completed")["data"]["text"]
        assert "£17.50" in reply
