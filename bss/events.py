"""Hub/listener notifications: events are written to an outbox in the same transaction as the
state change they describe, then delivered to `{callback}/listener/{eventName}` by the worker,
retried with exponential backoff until the listener answers 2xx."""

from __future__ import annotations

import logging
import uuid
from typing import Any
from urllib.parse import parse_qs

import httpx

from bss.clock import iso
from bss.context import Ctx
from bss.shapes import KINDS
from bss.store import Repo

Doc = dict[str, Any]
log = logging.getLogger("bss.events")


def listener_name(event_type: str) -> str:
    return event_type[0].lower() + event_type[1:]


def _wants(query: str | None, event_type: str) -> bool:
    """`query` may carry `eventType=A,B` (TMF630 style); anything else is accepted."""
    if not query:
        return True
    wanted = parse_qs(query.lstrip("?")).get("eventType")
    if not wanted:
        return True
    names = {n.strip() for part in wanted for n in part.split(",")}
    return event_type in names or listener_name(event_type) in names


async def emit(ctx: Ctx, kind: str, event_type: str, doc: Doc, *, title: str = "") -> None:
    """Queue `event_type` about `doc` (a resource of `kind`) for every matching subscription."""
    api = KINDS[kind][0] if kind != "taskFlow" else "processFlow"
    subscriptions = await ctx.repo.subscriptions(api)
    if not subscriptions:
        return
    now = iso()
    envelope: Doc = {
        "eventId": str(uuid.uuid4()),
        "eventTime": now,
        "eventType": event_type,
        "timeOcurred": now,
        "domain": api,
        "title": title or event_type,
        "correlationId": str(doc.get("id", "")),
        "event": {kind: doc},
    }
    items = [
        (s["id"], listener_name(event_type), envelope)
        for s in subscriptions
        if _wants(s.get("query"), event_type)
    ]
    await ctx.repo.enqueue(items, ctx.clock.now())


def backoff(attempts: int, base: float, cap: float) -> float:
    return float(min(cap, base * (2 ** max(0, attempts - 1))))


class Deliverer:
    """Posts due outbox events; failures are rescheduled with exponential backoff."""

    def __init__(
        self,
        *,
        transport: httpx.AsyncBaseTransport | None,
        retry_base_s: float,
        retry_cap_s: float = 300.0,
        max_attempts: int = 25,
        timeout_s: float = 5.0,
    ) -> None:
        self.transport = transport
        self.retry_base_s = retry_base_s
        self.retry_cap_s = retry_cap_s
        self.max_attempts = max_attempts
        self.timeout_s = timeout_s

    async def deliver(self, engine_begin: Any, now: float) -> int:
        """Try every due delivery once; returns how many were acknowledged."""
        async with engine_begin() as conn:
            due = await Repo(conn).due_deliveries(now)
        if not due:
            return 0
        acknowledged = 0
        async with httpx.AsyncClient(transport=self.transport, timeout=self.timeout_s) as http:
            for item in due:
                url = f"{item['callback'].rstrip('/')}/listener/{item['event_name']}"
                error = ""
                try:
                    response = await http.post(
                        url, content=item["body"], headers={"Content-Type": "application/json"}
                    )
                    ok = 200 <= response.status_code < 300
                    error = "" if ok else f"HTTP {response.status_code}"
                except httpx.HTTPError as exc:
                    ok, error = False, f"{type(exc).__name__}: {exc}"
                async with engine_begin() as conn:
                    repo = Repo(conn)
                    if ok:
                        acknowledged += 1
                        await repo.mark_delivered(item["id"], now)
                    else:
                        attempts = int(item["attempts"]) + 1
                        log.info(
                            "event %s to %s failed (%s), attempt %d",
                            item["id"],
                            url,
                            error,
                            attempts,
                        )
                        await repo.mark_failed(
                            item["id"],
                            next_at=now + backoff(attempts, self.retry_base_s, self.retry_cap_s),
                            dead=attempts >= self.max_attempts,
                            error=error,
                        )
        return acknowledged
