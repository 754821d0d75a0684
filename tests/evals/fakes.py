"""A scripted driver: the runner's real code over canned assistant events, no model needed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from evals.suite import Case
from evals.transcript import Event

Reply = Callable[[str, dict[str, Any]], list[Event]]


def completed(
    text: str,
    *,
    capability: str | None,
    outcome: str = "answered",
    confidence: float = 0.9,
    tools: list[str] | None = None,
    citations: list[str] | None = None,
    latency_ms: int = 40,
) -> Event:
    return (
        "turn.completed",
        {
            "turn_id": "t",
            "text": text,
            "capability": capability,
            "outcome": outcome,
            "confidence": confidence,
            "tools": tools or [],
            "citations": citations or [],
            "usage": {"prompt_tokens": 10, "completion_tokens": 5},
            "latency_ms": latency_ms,
        },
    )


def call(
    tool: str, args: dict[str, Any], *, status: str = "ok", call_id: str = "c1"
) -> list[Event]:
    return [
        ("tool.call", {"call_id": call_id, "tool": tool, "args": args}),
        ("tool.result", {"call_id": call_id, "tool": tool, "status": status, "summary": ""}),
    ]


def proposed(tool: str, args: dict[str, Any], *, action_id: str = "a1", amount: float = 0) -> Event:
    return (
        "action.proposed",
        {
            "action_id": action_id,
            "tool": tool,
            "args": args,
            "summary": "quote",
            "amount": amount,
            "currency": "GBP",
            "expires_at": "2026-11-26T16:00:00Z",
        },
    )


def executed(tool: str, *, action_id: str = "a1", status: str = "ok") -> Event:
    return ("action.executed", {"action_id": action_id, "tool": tool, "status": status})


def handoff(reason: str = "customer_request") -> Event:
    return ("handoff", {"reason": reason, "queue": "general", "summary": "s"})


class ScriptedSession:
    def __init__(self, reply: Reply, state: dict[str, Any]) -> None:
        self.reply = reply
        self.memory: dict[str, Any] = {"state": state}
        self.closed = False

    async def send(self, text: str) -> list[Event]:
        return self.reply(text, self.memory)

    async def confirm(self, action_id: str) -> list[Event]:
        return self.reply(f"[confirm {action_id}]", self.memory)

    async def state(self) -> dict[str, Any] | None:
        return dict(self.memory["state"])

    async def aclose(self) -> None:
        self.closed = True


class ScriptedDriver:
    """Every case gets a fresh session (its own state) answering through `reply`."""

    model = "scripted"

    def __init__(self, reply: Reply, state: dict[str, Any] | None = None) -> None:
        self.reply = reply
        self.initial = state or {"balance": 7.5, "plan": "bundle-10", "addons": [], "tickets": []}
        self.sessions: list[ScriptedSession] = []

    async def open(self, case: Case) -> ScriptedSession:
        session = ScriptedSession(self.reply, dict(self.initial))
        self.sessions.append(session)
        return session
