"""kill -9 at random points while customers confirm top-ups (by typing "yes" and with the
widget's button), on a real server process over the built-in BSS simulator. After restarts
(each runs the recovery sweep at start-up) every confirmed action has ended `succeeded` with
exactly one BSS top-up and exactly one receipt in its conversation, or `failed` with neither.

The kill points are drawn from a seeded generator (`SWITCHBOARD_KILL_SEED` to vary it); the
test prints the seed, each point and what it came to."""

from __future__ import annotations

import contextlib
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.api.conftest import free_port, parse_frames
from tests.api.server import ROOT, wait_healthy

pytestmark = pytest.mark.slow
KILLS = 20
CALIBRATION = "+447700900001"  # whose top-ups measure the confirmation time (not killed)
LEDGER = "SELECT topup_id FROM bss_topup_ledger"
SEED = int(os.environ.get("SWITCHBOARD_KILL_SEED", "1612"))


class Launcher:
    """Fresh server processes forked from one launcher that has done the imports."""

    def __init__(self, env: dict[str, str]) -> None:
        full_env = {k: v for k, v in os.environ.items() if not k.startswith("SWITCHBOARD_")}
        full_env.update(env)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.api.forking_server"],
            cwd=ROOT,
            env=full_env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    @contextmanager
    def server(self) -> Iterator[tuple[str, int]]:
        """A started server's base URL and pid; killed (SIGKILL) on exit if still alive."""
        port = free_port()
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(f"{port}\n")
        self.process.stdin.flush()
        pid = int(self.process.stdout.readline())
        base = f"http://127.0.0.1:{port}"
        try:
            wait_healthy(base, alive=lambda: _alive(pid), timeout_s=60)
            yield base, pid
        finally:
            kill(pid)

    def close(self) -> None:
        self.process.terminate()
        self.process.wait(10)
        for pipe in (self.process.stdin, self.process.stdout):
            if pipe is not None:
                pipe.close()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def kill(pid: int) -> None:
    """SIGKILL, then wait until the process is gone (the launcher reaps it)."""
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.01)


def _quote(client: httpx.Client, msisdn: str) -> tuple[str, str]:
    token = client.post("/v1/demo/session", json={"msisdn": msisdn}).json()["token"]
    client.cookies.clear()
    client.headers["Authorization"] = f"Bearer {token}"
    cid = client.post("/v1/conversations").json()["conversation_id"]
    quote = client.post(
        f"/v1/conversations/{cid}/messages", json={"text": "top up £5", "client_message_id": "q"}
    )
    proposed = next(f for f in parse_frames(quote.text) if f.event == "action.proposed")
    return cid, str(proposed.data["action_id"])


def _calibrate(client: httpx.Client, base: str) -> dict[str, float]:
    """How long a confirmation takes here, by each route: kill points are drawn within it."""
    took: dict[str, float] = {}
    for how in ("text", "button"):
        cid, aid = _quote(client, CALIBRATION)
        started = time.monotonic()
        _confirm_in_background(base, dict(client.headers), cid, how, aid).join()
        took[how] = time.monotonic() - started
    print(f"a confirmation takes {took}")
    return took


def _confirm_in_background(base: str, headers: dict[str, str], cid: str, how: str, aid: str):  # type: ignore[no-untyped-def]
    def run() -> None:
        with httpx.Client(base_url=base, headers=headers, timeout=30) as client:
            try:
                if how == "text":
                    client.post(
                        f"/v1/conversations/{cid}/messages",
                        json={"text": "yes", "client_message_id": "y"},
                    )
                else:
                    client.post(f"/v1/conversations/{cid}/actions/{aid}/confirm")
            except httpx.TransportError:
                pass  # the server was killed under it

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def _rows(db: Path, sql: str, *args: Any) -> list[tuple[Any, ...]]:
    with sqlite3.connect(db) as conn:
        return list(conn.execute(sql, args))


