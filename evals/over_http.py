"""Cases run through the public API of a running server (docs/api.md), the way outside
evaluators measure: a demo session per signed-in customer, a fresh conversation per case, each
turn's SSE stream read to `turn.completed` before the next turn is sent (../shared/dev/README.md).

    python -m evals.devsets --base http://127.0.0.1:8000      # the dev sets over HTTP

The server must run in demo mode (`make run`); reset its world first (`switchboard bss reset`)."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import AsyncIterator, Sequence
from typing import Any

import httpx

from evals.result import CaseResult, ToolCallRecord, TurnRecord
from evals.suite import Case

ANONYMOUS = "anonymous"
TIMEOUT_S = 60.0


async def sse_events(response: httpx.Response) -> AsyncIterator[tuple[str, dict[str, Any]]]:
    """(event name, data) for each event of an SSE response, as the CONTRACT §3 stream sends."""
    name = "message"
    data: list[str] = []
    async for line in response.aiter_lines():
        if not line:
            if data:
                yield name, json.loads("\n".join(data))
            name, data = "message", []
        elif line.startswith("event:"):
            name = line[6:].strip()
        elif line.startswith("data:"):
            data.append(line[5:].strip())


def turn_record(index: int, user: str, events: Sequence[tuple[str, dict[str, Any]]]) -> TurnRecord:
    """One turn's events as the eval runner's record (the fields the dev-set scores read)."""
    record = TurnRecord(index=index, user=user)
    for name, data in events:
        if name == "action.proposed":
            record.proposed.append(data)
        elif name == "action.executed":
            record.executed.append(data)
        elif name == "handoff":
            record.handoff = data
        elif name == "tool.call":
            record.tools.append(
                ToolCallRecord(tool=str(data.get("tool")), args=data.get("args", {}))
            )
        elif name == "error":
            record.errors.append(data)
        elif name == "turn.completed":
            record.text = str(data.get("text") or "")
            record.capability = data.get("capability")
            record.outcome = data.get("outcome")
            record.confidence = data.get("confidence")
            record.citations = list(data.get("citations") or [])
            record.latency_ms = data.get("latency_ms")
    return record


class ApiRunner:
    """Runs cases against `base` with at most `jobs` conversations at a time."""

    def __init__(self, base: str, *, jobs: int = 4) -> None:
        self.base = base.rstrip("/")
        self.gate = asyncio.Semaphore(max(1, jobs))

    async def run(self, suite: str, cases: Sequence[Case]) -> list[CaseResult]:
        async with httpx.AsyncClient(base_url=self.base, timeout=TIMEOUT_S) as client:
            return list(await asyncio.gather(*(self._case(client, suite, c) for c in cases)))

    async def _case(self, client: httpx.AsyncClient, suite: str, case: Case) -> CaseResult:
        async with self.gate:
            started = time.perf_counter()
            result = CaseResult(suite=suite, case=case)
            try:
                headers = await self._headers(client, case.customer)
                created = await client.post("/v1/conversations", headers=headers, json={})
                created.raise_for_status()
                cid = created.json()["conversation_id"]
                if not headers and created.json().get("token"):
                    headers = {"Authorization": f"Bearer {created.json()['token']}"}
                for index, turn in enumerate(case.turns):
                    result.turns.append(await self._turn(client, headers, cid, index, turn.user))
                result.passed = True  # ran; the dev-set scores decide the rest
            except (httpx.HTTPError, KeyError, ValueError) as exc:
                result.error = f"{type(exc).__name__}: {exc}"
            result.duration_s = time.perf_counter() - started
            return result

    async def _headers(self, client: httpx.AsyncClient, customer: str) -> dict[str, str]:
        if customer == ANONYMOUS:
            return {}
        session = await client.post("/v1/demo/session", json={"msisdn": customer})
        session.raise_for_status()
        return {"Authorization": f"Bearer {session.json()['token']}"}

    async def _turn(
        self, client: httpx.AsyncClient, headers: dict[str, str], cid: str, index: int, text: str
    ) -> TurnRecord:
        body = {"text": text, "client_message_id": f"eval-{uuid.uuid4().hex}"}
        events: list[tuple[str, dict[str, Any]]] = []
        started = time.perf_counter()
        url = f"/v1/conversations/{cid}/messages"
        async with client.stream("POST", url, headers=headers, json=body) as response:
            if response.status_code != 200:
                await response.aread()
                response.raise_for_status()
            async for name, data in sse_events(response):
                events.append((name, data))
                if name == "turn.completed":
                    break
        record = turn_record(index, text, events)
        record.wall_ms = (time.perf_counter() - started) * 1000
        return record
