"""Prometheus metrics of this process, counted from the events it stores.

Every event that reaches the event log (a turn's, a channel's, the desk's) passes `observe` once
it has committed, so the counters say what the log says; gauges that describe a state (open SSE
streams, the outbox) are set where that state lives. `GET /metrics` (api/routes/health.py)
renders them in the Prometheus text format.

Per process: with `switchboard serve --workers N` or several replicas, scrape each one (the
usual Prometheus set-up); the totals are the sums. The operator's dashboard reads the event log
itself, not these counters."""

from __future__ import annotations

from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

REGISTRY = CollectorRegistry(auto_describe=True)

TURNS = Counter(
    "switchboard_turns",
    "Completed assistant turns, by capability and outcome",
    ["capability", "outcome"],
    registry=REGISTRY,
)
TURN_LATENCY = Histogram(
    "switchboard_turn_latency_seconds",
    "Time from a customer's message to the turn's last event",
    buckets=(0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 16, 32, 60),
    registry=REGISTRY,
)
CUSTOMER_MESSAGES = Counter(
    "switchboard_customer_messages", "Messages from customers", registry=REGISTRY
)
HANDOFFS = Counter(
    "switchboard_handoffs",
    "Conversations handed to people, by reason and queue",
    ["reason", "queue"],
    registry=REGISTRY,
)
QUOTES = Counter(
    "switchboard_actions_proposed",
    "Write actions quoted to customers, by tool",
    ["tool"],
    registry=REGISTRY,
)
ACTIONS = Counter(
    "switchboard_actions",
    "Outcomes of quoted actions, by tool and status (ok, failed, cancelled, expired)",
    ["tool", "status"],
    registry=REGISTRY,
)
MODEL_TOKENS = Counter(
    "switchboard_model_tokens",
    "Model tokens used by turns, by kind (prompt, completion)",
    ["kind"],
    registry=REGISTRY,
)
ERRORS = Counter(
    "switchboard_turn_errors",
    "Error events sent to customers, by code",
    ["code"],
    registry=REGISTRY,
)
SSE_STREAMS = Gauge(
    "switchboard_sse_streams_open", "SSE streams open in this process", registry=REGISTRY
)
OUTBOX = Gauge(
    "switchboard_outbox_messages",
    "Outbound channel messages by status, read from the database at scrape time",
    ["status"],
    registry=REGISTRY,
)


def _label(value: Any, default: str = "none") -> str:
    return str(value)[:64] if value not in (None, "") else default


def observe(event_type: str, data: dict[str, Any]) -> None:
    """Count one stored event (never raises: metrics must not break a turn)."""
    try:
        if event_type == "turn.completed":
            TURNS.labels(_label(data.get("capability")), _label(data.get("outcome"))).inc()
            latency = data.get("latency_ms")
            if isinstance(latency, int | float):
                TURN_LATENCY.observe(latency / 1000)
            usage = data.get("usage") or {}
            for kind in ("prompt", "completion"):
                tokens = usage.get(f"{kind}_tokens")
                if isinstance(tokens, int) and tokens > 0:
                    MODEL_TOKENS.labels(kind).inc(tokens)
        elif event_type == "customer.message":
            CUSTOMER_MESSAGES.inc()
        elif event_type == "handoff":
            HANDOFFS.labels(_label(data.get("reason")), _label(data.get("queue"))).inc()
        elif event_type == "action.proposed":
            QUOTES.labels(_label(data.get("tool"))).inc()
        elif event_type == "action.executed":
            ACTIONS.labels(_label(data.get("tool")), _label(data.get("status"))).inc()
        elif event_type == "error":
            ERRORS.labels(_label(data.get("code"))).inc()
    except (TypeError, ValueError, AttributeError):  # a malformed payload is not worth a crash
        return


def render() -> bytes:
    """The Prometheus text exposition of every metric above."""
    return generate_latest(REGISTRY)