def test_kill_9_during_confirmed_top_ups_leaves_no_stranded_money(tmp_path: Path) -> None:
    rng = random.Random(SEED)
    env = {
        "SWITCHBOARD_DATA_DIR": str(tmp_path / "var"),
        "SWITCHBOARD_TOKEN_SECRET": "k" * 40,
        "SWITCHBOARD_RATE_LIMIT_PER_MINUTE": "100000",
        "SWITCHBOARD_RATE_LIMIT_IP_PER_MINUTE": "100000",
        "SWITCHBOARD_BSS_CLOCK_SPEED": "1000000000",
        "SWITCHBOARD_ACTION_RECOVERY_AFTER_S": "0",
        "SWITCHBOARD_ACTION_RECOVERY_INTERVAL_S": "0.5",
    }
    points: list[tuple[str, str, float]] = []
    launcher = Launcher(env)
    try:
        seeded = _rounds(launcher, rng, points, tmp_path)
    finally:
        launcher.close()
    _check(points, tmp_path, seeded)


def _rounds(
    launcher: Launcher, rng: random.Random, points: list[tuple[str, str, float]], tmp_path: Path
) -> set[str]:
    """Quote and confirm a top-up, kill the server at a random point, restart: `KILLS` times.
    Returns the top-ups the demo world was seeded with (not ours)."""
    seeded: set[str] = set()
    for i in range(KILLS):
        with launcher.server() as (base, pid), httpx.Client(base_url=base, timeout=30) as client:
            if i == 0:
                seeded = {row[0] for row in _rows(tmp_path / "var" / "bss.db", LEDGER)}
                took = _calibrate(client, base)
            prepaid = [
                c["msisdn"]
                for c in client.get("/v1/demo/customers").json()
                if c["segment"] == "prepaid"
            ]
            cid, aid = _quote(client, prepaid[i % len(prepaid)])
            how = "text" if i % 2 == 0 else "button"
            delay = rng.uniform(0.0, took[how] * 1.2)
            _confirm_in_background(base, dict(client.headers), cid, how, aid)
            time.sleep(delay)
            kill(pid)
            points.append((aid, how, delay))
    with launcher.server():  # the last restart's sweep finishes what the last kill left
        db = tmp_path / "var" / "switchboard.db"
        deadline = time.monotonic() + 20
        while _rows(db, "SELECT id FROM pending_actions WHERE status IN ('confirmed','executing')"):
            assert time.monotonic() < deadline, "actions left unfinished after the sweep"
            time.sleep(0.2)
        time.sleep(1.0)  # a periodic sweep after the last result: nothing more is logged
    return seeded


def _check(points: list[tuple[str, str, float]], tmp_path: Path, seeded: set[str]) -> None:
    db, bss_db = tmp_path / "var" / "switchboard.db", tmp_path / "var" / "bss.db"
    actions = {
        aid: (status, json.loads(receipt) if receipt else None, idem)
        for aid, status, receipt, idem in _rows(
            db, "SELECT id, status, receipt, idempotency_key FROM pending_actions"
        )
    }
    results: Counter[tuple[str, str]] = Counter()
    for _conversation, data in _rows(
        db, "SELECT conversation_id, data FROM events WHERE type = 'action.executed'"
    ):
        event = json.loads(data)
        results[(event["action_id"], event["status"])] += 1
    ledger = Counter(row[0] for row in _rows(bss_db, LEDGER) if row[0] not in seeded)
    applied = {
        key: json.loads(body)
        for key, body in _rows(bss_db, "SELECT key, body FROM bss_idempotency")
    }
    recovered = {
        row[0] for row in _rows(db, "SELECT action_id FROM audit_log WHERE actor = 'recovery'")
    }

    outcomes: Counter[str] = Counter()
    for aid, how, delay in points:
        status, receipt, key = actions[aid]
        if status == "proposed":  # killed before the confirmation reached the action
            assert results[(aid, "ok")] == 0 and key not in applied
            outcomes["not confirmed (killed first)"] += 1
        elif status == "succeeded":
            assert receipt is not None and key in applied, aid
            topup_id = receipt["bss_ref"]
            assert ledger[topup_id] == 1, (aid, topup_id)  # exactly one BSS change
            assert results[(aid, "ok")] == 1, (aid, results)  # exactly one receipt
            outcomes[f"succeeded ({'recovered' if aid in recovered else 'by its confirm'})"] += 1
        else:
            assert status == "failed", (aid, status)
            assert results[(aid, "ok")] == 0 and key not in applied
            outcomes["failed"] += 1
        print(f"kill {how:6} after {delay * 1000:5.1f} ms -> {status}")
    assert sum(ledger.values()) == sum(1 for s, _, _ in actions.values() if s == "succeeded")
    print(f"seed {SEED}: {dict(outcomes)}")
    assert outcomes["not confirmed (killed first)"] < KILLS  # the points reached the confirms
