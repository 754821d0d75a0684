"""Agent middleware that frames every tool result as data and turns a crashing tool into a
tool error the model can react to, so a tool failure never ends the turn."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from langchain.agents.middleware import AgentMiddleware, ToolCallRequest
from langchain_core.messages import ToolMessage
from langgraph.types import Command

from assistant.guardrails import frame_as_data, mask_sensitive
from switchboard.errors import SwitchboardError

log = logging.getLogger(__name__)


class DataFramingMiddleware(AgentMiddleware):  # type: ignore[type-arg]
    """Tool results reach the model inside a `<data>` frame, with payment data masked."""

    async def awrap_tool_call(
        self,
        request: ToolCallRequest,
        handler: Callable[[ToolCallRequest], Awaitable[ToolMessage | Command[Any]]],
    ) -> ToolMessage | Command[Any]:
        call = request.tool_call
        try:
            result = await handler(request)
        except SwitchboardError as exc:
            log.warning("tool %s failed: %s", call["name"], exc)
            return _error(call, exc.customer_message)
        except Exception as exc:
            log.exception("tool %s crashed: %r", call["name"], exc)
            return _error(call, "The tool failed unexpectedly; nothing was changed.")
        if isinstance(result, ToolMessage) and isinstance(result.content, str):
            framed = frame_as_data(f"tool:{call['name']}", mask_sensitive(result.content))
            return result.model_copy(update={"content": framed})
        return result


def _error(call: Any, text: str) -> ToolMessage:
    return ToolMessage(
        content=frame_as_data(f"tool:{call['name']}", f"Error: {text}"),
        tool_call_id=call["id"] or "",
        name=call["name"],
        status="error",
    )
