"""What the assistant can do: the tool catalogue, the pending-action protocol, the audit trail.

    tools = build_tools(ctx)                       # LangChain tools bound to the turn's identity
    outcome = await invoke_tool(ctx, "top_up", {"amount": 10})   # the same door, no LangChain
    result = await confirm(sessionmaker=..., bss=..., action_id=..., customer_id=...,
                           conversation_id=..., actor="customer:cust-001")

Names are loaded on first use, so importing `tools.context` or `tools.bss` stays light."""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tools.actions import ActionRecord, cancel, confirm, expire_due, open_action, propose
    from tools.context import TurnContext
    from tools.outcome import ToolOutcome
    from tools.registry import TOOL_SPECS, ToolSpec, build_tools, invoke_tool, requote

_EXPORTS = {
    "ActionRecord": "tools.actions",
    "cancel": "tools.actions",
    "confirm": "tools.actions",
    "expire_due": "tools.actions",
    "open_action": "tools.actions",
    "propose": "tools.actions",
    "TurnContext": "tools.context",
    "ToolOutcome": "tools.outcome",
    "TOOL_SPECS": "tools.registry",
    "ToolSpec": "tools.registry",
    "build_tools": "tools.registry",
    "invoke_tool": "tools.registry",
    "requote": "tools.registry",
}
__all__ = [
    "TOOL_SPECS",
    "ActionRecord",
    "ToolOutcome",
    "ToolSpec",
    "TurnContext",
    "build_tools",
    "cancel",
    "confirm",
    "expire_due",
    "invoke_tool",
    "open_action",
    "propose",
    "requote",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'tools' has no attribute {name!r}")
    return getattr(import_module(module), name)
