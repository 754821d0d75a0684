"""uvicorn in a subprocess on a free loopback port, serving the app with the fake service."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from tests.clock import clock_env

ROOT = Path(__file__).resolve().parents[2]


def wait_healthy(base: str, *, alive: Callable[[], bool], timeout_s: float) -> None:
    """Until `base`/healthz answers 200; RuntimeError if the server dies or takes too long."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if not alive() or time.monotonic() > deadline:
            raise RuntimeError(f"test server at {base} did not start")
        time.sleep(0.05)


@contextmanager
def subprocess_server(
    env: dict[str, str],
    *,
    port: int,
    factory: str = "tests.api.fakes:create_fake_app",
    start_timeout_s: float = 30,
) -> Iterator[str]:
    """The app `factory` builds, under uvicorn; yields its base URL."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("SWITCHBOARD_")}
    full_env.update(clock_env())
    full_env.update(env)
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            factory,
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=full_env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(base, alive=lambda: process.poll() is None, timeout_s=start_timeout_s)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
