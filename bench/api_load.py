"""The API bench's load generator: a separate process, so its CPU is not charged to the server.

    .venv/bin/python -m bench.api_load --base http://127.0.0.1:PORT

bench/api_bench.py starts it and drives it over stdin/stdout, one JSON object per line each
way. A command names the customers' bearer tokens and the questions; the answer lists, per
message sent, its `client_message_id` and the client's time to the first `token` frame, which the
bench pairs with the turn loop's own TTFT measured inside the server. Commands:

- `{"op": "burst", "concurrency": N, ...}` — N new conversations (created before the clock
  starts), then one message in each, all sent at the same instant.
- `{"op": "staggered", "concurrency": N, "rounds": R, "think_s": T, "seed": S, ...}` — N
  customers, each sending R messages in one conversation, each an exponentially distributed think
  time (mean T) after the previous reply ended; the first ones arrive spread the same way. With
  `think_s` 0 each customer sends its next message as soon as the reply ends (a closed loop at
  full speed: bench/http_bench.py's throughput runs).
- `{"op": "quit"}`.

Every answer also carries this process's CPU seconds for the command (`cpu_s`) and its failures
grouped by reason."""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import time
import uuid
from collections import Counter
from typing import Any

import httpx
import uvloop

Sample = tuple[str, float, float, float, float]


class Load:
    def __init__(self, client: httpx.AsyncClient, tokens: list[str], questions: list[str]) -> None:
        self.client = client
        self.headers = [{"Authorization": f"Bearer {token}"} for token in tokens]
        self.questions = questions

    async def conversation(self, n: int) -> str:
        created = await self.client.post("/v1/conversations", headers=self._who(n))
        created.raise_for_status()
        return str(created.json()["conversation_id"])

    async def message(self, n: int, cid: str) -> Sample:
        """The `n`th customer's question in `cid`: (client_message_id, the TTFT from the
        moment the request went on the wire, the TTFT from the call, when it went on the wire,
        when the stream ended).
        "On the wire" is httpcore's `send_request_headers.started`: it leaves out the time this
        process spent getting a pooled connection and getting round to the request, which is
        the load generator's queue, not the API's. Times are `time.perf_counter()`, the
        system-wide monotonic clock, so they line up with the server's own timestamps."""
        cmid = uuid.uuid4().hex
        body = {"text": self.questions[n % len(self.questions)], "client_message_id": cmid}
        wire: list[float] = []

        async def trace(name: str, _info: Any) -> None:
            if name == "http11.send_request_headers.started" and not wire:
                wire.append(time.perf_counter())

        called = time.perf_counter()
        first = None
        seen = b""
        path = f"/v1/conversations/{cid}/messages"
        request = {"json": body, "headers": self._who(n), "extensions": {"trace": trace}}
        async with self.client.stream("POST", path, **request) as response:
            response.raise_for_status()
            async for chunk in response.aiter_raw():  # no line splitting: the client's CPU
                if first is None:
                    seen += chunk
                    if b"\nevent: token" in seen:
                        first = time.perf_counter()
        if first is None:
            raise RuntimeError("the stream carried no token")
        ended = time.perf_counter()
        sent = wire[0] if wire else called
        return cmid, first - sent, first - called, sent, ended

    def _who(self, n: int) -> dict[str, str]:
        return self.headers[n % len(self.headers)]

    async def burst(self, concurrency: int) -> tuple[list[Sample], list[BaseException]]:
        async def one(n: int) -> Sample:
            return await self.message(n, await self.conversation(n))

        outcomes = await asyncio.gather(
            *(one(n) for n in range(concurrency)), return_exceptions=True
        )
        return _split(outcomes)

    async def staggered(
        self, concurrency: int, rounds: int, think_s: float, seed: int
    ) -> tuple[list[Sample], list[BaseException]]:
        rng = random.Random(seed)

        async def customer(n: int) -> list[Sample | BaseException]:
            outcomes: list[Sample | BaseException] = []
            cid: str | None = None
            for _ in range(rounds):
                if think_s > 0:
                    await asyncio.sleep(rng.expovariate(1 / think_s))
                try:
                    cid = cid or await self.conversation(n)
                    outcomes.append(await self.message(n, cid))
                except Exception as exc:  # counted and reported, like the burst's failed turns
                    outcomes.append(exc)
            return outcomes

        per_customer = await asyncio.gather(*(customer(n) for n in range(concurrency)))
        return _split([o for outcomes in per_customer for o in outcomes])


def _split(outcomes: list[Any]) -> tuple[list[Sample], list[BaseException]]:
    done = [o for o in outcomes if isinstance(o, tuple)]
    return done, [o for o in outcomes if isinstance(o, BaseException)]


async def serve_commands(base: str) -> None:
    limits = httpx.Limits(max_connections=1000, max_keepalive_connections=200)
    reader = asyncio.StreamReader()
    loop = asyncio.get_running_loop()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    async with httpx.AsyncClient(base_url=base, timeout=300, limits=limits) as client:
        while line := await reader.readline():
            command = json.loads(line)
            if command["op"] == "quit":
                return
            load = Load(client, command["tokens"], command["questions"])
            cpu, started = time.process_time(), time.perf_counter()
            if command["op"] == "burst":
                done, failed = await load.burst(command["concurrency"])
            else:
                done, failed = await load.staggered(
                    command["concurrency"], command["rounds"], command["think_s"], command["seed"]
                )
            answer = {
                "ttft": done,
                "failures": Counter(f"{type(e).__name__}: {str(e)[:160]}" for e in failed),
                "cpu_s": time.process_time() - cpu,
                "elapsed_s": time.perf_counter() - started,
            }
            sys.stdout.write(json.dumps(answer) + "\n")
            sys.stdout.flush()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--base", required=True, help="the API's base URL")
    uvloop.run(serve_commands(parser.parse_args().base))


if __name__ == "__main__":
    main()
