"""What a channel sender returns, and how a provider's HTTP answer is read: 2xx sent,
429/5xx/transport errors retried with backoff, other 4xx failed for good."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

import httpx


@dataclass(frozen=True, slots=True)
class SendResult:
    ok: bool
    retry: bool = False
    provider_id: str | None = None
    error: str | None = None


class Sender(Protocol):
    channel: str

    async def send(self, *, recipient: str, text: str, payload: dict[str, Any]) -> SendResult: ...


def classify(response: httpx.Response) -> SendResult:
    if response.is_success:
        return SendResult(ok=True)
    status = response.status_code
    retry = status == 429 or status >= 500
    return SendResult(ok=False, retry=retry, error=f"HTTP {status}")
