"""Fixtures for the local engine: one real engine per session (the offline MiniLM model and the
shipped exemplars), and tools built from the published argument models (tools/schemas.py)."""

from __future__ import annotations

import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from langchain_core.tools import BaseTool, StructuredTool

from assistant.local import LocalChatModel, make_local_model
from tools.outcome import ToolOutcome
from tools.schemas import ARGS_MODELS

# Exemplar vectors are cached by content hash, so a stable folder saves ~5 s per session.
CACHE = Path(tempfile.gettempdir()) / "switchboard-test-cache"

Handler = Callable[[str, dict[str, Any]], Awaitable[ToolOutcome]]


@pytest.fixture(scope="session")
def local_model() -> LocalChatModel:
    return make_local_model(cache_dir=CACHE)


def schema_tools(handler: Handler, names: tuple[str, ...] | None = None) -> list[BaseTool]:
    """Every published tool, with its real argument model, answered by `handler`."""
    tools = []
    for name, model in ARGS_MODELS.items():
        if names is not None and name not in names:
            continue
        tools.append(_tool(name, model, handler))
    return tools


def _tool(name: str, model: Any, handler: Handler) -> BaseTool:
    async def run(**kwargs: Any) -> tuple[str, ToolOutcome]:
        model.model_validate(kwargs)  # the engine's arguments must satisfy the real schema
        outcome = await handler(name, kwargs)
        return outcome.render(), outcome

    return StructuredTool.from_function(
        coroutine=run,
        name=name,
        description=f"{name} (test)",
        args_schema=model,
        response_format="content_and_artifact",
    )
