"""Exemplar utterances per capability and intent, loaded from `knowledge/data/exemplars/*.yaml`."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import yaml

from assistant.events import CAPABILITIES
from switchboard.errors import ConfigError


@dataclass(frozen=True, slots=True)
class Exemplar:
    capability: str
    intent: str
    text: str


def default_exemplar_dir() -> Path:
    return Path(str(resources.files("knowledge") / "data" / "exemplars"))


def load_exemplars(directory: Path | None = None) -> list[Exemplar]:
    """Every exemplar in `directory` (the shipped set by default), in a stable order."""
    directory = directory or default_exemplar_dir()
    files = sorted(directory.glob("*.yaml"))
    if not files:
        raise ConfigError(str(directory), "holds no exemplar files", "Point it at exemplars/")
    out: list[Exemplar] = []
    for path in files:
        out.extend(_load_file(path))
    return out


def exemplars_digest(exemplars: list[Exemplar]) -> str:
    """A short hash of the exemplar set (cache key for its embeddings)."""
    h = hashlib.sha256()
    for e in exemplars:
        h.update(f"{e.capability}\x1f{e.intent}\x1f{e.text}\x1e".encode())
    return h.hexdigest()[:16]


def _load_file(path: Path) -> list[Exemplar]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(str(path), f"cannot be read: {exc}", "Fix the YAML") from exc
    if not isinstance(data, dict) or not isinstance(data.get("intents"), dict):
        raise ConfigError(str(path), "needs `capability` and an `intents` mapping", "See README.md")
    capability = data.get("capability")
    if capability not in CAPABILITIES:
        raise ConfigError(str(path), f"unknown capability {capability!r}", "Use a CONTRACT.md id")
    out: list[Exemplar] = []
    for intent, texts in data["intents"].items():
        if not isinstance(texts, list) or not all(isinstance(t, str) for t in texts):
            raise ConfigError(str(path), f"intent {intent!r} must list strings", "See README.md")
        out.extend(Exemplar(str(capability), str(intent), t.strip()) for t in texts if t.strip())
    return out
