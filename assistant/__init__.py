"""The turn loop: chat models (local + OpenAI-compatible), prompts, memory, confidence, handoff,
guardrails, typed turn events, and the conversation service every channel uses.

    from assistant import build_runtime
    async with build_runtime(settings) as runtime:
        runtime.service.handle_message(...)

Exports are lazy: `assistant.events` is imported by light modules (tools/) that must not pull in
LangChain and the local engine."""

from __future__ import annotations

from importlib import import_module
from typing import Any

_EXPORTS = {
    "ConversationService": "assistant.service",
    "ServiceDeps": "assistant.service",
    "Runtime": "assistant.runtime",
    "build_runtime": "assistant.runtime",
    "make_chat_model": "assistant.models",
    "ModelUnavailableError": "assistant.models",
    "run_turn": "assistant.turn",
    "TurnRequest": "assistant.turn",
    "TurnDeps": "assistant.turn",
    "detect_decision": "assistant.confirmation",
    "mask_sensitive": "assistant.guardrails",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'assistant' has no attribute {name!r}")
