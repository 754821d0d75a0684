"""The assistant: the conversation service every channel uses and the turn loop behind it.

By stage, each a package whose docstring says what it owns and what it may import:
`service/` (the conversation service, the turn runner, the runtime built from settings) >
`turn/` (one turn: loop, decision, prompts, memory, middlewares, finish) >
`playbooks/` (guided journeys in YAML) > `actions/` (the confirmation protocol's side) and
`handoff/` (policy, confidence, signals) and
`local/` (the offline engine). Shared by all: `events` (the typed turn events, CONTRACT §3),
`recorder`, `guardrails`, `models` (chat models by setting), `language`.

    from assistant import build_runtime
    async with build_runtime(settings) as runtime:
        runtime.service.handle_message(...)

Exports are lazy: `assistant.events` is imported by light modules (tools/) that must not pull in
LangChain and the local engine."""

from __future__ import annotations

from importlib import import_module
from typing import Any

_EXPORTS = {
    "ConversationService": "assistant.service.conversations",
    "ServiceDeps": "assistant.service.deps",
    "Runtime": "assistant.service.runtime",
    "build_runtime": "assistant.service.runtime",
    "make_chat_model": "assistant.models",
    "ModelUnavailableError": "assistant.models",
    "run_turn": "assistant.turn.loop",
    "TurnRequest": "assistant.turn.loop",
    "TurnDeps": "assistant.turn.loop",
    "detect_decision": "assistant.actions.confirmation",
    "mask_sensitive": "assistant.guardrails",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'assistant' has no attribute {name!r}")
