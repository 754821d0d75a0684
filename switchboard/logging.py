"""Structured logs that carry conversation and turn ids and never message text, card numbers or
full phone numbers at INFO."""

from __future__ import annotations

import json
import logging
import sys
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from switchboard.redaction import redact, redact_url_secrets

conversation_id_var: ContextVar[str | None] = ContextVar("conversation_id", default=None)
turn_id_var: ContextVar[str | None] = ContextVar("turn_id", default=None)


class _ContextFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.conversation_id = conversation_id_var.get()
        record.turn_id = turn_id_var.get()
        record.msg = _clean(str(record.msg))
        if isinstance(record.args, tuple):
            record.args = tuple(_clean(a) if isinstance(a, str) else a for a in record.args)
        return True


def _clean(text: str) -> str:
    return redact(redact_url_secrets(text))


_TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for key in ("conversation_id", "turn_id"):
            value = getattr(record, key, None)
            if value:
                entry[key] = value
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry)


class TextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        ids = " ".join(
            f"{key}={value}"
            for key in ("conversation_id", "turn_id")
            if (value := getattr(record, key, None))
        )
        base = super().format(record)
        return f"{base} {ids}" if ids else base


def configure_logging(*, level: str = "INFO", json_format: bool = False) -> None:
    """Install one stderr handler on the root logger (idempotent)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(_ContextFilter())
    handler.setFormatter(JsonFormatter() if json_format else TextFormatter(_TEXT_FORMAT))
    root = logging.getLogger()
    for existing in list(root.handlers):
        if getattr(existing, "_switchboard", False):
            root.removeHandler(existing)
    handler._switchboard = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level)
    for noisy in ("httpx", "chromadb", "onnxruntime", "alembic", "bm25s"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLevelName(level)))
