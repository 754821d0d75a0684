"""`LocalChatModel`: the local engine behind LangChain's chat-model interface.

`bind_tools` records the tools' JSON schemas; each call reads the messages and answers with an
AIMessage that has tool calls (streamed as `tool_call_chunks`, as real providers stream them) or
text (streamed word by word). Every AIMessage carries `response_metadata` with the capability,
intent, recognition score and margin, slots and an outcome hint, and `usage_metadata` counted
with tiktoken. Deterministic: the same messages and tools give the same reply and call ids.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from typing import Any

from langchain_core.callbacks import (
    AsyncCallbackManagerForLLMRun,
    CallbackManagerForLLMRun,
)
from langchain_core.language_models import BaseChatModel, LanguageModelInput
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.messages.ai import UsageMetadata
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from langchain_core.runnables import Runnable
from langchain_core.tools import BaseTool
from langchain_core.utils.function_calling import convert_to_openai_tool
from pydantic import ConfigDict, Field

from assistant.local.dialogue import operator_name
from assistant.local.engine import Engine, EngineReply
from assistant.local.text import OPERATOR
from assistant.local.tokens import count_tokens
from assistant.local.toolbox import ToolBox

_PIECE = re.compile(r"\S+\s*|\s+")
_ARG_PIECE = 12  # characters of tool-call arguments per streamed chunk


class LocalChatModel(BaseChatModel):
    """Switchboard's deterministic offline chat model (see `make_local_model`)."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    engine: Engine = Field(exclude=True)
    model_name: str = "switchboard-local"

    @property
    def _llm_type(self) -> str:
        return "switchboard-local"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {"model_name": self.model_name}

    def bind_tools(
        self,
        tools: Sequence[dict[str, Any] | type | Callable[..., Any] | BaseTool],
        *,
        tool_choice: str | None = None,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, AIMessage]:
        formatted = [_openai_tool(tool) for tool in tools]
        return self.bind(tools=formatted, **kwargs)

    # -- the decision ------------------------------------------------------------------------

    def _decide(self, messages: list[BaseMessage], tools: Any) -> EngineReply:
        reply = self.engine.respond(messages, ToolBox(tools))
        if OPERATOR in reply.text:  # the engine's own sentences name the operator
            reply.text = reply.text.replace(OPERATOR, operator_name(messages))
        return reply

    def _message(self, messages: list[BaseMessage], reply: EngineReply) -> AIMessage:
        return AIMessage(
            content=reply.text,
            tool_calls=[
                {"name": c["name"], "args": c["args"], "id": c["id"], "type": "tool_call"}
                for c in reply.calls
            ],
            response_metadata={**reply.metadata, "model_name": self.model_name},
            usage_metadata=_usage(messages, reply),
        )

    # -- LangChain hooks ---------------------------------------------------------------------

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        reply = self._decide(messages, kwargs.get("tools"))
        return ChatResult(generations=[ChatGeneration(message=self._message(messages, reply))])

    async def _agenerate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        reply = await asyncio.to_thread(self._decide, messages, kwargs.get("tools"))
        return ChatResult(generations=[ChatGeneration(message=self._message(messages, reply))])

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        reply = self._decide(messages, kwargs.get("tools"))
        for chunk in self._chunks(messages, reply):
            if run_manager and isinstance(chunk.message.content, str) and chunk.message.content:
                run_manager.on_llm_new_token(chunk.message.content, chunk=chunk)
            yield chunk

    async def _astream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> AsyncIterator[ChatGenerationChunk]:
        reply = await asyncio.to_thread(self._decide, messages, kwargs.get("tools"))
        for chunk in self._chunks(messages, reply):
            if run_manager and isinstance(chunk.message.content, str) and chunk.message.content:
                await run_manager.on_llm_new_token(chunk.message.content, chunk=chunk)
            yield chunk

    def _chunks(
        self, messages: list[BaseMessage], reply: EngineReply
    ) -> Iterator[ChatGenerationChunk]:
        for piece in _PIECE.findall(reply.text):
            yield ChatGenerationChunk(message=AIMessageChunk(content=piece))
        for index, call in enumerate(reply.calls):
            args = json.dumps(call["args"], sort_keys=True)
            pieces = [args[i : i + _ARG_PIECE] for i in range(0, len(args), _ARG_PIECE)] or [""]
            for n, piece in enumerate(pieces):
                first = n == 0
                yield ChatGenerationChunk(
                    message=AIMessageChunk(
                        content="",
                        tool_call_chunks=[
                            {
                                "name": call["name"] if first else None,
                                "args": piece,
                                "id": call["id"] if first else None,
                                "index": index,
                                "type": "tool_call_chunk",
                            }
                        ],
                    )
                )
        yield ChatGenerationChunk(
            message=AIMessageChunk(
                content="",
                response_metadata={**reply.metadata, "model_name": self.model_name},
                usage_metadata=_usage(messages, reply),
                chunk_position="last",
            )
        )


_SCHEMAS: dict[tuple[str, str, type], dict[str, Any]] = {}
_DICT_SCHEMAS: dict[tuple[str, str, int], tuple[dict[str, Any], dict[str, Any]]] = {}
_DICT_SCHEMAS_KEPT = 256


def _openai_tool(tool: Any) -> dict[str, Any]:
    """`convert_to_openai_tool`, cached for tools rebuilt every turn around the same argument
    model (generating a pydantic JSON schema costs ~5 ms a tool, ~100 ms for the catalogue)."""
    schema = getattr(tool, "args_schema", None)
    if isinstance(tool, BaseTool) and isinstance(schema, dict):
        return _dict_schema_tool(tool, schema)
    if not isinstance(tool, BaseTool) or not isinstance(schema, type):
        return convert_to_openai_tool(tool)
    key = (tool.name, tool.description, schema)
    if key not in _SCHEMAS:
        _SCHEMAS[key] = convert_to_openai_tool(tool)
    return _SCHEMAS[key]


def _dict_schema_tool(tool: BaseTool, schema: dict[str, Any]) -> dict[str, Any]:
    """The same for a tool whose schema is a JSON schema dict (the catalogue's): converted once
    per schema object, not at every model call (~4 ms a call for the catalogue, issue #23). The
    entry holds its schema, so no other dict can take its id while the entry lives."""
    key = (tool.name, tool.description, id(schema))
    found = _DICT_SCHEMAS.get(key)
    if found is None:
        found = _DICT_SCHEMAS[key] = (convert_to_openai_tool(tool), schema)
        if len(_DICT_SCHEMAS) > _DICT_SCHEMAS_KEPT:  # tools built per turn (tests' fakes)
            del _DICT_SCHEMAS[next(iter(_DICT_SCHEMAS))]
    return found[0]


def _usage(messages: list[BaseMessage], reply: EngineReply) -> UsageMetadata:
    prompt = sum(count_tokens(_message_text(m)) + 4 for m in messages)
    completion = count_tokens(reply.text) + sum(
        count_tokens(c["name"] + json.dumps(c["args"])) for c in reply.calls
    )
    return UsageMetadata(
        input_tokens=prompt, output_tokens=completion, total_tokens=prompt + completion
    )


def _message_text(message: BaseMessage) -> str:
    content = message.content
    return content if isinstance(content, str) else json.dumps(content, default=str)
